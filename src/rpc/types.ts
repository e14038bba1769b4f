// The RPC contract other Workers see: canonical results and events, route reports, and failures as values.
import type * as z from "zod/mini";
import type { ProviderId } from "../config/schema.ts";
import type { RouteReport } from "../core/route-report.ts";
import type { ChatResult, StreamEvent } from "../core/types.ts";
import type { ChatCompletionRequestSchema } from "../dialects/chat/request.ts";

/** The same body as POST /v1/chat/completions (`model`, `messages`, `router`, `models`, ...); `stream` is set by the method. */
export type RpcChatRequest = Omit<z.input<typeof ChatCompletionRequestSchema>, "stream" | "stream_options">;

/**
 * How a caller may end a call early. `signal`: aborting it aborts the upstream request (an AbortSignal crosses a
 * service binding only with the `enable_abortsignal_rpc` compatibility flag on both Workers; within one Worker it
 * always works). A stream can also be ended by cancelling its `events`.
 */
export interface RpcCallOptions {
  signal?: AbortSignal;
  /**
   * The caller's W3C `traceparent` (what HTTP reads from the header): the request's spans continue its trace. Absent
   * or invalid: a trace of its own; a not-sampled one: no spans.
   */
  traceparent?: string | null;
}

/** One dimension of a rate limit, as OpenAI's `x-ratelimit-{limit,remaining,reset}-<dimension>` headers give it. */
export interface RpcRateLimitUse {
  limit: number;
  remaining: number;
  /** Until the window next frees some of it, to the header's precision (`20ms`, `1s`, `6m0s`). */
  reset_ms: number;
}

/**
 * What HTTP tells a limited or budgeted caller in headers on every answer, success or failure (x-ratelimit-*,
 * x-budget-remaining-usd, x-budget-alert). Null where HTTP sends none: no rpm/tpm limit, no budget.
 */
export interface RpcLimits {
  /** The caller's requests- and tokens-per-minute windows (each the binding one); null: no limit on it. */
  rate_limit: { requests: RpcRateLimitUse | null; tokens: RpcRateLimitUse | null } | null;
  /** The workspace budget: what is left after this request's hold (a 402 says what was left), and its alert. */
  budget: { remaining_usd: number; alert: string | null } | null;
}

export interface RpcFailure extends RpcLimits {
  ok: false;
  /** The gateway's request id (also the ledger's). */
  id: string;
  /** The HTTP status the same failure gets over HTTP (400, 402, 429, 502, 503...). */
  status: number;
  error: { message: string; type: string; code: string | null; param: string | null };
  /** Who was tried, when anything was. */
  attempts: RouteReport["attempts"];
  /** When to try again (HTTP's Retry-After): a rate limit, an upstream 429 on every candidate, a 503; else null. */
  retry_after_ms: number | null;
}

export type GenerateResult =
  | ({ ok: true; id: string; result: ChatResult; route: RouteReport } & RpcLimits)
  | RpcFailure;

/**
 * One NDJSON line of an RPC stream: the canonical events (text, tool calls, finish, usage), then exactly one of
 * `route` (the answer finished; its route report and cost) or `error` (it was cut off after it had started; `route`
 * says who was tried and what the cut answer cost, as the ledger bills it, like HTTP's error event's x_router).
 */
export type RpcStreamLine =
  | Exclude<StreamEvent, { type: "end" } | { type: "prompt_usage" }>
  | { type: "route"; route: RouteReport }
  | { type: "error"; error: { message: string; code: string }; route: RouteReport };

export type StreamResult =
  | ({ ok: true; id: string; provider: ProviderId; model: string; events: ReadableStream<Uint8Array> } & RpcLimits)
  | RpcFailure;
