// POST /v1/chat/completions over HTTP: the shared pipeline, encoded as OpenAI JSON or OpenAI SSE.
import type { Context } from "hono";
import { ChunkWriter, encodeCompletion, encodeStreamError } from "../dialects/chat/encoder.ts";
import type { ExecutionFailure } from "../execute/run-plan.ts";
import { type ChatScope, prepareChat, publicAttempts, runChat } from "../gateway/chat-pipeline.ts";
import { committedBody } from "../gateway/committed-body.ts";
import type { Plan } from "../routing/plan-types.ts";
import type { AppEnv } from "./app-env.ts";
import { readJsonBody } from "./read-body.ts";

/** The pipeline's view of one HTTP request. */
export function httpScope(c: Context<AppEnv>): ChatScope {
  return {
    services: c.get("app"),
    env: c.env,
    waitUntil: (p) => c.executionCtx.waitUntil(p),
    requestId: c.get("requestId"),
    caller: c.get("caller"),
    registry: c.get("registry"),
    stats: c.get("stats"),
    signal: c.req.raw.signal,
    headers: c.req.raw.headers,
  };
}

export async function chatCompletions(c: Context<AppEnv>): Promise<Response> {
  const scope = httpScope(c);
  const startedAt = scope.services.deps.now();
  const prepared = prepareChat(await readJsonBody(c.req.raw), scope);
  const run = await runChat(prepared, scope, startedAt);
  switch (run.kind) {
    case "client_closed":
      return new Response(null, { status: 499 });
    case "failed":
      return failureResponse(scope.requestId, run.plan, run.failure);
    case "json": {
      const json = encodeCompletion(`chatcmpl-${scope.requestId}`, Math.floor(startedAt / 1000), run.result, run.route);
      return new Response(JSON.stringify(json), { headers: { ...run.headers, "content-type": "application/json" } });
    }
    case "stream": {
      const includeUsage = prepared.body.stream_options?.include_usage === true;
      const writer = new ChunkWriter(`chatcmpl-${scope.requestId}`, Math.floor(startedAt / 1000), run.upstreamModel);
      const body = committedBody(
        run.stream,
        {
          event: (e) => writer.event(e),
          end: (route) => writer.finish(includeUsage, route),
          cut: (message, route) => encodeStreamError(message, "upstream_error", "stream_interrupted", route),
        },
        run.end,
      );
      return new Response(body, {
        headers: {
          ...run.headers,
          "content-type": "text/event-stream; charset=utf-8",
          "cache-control": "no-cache",
          "x-accel-buffering": "no",
        },
      });
    }
    default: {
      const never: never = run;
      throw new Error(`unhandled run ${JSON.stringify(never)}`);
    }
  }
}

function failureResponse(requestId: string, plan: Plan, failure: ExecutionFailure): Response {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-request-id": requestId,
    "x-router-strategy": plan.strategy,
    "x-router-attempts": String(failure.attempts.filter((a) => a.status !== "skipped").length),
  };
  if (failure.retryAfterMs !== null)
    headers["retry-after"] = String(Math.max(1, Math.ceil(failure.retryAfterMs / 1000)));
  const body = {
    error: { message: failure.message, type: failure.type, param: null, code: failure.code },
    x_router: {
      strategy: plan.strategy,
      chain: plan.chain,
      attempts: publicAttempts(failure.attempts),
      excluded: plan.excluded,
    },
  };
  return new Response(JSON.stringify(body), { status: failure.status, headers });
}
