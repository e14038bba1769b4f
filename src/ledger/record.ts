// What is known about a request once it is over: route, attempts, tokens and cost. Sinks (stats, ledger) take it.
import type { ProviderId } from "../config/schema.ts";
import type { Dialect } from "../core/dialect.ts";
import type { ErrorKind } from "../core/errors.ts";
import type { Usage } from "../core/types.ts";

export interface CompletionRecord {
  request_id: string;
  /** Epoch ms when the request arrived. */
  created_at: number;
  workspace_id: string;
  execution_id: string | null;
  /** The API the client spoke; absent means chat. */
  dialect?: Dialect;
  strategy: string;
  chain: string | null;
  provider: ProviderId | null;
  model: string | null;
  /** "ok", "error" (nothing answered or the stream failed after commit), or "client_closed". */
  status: "ok" | "error" | "client_closed";
  http_status: number;
  stream: boolean;
  attempts: AttemptRecord[];
  usage: Usage | null;
  /** Integer pico-dollars; null when the answering model has no price. */
  cost_pico: number | null;
  /**
   * `usage` (and so the cost) is the gateway's estimate: the provider never reported it (a stream cut off, stalled,
   * or left by its client). Absent: reported by the provider.
   */
  usage_estimated?: boolean;
  latency_ms: number;
  ttft_ms: number | null;
  error: string | null;
  /** The conversation, only when features.store_prompts is on (prompts are not stored otherwise). */
  content?: { prompt: string; completion: string | null };
  /** The gateway key that made the request (its id, never the key); null or absent for admin and development. */
  key_id?: string | null;
  /** Budget reservations held for this request (src/ledger/budget-gate.ts), settled with its real cost once it is over. */
  budget_holds?: BudgetHoldRef[];
  /** The caller's W3C traceparent header, so the request's spans continue the caller's trace (src/observability/). */
  traceparent?: string | null;
  /** The model the caller asked for (`auto`, a name, a chain's first); absent: the answering model. */
  requested_model?: string;
  /** The model id the answering provider was called by. */
  response_model?: string | null;
  /** Why the answer ended (stop, length, tool_calls, ...), as far as it is known. */
  finish_reasons?: string[];
  /** The response cache's verdict for this request (src/cache/); absent: the cache was not asked (bypass). */
  cache?: "hit" | "miss" | "bypass";
  /** A hit: the cost the cached answer had when it was made (what this request saved); its own cost is 0. */
  saved_pico?: number | null;
}

/** One try of one candidate, as the executor made it and the ledger stores it. */
export interface AttemptRecord {
  provider: ProviderId;
  model: string;
  status: "ok" | "failed" | "skipped";
  error: string | null;
  error_kind: ErrorKind | null;
  http_status: number | null;
  latency_ms: number;
  ttft_ms: number | null;
  /** Epoch ms the attempt started, where the executor stamps it (hedges overlap); absent: after the one before. */
  started_at?: number;
  /** How the attempt joined the request, where it is not a plain try: a hedge, or a continuation after the commit. */
  via?: "hedge" | "continuation" | "splice";
  /** The clock that ran out, where the attempt timed out (headers, first_token, idle, deadline). */
  clock?: string;
}

/** One reservation: the BudgetObject's name and the hold's own id (request ids come from clients and may repeat). */
export interface BudgetHoldRef {
  scope: string;
  hold_id: string;
}

/** Work done after the response, off the hot path (ctx.waitUntil). A sink must never throw into a request. */
export interface RequestSink {
  complete(record: CompletionRecord): Promise<void>;
  /**
   * A request the gateway refused before calling anyone (its rate limit's 429, a budget's 402, a budget it could not
   * check): no answer, nothing spent. Only the sinks that observe requests take it; the ledger bills answers only.
   */
  refused?(record: CompletionRecord): Promise<void>;
}
