// POST /v1/chat/completions over HTTP: the shared pipeline, encoded as OpenAI JSON or OpenAI SSE.
import type { Context } from "hono";
import type { Usage } from "../core/types.ts";
import type { CommittedStream } from "../execute/attempt.ts";
import { ClientGoneError } from "../execute/attempt.ts";
import type { ExecutionFailure } from "../execute/run-plan.ts";
import { prepareChat, publicAttempts, runChat, type ChatScope } from "../gateway/chat-pipeline.ts";
import type { Plan } from "../routing/plan-types.ts";
import type { AppEnv } from "./app-env.ts";
import { ChunkWriter, encodeCompletion, encodeStreamError, type XRouter } from "./openai-encoder.ts";
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
      const body = streamBody(scope.requestId, startedAt, run.upstreamModel, run.stream, includeUsage, run.end);
      return new Response(body, {
        headers: { ...run.headers, "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-accel-buffering": "no" },
      });
    }
    default: {
      const never: never = run;
      throw new Error(`unhandled run ${JSON.stringify(never)}`);
    }
  }
}

/**
 * The client-facing stream of a committed answer. After the commit point a failure is an error event with no
 * [DONE]; a stream that ended without its terminator is finalised at once if it had finished, else it is an error.
 */
function streamBody(
  requestId: string,
  startedAt: number,
  model: string,
  committed: CommittedStream,
  includeUsage: boolean,
  done: (usage: Usage | null, error: string | null | "client") => XRouter,
): ReadableStream<Uint8Array> {
  const writer = new ChunkWriter(`chatcmpl-${requestId}`, Math.floor(startedAt / 1000), model);
  let ended = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        for (const event of committed.head) {
          const bytes = writer.event(event);
          if (bytes) controller.enqueue(bytes);
        }
      },
      async pull(controller) {
        try {
          for (;;) {
            const next = await committed.rest.next();
            if (next.done) {
              if (writer.finishReason === null) throw new StreamCut("the provider ended the stream before finishing the answer");
              controller.enqueue(writer.finish(includeUsage, done(writer.usage, null)));
              controller.close();
              return;
            }
            if (next.value.type === "end") {
              ended = true;
              continue;
            }
            const bytes = writer.event(next.value);
            if (bytes) {
              controller.enqueue(bytes);
              return;
            }
          }
        } catch (err) {
          if (err instanceof ClientGoneError) return;
          const message = err instanceof Error ? err.message : String(err);
          const x = done(writer.usage, message);
          controller.enqueue(encodeStreamError(`The answer was cut off: ${message}`, "upstream_error", "stream_interrupted", x));
          controller.close();
        }
      },
      cancel(reason) {
        // The client went away: abort the upstream call so nobody pays for tokens no one reads.
        if (!ended) done(writer.usage, "client");
        committed.abort(new ClientGoneError(String(reason ?? "client closed the stream")));
      },
    },
    { highWaterMark: 0 },
  );
}

class StreamCut extends Error {}

function failureResponse(requestId: string, plan: Plan, failure: ExecutionFailure): Response {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-request-id": requestId,
    "x-router-strategy": plan.strategy,
    "x-router-attempts": String(failure.attempts.filter((a) => a.status !== "skipped").length),
  };
  if (failure.retryAfterMs !== null) headers["retry-after"] = String(Math.max(1, Math.ceil(failure.retryAfterMs / 1000)));
  const body = {
    error: { message: failure.message, type: failure.type, param: null, code: failure.code },
    x_router: { strategy: plan.strategy, chain: plan.chain, attempts: publicAttempts(failure.attempts), excluded: plan.excluded },
  };
  return new Response(JSON.stringify(body), { status: failure.status, headers });
}
