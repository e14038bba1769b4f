// The one error type of a failed provider call: a kind and a retry verdict, decided once where the answer is read.
import type { ProviderId } from "../config/schema.ts";

export type ErrorKind =
  /** The caller's request is wrong for this provider (400, 404 model, 422): not retried on the same model. */
  | "invalid_request"
  | "context_length"
  | "content_policy"
  /** 401/403: the provider is misconfigured; move on and mark it. */
  | "auth"
  | "rate_limited"
  /** 500/502/503/504/529 and unknown 5xx. */
  | "server"
  /** Connection refused or reset before any byte. */
  | "network"
  /** One of the three clocks (headers, first token, idle) ran out. */
  | "timeout"
  /** The upstream sent something we could not read (bad JSON, missing fields). */
  | "malformed"
  /** The upstream reported an error after the stream had started, or the stream was cut. */
  | "stream";

const RETRYABLE: Record<ErrorKind, boolean> = {
  invalid_request: false,
  context_length: false,
  content_policy: false,
  auth: false,
  rate_limited: true,
  server: true,
  network: true,
  timeout: false,
  malformed: false,
  stream: false,
};

export class ProviderError extends Error {
  override name = "ProviderError";
  readonly kind: ErrorKind;
  /** Whether trying the same candidate again may succeed (as opposed to moving to the next candidate). */
  readonly retryable: boolean;
  readonly provider: ProviderId;
  readonly status: number | null;
  /** The provider's own error code, if it gave one (e.g. `context_length_exceeded`). */
  readonly code: string | null;
  /** From Retry-After / retry-after-ms. */
  readonly retryAfterMs: number | null;
  /** The request field the refusal is about, where it is one the caller sent (`dimensions`); else null. */
  readonly param: string | null;

  constructor(init: {
    kind: ErrorKind;
    provider: ProviderId;
    message: string;
    status?: number | null;
    code?: string | null;
    retryAfterMs?: number | null;
    retryable?: boolean;
    param?: string | null;
  }) {
    super(init.message);
    this.kind = init.kind;
    this.provider = init.provider;
    this.status = init.status ?? null;
    this.code = init.code ?? null;
    this.retryAfterMs = init.retryAfterMs ?? null;
    this.param = init.param ?? null;
    this.retryable = init.retryable ?? retryableByDefault(init.kind, this.status);
  }
}

/**
 * Of the server's statuses only 500, 502, 503, 504 (and Anthropic's 529, overloaded) are what retrying can fix; another
 * (501 not implemented, 505, ...) moves on to the next candidate without a retry on the same one.
 */
const RETRYABLE_SERVER_STATUSES: ReadonlySet<number> = new Set([500, 502, 503, 504, 529]);

function retryableByDefault(kind: ErrorKind, status: number | null): boolean {
  if (kind === "server" && status !== null && status >= 500) return RETRYABLE_SERVER_STATUSES.has(status);
  return RETRYABLE[kind];
}

/** Classifies an HTTP status where the body said nothing more specific. */
export function kindForStatus(status: number): ErrorKind {
  if (status === 401 || status === 403) return "auth";
  if (status === 429) return "rate_limited";
  if (status === 408) return "timeout";
  if (status >= 500) return "server";
  return "invalid_request";
}

/** Retry-After (seconds or HTTP date) and retry-after-ms, whichever is present; null when neither parses. */
export function parseRetryAfter(headers: Headers, now: number): number | null {
  // An empty or garbled header says nothing: it must not read as "retry at once" (Number("") is 0).
  const msHeader = headers.get("retry-after-ms")?.trim();
  if (msHeader) {
    const ms = Number(msHeader);
    if (Number.isFinite(ms) && ms >= 0) return ms;
  }
  const value = headers.get("retry-after")?.trim();
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  // Only an HTTP date (it names a weekday or month) counts; Date.parse would also take "-1" or "12".
  if (!/[a-z]/i.test(value)) return null;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
