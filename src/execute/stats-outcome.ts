// What the stats object learns from one attempt: the attempt record, in the stats object's terms.
import type { ErrorKind } from "../core/errors.ts";
import type { AttemptRecord } from "../ledger/record.ts";
import type { Outcome } from "../stats/health.ts";

/**
 * Null for an attempt that never reached the provider (skipped): it says nothing about health. `ownHost`: the call went
 * to a deployment's own base URL. `streamed`: only a stream has a first token; a JSON call's time to its answer is its
 * latency, and taken for a TTFT it would stretch the first-token clock and the hedge delay of every stream after it.
 */
export function outcomeOf(record: AttemptRecord, at: number, ownHost = false, streamed = true): Outcome | null {
  if (record.status === "skipped") return null;
  return {
    ...(ownHost ? { own_host: true as const } : {}),
    provider: record.provider,
    model: record.model,
    at,
    ok: record.status === "ok",
    kind: record.error_kind,
    http_status: record.http_status,
    latency_ms: record.latency_ms,
    ttft_ms: streamed ? record.ttft_ms : null,
    error: record.error,
  };
}

/** The outcome of a committed stream once it has ended: fine, or broken after its first chunk. */
export function streamOutcome(committed: AttemptRecord, at: number, totalMs: number, error: string | null): Outcome {
  const kind: ErrorKind | null = error === null ? null : "stream";
  return {
    ...(outcomeOf(committed, at) as Outcome),
    ok: error === null,
    kind,
    http_status: committed.http_status,
    latency_ms: totalMs,
    error,
  };
}
