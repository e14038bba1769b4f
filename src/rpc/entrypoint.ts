// Switchyard for other Workers over a service binding: generate() and stream() with the same routing, fallback,
// budgets and cost logging as the HTTP API, in canonical types.
import { WorkerEntrypoint } from "cloudflare:workers";
import { GatewayError } from "../core/gateway-error.ts";
import { parseChatRequest } from "../dialects/chat/request.ts";
import type { Env } from "../env.ts";
import { type EventEncoder, encodedBody } from "../gateway/committed-body.ts";
import { type ChatInput, type ChatScope, prepareChat } from "../gateway/prepare.ts";
import { refusedBeforePlan } from "../gateway/record.ts";
import { type ChatRun, runChat } from "../gateway/run.ts";
import { SERVICES } from "../gateway/services.ts";
import { fromTheGate, standingHeaders } from "../ledger/budget-gate.ts";
import { limitsOfNotice, limitsOfRefusal } from "./limits.ts";
import type {
  GenerateResult,
  RpcCallOptions,
  RpcChatRequest,
  RpcFailure,
  RpcStreamLine,
  StreamResult,
} from "./types.ts";

export type {
  GenerateResult,
  RpcCallOptions,
  RpcChatRequest,
  RpcFailure,
  RpcLimits,
  RpcRateLimitUse,
  RpcStreamLine,
  StreamResult,
} from "./types.ts";

export class SwitchyardRpc extends WorkerEntrypoint<Env> {
  /**
   * A whole answer. Failures come back as values (`ok: false`) with the status HTTP would have given, and what HTTP
   * says in headers: when to retry (`retry_after_ms`), a limited caller's `rate_limit`, a budget's `budget` (on an
   * answer too). Aborting `options.signal` aborts the upstream call; the answer is then a 499 `client_closed` failure.
   */
  async generate(request: RpcChatRequest, options: RpcCallOptions | null = {}): Promise<GenerateResult> {
    const { scope, startedAt } = await this.#scope(options?.signal, options?.traceparent);
    let named: string | undefined;
    try {
      const input = chatInput({ ...request, stream: false });
      named = input.controls.workspace_id;
      const run = await runChat(prepareChat(input, scope), scope, startedAt);
      if (run.kind === "json")
        return { ok: true, id: scope.requestId, result: run.result, route: run.route, ...limitsOfNotice(run.budget) };
      if (run.kind === "stream") throw new Error("a non-streaming request produced a stream");
      return failureOf(scope.requestId, run);
    } catch (err) {
      return rethrowUnlessHttp(scope, err, startedAt, named);
    }
  }

  /**
   * A streamed answer: resolves once the first content arrived (earlier failures fall back invisibly), with the
   * events as NDJSON lines of RpcStreamLine. Cancelling the stream, or aborting `options.signal` (before or after
   * the first content), aborts the upstream call.
   */
  async stream(request: RpcChatRequest, options: RpcCallOptions | null = {}): Promise<StreamResult> {
    const { scope, startedAt } = await this.#scope(options?.signal, options?.traceparent);
    let named: string | undefined;
    try {
      const input = chatInput({ ...request, stream: true });
      named = input.controls.workspace_id;
      const run = await runChat(prepareChat(input, scope), scope, startedAt);
      if (run.kind === "json") throw new Error("a streaming request produced a whole answer");
      if (run.kind !== "stream") return failureOf(scope.requestId, run);
      return {
        ok: true,
        id: scope.requestId,
        provider: run.route.provider,
        model: run.route.model,
        events: encodedBody(run.answer, NDJSON),
        ...limitsOfNotice(run.budget),
      };
    } catch (err) {
      return rethrowUnlessHttp(scope, err, startedAt, named);
    }
  }

  /** Without the caller's signal, the call runs to its end (a caller can still cancel a stream it reads). */
  async #scope(
    signal: AbortSignal = new AbortController().signal,
    traceparent: string | null = null,
  ): Promise<{ scope: ChatScope; startedAt: number }> {
    const services = SERVICES;
    const { env, ctx } = this;
    await services.governance.ready(env, ctx);
    const stats = await services.stats(env, ctx);
    const scope: ChatScope = {
      services,
      env,
      waitUntil: (p) => ctx.waitUntil(p),
      requestId: services.deps.newId("req"),
      // A service binding is the credential: only Workers the account owner bound can call. Budgets and cost
      // attribution follow `router.workspace_id` as for an admin caller.
      caller: { kind: "admin", workspaceId: null },
      registry: services.registry(env, stats),
      stats,
      signal,
      traceparent: typeof traceparent === "string" ? traceparent : null,
    };
    return { scope, startedAt: services.deps.now() };
  }
}

/** The chat dialect's body; the routing controls come from its `router` field alone (RPC has no headers). */
function chatInput(raw: unknown): ChatInput {
  const parsed = parseChatRequest(raw);
  return { ...parsed, controls: parsed.router };
}

const encoder = new TextEncoder();
const line = (value: RpcStreamLine) => encoder.encode(JSON.stringify(value) + "\n");

/** NDJSON lines: every canonical event as it comes, then the route report, or a cut stream's error with its route. */
const NDJSON: EventEncoder = {
  // The provider's early count of the prompt is the ledger's (for a stream cut before its usage); the usage line
  // carries the prompt too, as every dialect's stream does.
  event: (e) => (e.type === "prompt_usage" ? null : line(e)),
  end: (route) => line({ type: "route", route }),
  cut: (message, route) => line({ type: "error", error: { message, code: "stream_interrupted" }, route }),
};

function failureOf(id: string, run: Exclude<ChatRun, { kind: "json" } | { kind: "stream" }>): RpcFailure {
  if (run.kind === "client_closed") {
    return {
      ok: false,
      id,
      status: 499,
      error: { message: "The caller went away.", type: "client_closed", code: "client_closed", param: null },
      attempts: [],
      retry_after_ms: null,
      rate_limit: null,
      budget: null,
    };
  }
  const f = run.failure;
  return {
    ok: false,
    id,
    status: f.status,
    error: { message: f.message, type: f.type, code: f.code, param: f.param },
    attempts: run.attempts,
    // HTTP rounds this up to whole seconds for Retry-After; a value can say it exactly.
    retry_after_ms: f.retryAfterMs,
    ...limitsOfNotice(run.budget),
  };
}

/**
 * Caller errors (400, 402, 429, 503) are values, with what their HTTP headers say; anything else is a bug, thrown. A
 * refusal the budget gate did not write (an invalid request, an unknown model) still says a limited or budgeted
 * caller's windows and budget, as HTTP's does; `named` is the workspace the request named, once it was read.
 */
async function rethrowUnlessHttp(
  scope: ChatScope,
  err: unknown,
  startedAt: number,
  named: string | undefined,
): Promise<RpcFailure> {
  if (!(err instanceof GatewayError)) throw err;
  // A call refused before its plan (its request, its model name) is observed as over HTTP: its span and its count.
  refusedBeforePlan(scope, "chat", err, startedAt);
  const { governance, deps } = scope.services;
  const standing = fromTheGate(err.headers)
    ? {}
    : await standingHeaders(scope.env, governance, scope.caller, named, deps.now());
  return {
    ok: false,
    id: scope.requestId,
    status: err.status,
    error: { message: err.message, type: err.type, code: err.code, param: err.param },
    attempts: [],
    ...limitsOfRefusal({ headers: { ...standing, ...err.headers } }),
  };
}
