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
}

export interface RpcFailure {
  ok: false;
  /** The gateway's request id (also the ledger's). */
  id: string;
  /** The HTTP status the same failure gets over HTTP (400, 402, 429, 502, 503...). */
  status: number;
  error: { message: string; type: string; code: string | null; param: string | null };
  /** Who was tried, when anything was. */
  attempts: RouteReport["attempts"];
}

export type GenerateResult = { ok: true; id: string; result: ChatResult; route: RouteReport } | RpcFailure;

/**
 * One NDJSON line of an RPC stream: the canonical events (text, tool calls, finish, usage), then exactly one of
 * `route` (the answer finished; its route report and cost) or `error` (it was cut off after it had started).
 */
export type RpcStreamLine =
  | Exclude<StreamEvent, { type: "end" }>
  | { type: "route"; route: RouteReport }
  | { type: "error"; error: { message: string; code: string } };

export type StreamResult =
  | { ok: true; id: string; provider: ProviderId; model: string; events: ReadableStream<Uint8Array> }
  | RpcFailure;
