// Attempt rows folded into time buckets per provider: p50/p95 latency and time to first token, ok and failed counts.
import type { Percentiles } from "../stats/snapshot.ts";

export interface AttemptSample {
  created_at: number;
  provider: string;
  status: "ok" | "failed" | "skipped";
  latency_ms: number;
  ttft_ms: number | null;
}

export interface SeriesPoint {
  /** Bucket start, epoch ms. */
  t: number;
  ok: number;
  failed: number;
  /** Over successful attempts only: a timeout's 30 s is a failure, not a latency. Null when the bucket has none. */
  latency_ms: Percentiles | null;
  ttft_ms: Percentiles | null;
}

export interface ProviderSeries {
  provider: string;
  points: SeriesPoint[];
}

/** Nearest-rank percentile of a sorted list. */
function rank(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

function percentiles(values: number[]): Percentiles | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: rank(sorted, 0.5), p95: rank(sorted, 0.95) };
}

/** Only buckets with at least one attempt become points (gaps stay gaps); skipped attempts never count. */
export function latencySeries(samples: AttemptSample[], from: number, bucketMs: number): ProviderSeries[] {
  const buckets = new Map<string, Map<number, { ok: number; failed: number; lat: number[]; ttft: number[] }>>();
  for (const s of samples) {
    if (s.status === "skipped" || s.created_at < from) continue;
    const t = from + Math.floor((s.created_at - from) / bucketMs) * bucketMs;
    const perProvider = buckets.get(s.provider) ?? new Map();
    buckets.set(s.provider, perProvider);
    const b = perProvider.get(t) ?? { ok: 0, failed: 0, lat: [], ttft: [] };
    perProvider.set(t, b);
    if (s.status === "ok") {
      b.ok += 1;
      b.lat.push(s.latency_ms);
      if (s.ttft_ms !== null) b.ttft.push(s.ttft_ms);
    } else b.failed += 1;
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([provider, perProvider]) => ({
      provider,
      points: [...perProvider.entries()]
        .sort(([a], [b]) => a - b)
        .map(([t, b]) => ({
          t,
          ok: b.ok,
          failed: b.failed,
          latency_ms: percentiles(b.lat),
          ttft_ms: percentiles(b.ttft),
        })),
    }));
}
