// The record of one try on one candidate, as the ledger, the route report and the stats read it: answered, failed,
// cut short by the client leaving, or skipped without a call.
import type { ProviderError } from "../core/errors.ts";
import type { AttemptRecord } from "../ledger/record.ts";
import type { Candidate } from "../routing/plan-types.ts";

// `startedAt` stamps when the try began (hedges overlap, so spans cannot lay attempts end to end); `via` says how a
// try joined the request when it is not a plain one (a hedge started beside a slow first token).
export function okRecord(
  candidate: Candidate,
  latency: number,
  ttft: number | null,
  startedAt?: number,
  via?: AttemptRecord["via"],
): AttemptRecord {
  return {
    ...(startedAt === undefined ? {} : { started_at: startedAt }),
    ...(via === undefined ? {} : { via }),
    provider: candidate.ref.provider,
    model: candidate.ref.id,
    status: "ok",
    error: null,
    error_kind: null,
    http_status: 200,
    latency_ms: latency,
    ttft_ms: ttft,
  };
}

export function failedRecord(
  candidate: Candidate,
  err: ProviderError,
  latency: number,
  ttft: number | null,
  startedAt?: number,
  via?: AttemptRecord["via"],
): AttemptRecord {
  return {
    ...(startedAt === undefined ? {} : { started_at: startedAt }),
    ...(via === undefined ? {} : { via }),
    ...(err.kind === "timeout" && err.code !== null ? { clock: err.code } : {}),
    provider: candidate.ref.provider,
    model: candidate.ref.id,
    status: "failed",
    error: err.message,
    error_kind: err.kind,
    http_status: err.status,
    latency_ms: latency,
    ttft_ms: ttft,
  };
}

/** An attempt cut short by the client leaving: failed, and no word on the candidate's health. */
export function goneRecord(candidate: Candidate, latency: number, startedAt: number): AttemptRecord {
  return {
    started_at: startedAt,
    provider: candidate.ref.provider,
    model: candidate.ref.id,
    status: "failed",
    error: "client closed the connection",
    error_kind: null,
    http_status: null,
    latency_ms: latency,
    ttft_ms: null,
  };
}

export function skippedRecord(candidate: Candidate, reason: string): AttemptRecord {
  return {
    provider: candidate.ref.provider,
    model: candidate.ref.id,
    status: "skipped",
    error: reason,
    error_kind: null,
    http_status: null,
    latency_ms: 0,
    ttft_ms: null,
  };
}
