// POST /v1/chat/completions over HTTP: the chat dialect read from the body (and the x-router-* headers), the shared
// pipeline, and its answer written as OpenAI JSON or OpenAI SSE with the route report in x-router-* headers and x_router.
import type { Context } from "hono";
import { modelHeaderValue } from "../core/model-name.ts";
import type { RouteReport } from "../core/route-report.ts";
import { ChunkWriter, encodeCompletion, encodeStreamError } from "../dialects/chat/encoder.ts";
import { parseChatRequest } from "../dialects/chat/request.ts";
import { encodedBody } from "../gateway/committed-body.ts";
import { type ChatInput, type ChatScope, prepareChat } from "../gateway/prepare.ts";
import { type ChatRun, runChat } from "../gateway/run.ts";
import type { BudgetNotice } from "../ledger/budget-gate.ts";
import type { AppEnv } from "./app-env.ts";
import { fromEmulator } from "./gateway-route.ts";
import { readJsonBody } from "./read-body.ts";
import { requestControls } from "./request-controls.ts";

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
    traceparent: c.req.header("traceparent") ?? null,
  };
}

/** A chat body and the request's x-router-* headers (a header wins over the body's `router` field of its meaning). */
export async function httpChatInput(c: Context<AppEnv>): Promise<ChatInput & { includeUsage: boolean }> {
  const parsed = parseChatRequest(await readJsonBody(c.req.raw));
  return { ...parsed, controls: requestControls(c, parsed.router) };
}

export async function chatCompletions(c: Context<AppEnv>): Promise<Response> {
  const scope = httpScope(c);
  const startedAt = scope.services.deps.now();
  const input = await httpChatInput(c);
  const run = await runChat(prepareChat(input, scope), scope, startedAt);
  switch (run.kind) {
    case "client_closed":
      return new Response(null, { status: 499 });
    case "failed":
      return failureResponse(scope.requestId, run);
    case "json": {
      const json = encodeCompletion(`chatcmpl-${scope.requestId}`, Math.floor(startedAt / 1000), run.result, run.route);
      return new Response(JSON.stringify(json), {
        headers: {
          ...routeHeaders(scope, run.route),
          ...budgetHeaders(run.budget),
          "content-type": "application/json",
        },
      });
    }
    case "stream": {
      const writer = new ChunkWriter(
        `chatcmpl-${scope.requestId}`,
        Math.floor(startedAt / 1000),
        run.upstreamModel,
        input.includeUsage,
      );
      const body = encodedBody(run.answer, {
        event: (e) => writer.event(e),
        end: (route) => writer.finish(input.includeUsage, route),
        cut: (message, route) => encodeStreamError(message, "upstream_error", "stream_interrupted", route),
      });
      return new Response(body, {
        headers: streamHeaders(scope, run.route, run.budget),
      });
    }
    default: {
      const never: never = run;
      throw new Error(`unhandled run ${JSON.stringify(never)}`);
    }
  }
}

/**
 * The route report's head: who answered, how it was chosen, how many were tried, and any warnings; in development,
 * `x-switchyard-upstream: emulator` on an answer from the project's emulators.
 */
export function routeHeaders(scope: Pick<ChatScope, "requestId" | "env">, route: RouteReport): Record<string, string> {
  const headers: Record<string, string> = {
    "x-request-id": scope.requestId,
    "x-router-provider": route.provider,
    "x-router-model": modelHeaderValue(route.model),
    "x-router-strategy": route.strategy,
    "x-router-attempts": String(tried(route.attempts)),
  };
  if (route.chain !== null) headers["x-router-chain"] = route.chain;
  if (route.deployment !== undefined) headers["x-router-deployment"] = route.deployment;
  if (route.cache !== undefined) headers["x-router-cache"] = route.cache;
  if (route.warnings.length > 0)
    headers["x-router-warnings"] = encodeURIComponent(route.warnings.join("; ")).slice(0, 4000);
  if (fromEmulator(scope.env, route.provider)) headers["x-switchyard-upstream"] = "emulator";
  return headers;
}

/** A budgeted caller's x-budget-* headers and a rate-limited caller's x-ratelimit-* ones. */
export function budgetHeaders(notice: BudgetNotice | null): Record<string, string> {
  if (notice === null) return {};
  const headers: Record<string, string> = { ...notice.rate_limit };
  if (notice.remaining_usd !== null) headers["x-budget-remaining-usd"] = notice.remaining_usd;
  if (notice.alert !== null) headers["x-budget-alert"] = notice.alert;
  return headers;
}

/** A streamed answer's headers, in every dialect: the route, the budget and limits, and SSE that no proxy buffers. */
export function streamHeaders(
  scope: Pick<ChatScope, "requestId" | "env">,
  route: RouteReport,
  budget: BudgetNotice | null,
): Record<string, string> {
  return {
    ...routeHeaders(scope, route),
    ...budgetHeaders(budget),
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    "x-accel-buffering": "no",
  };
}

/** How many candidates were tried (DESIGN's `x-router-attempts`): a retry of the same model is one more attempt in
 * the list, not one more candidate; a skipped candidate was not tried. */
export function tried(attempts: RouteReport["attempts"]): number {
  const candidates = new Set<string>();
  for (const a of attempts) if (a.status !== "skipped") candidates.add(`${a.provider}/${a.model}`);
  return candidates.size;
}

/**
 * The route headers of a request every candidate failed (DESIGN: on every chat response): the provider and model are
 * the last candidate tried, `none` when none was; with the cache's word, the budget's and a rate limit's wait.
 */
export function failureHeaders(requestId: string, run: Extract<ChatRun, { kind: "failed" }>): Record<string, string> {
  const { failure, plan } = run;
  const last = run.attempts.findLast((a) => a.status !== "skipped");
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-request-id": requestId,
    "x-router-provider": last?.provider ?? "none",
    "x-router-model": last === undefined ? "none" : modelHeaderValue(last.model),
    "x-router-strategy": plan.strategy,
    "x-router-attempts": String(tried(run.attempts)),
    ...budgetHeaders(run.budget),
  };
  if (run.cache !== undefined) headers["x-router-cache"] = run.cache;
  if (failure.retryAfterMs !== null)
    headers["retry-after"] = String(Math.max(1, Math.ceil(failure.retryAfterMs / 1000)));
  return headers;
}

export function failureResponse(requestId: string, run: Extract<ChatRun, { kind: "failed" }>): Response {
  const { failure, plan } = run;
  const headers = failureHeaders(requestId, run);
  const body = {
    error: { message: failure.message, type: failure.type, param: failure.param, code: failure.code },
    x_router: { strategy: plan.strategy, chain: plan.chain, attempts: run.attempts, excluded: plan.excluded },
  };
  return new Response(JSON.stringify(body), { status: failure.status, headers });
}
