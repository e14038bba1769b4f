// Latency percentiles from a small log-bucketed histogram over two rotating generations (recent, not a mean of ten).
import type { Percentiles } from "./snapshot.ts";

/** Bucket i holds values in [GAMMA^i, GAMMA^(i+1)): about 5% relative error, ~150 buckets from 1 ms to 20 min. */
const GAMMA = 1.1;
const LOG_GAMMA = Math.log(GAMMA);

export interface Sketch {
  /** Epoch ms the current generation began. */
  gen_start: number;
  /** Bucket index -> count, for the current and the previous generation. */
  cur: Record<string, number>;
  prev: Record<string, number>;
}

export function emptySketch(now: number): Sketch {
  return { gen_start: now, cur: {}, prev: {} };
}

/** Rotates generations so percentiles cover the last one to two `genMs`: old slowness ages out. */
function rotate(sketch: Sketch, now: number, genMs: number): Sketch {
  const age = now - sketch.gen_start;
  if (age < genMs) return sketch;
  if (age < 2 * genMs) return { gen_start: now, cur: {}, prev: sketch.cur };
  return emptySketch(now);
}

export function addSample(sketch: Sketch, valueMs: number, now: number, genMs: number): Sketch {
  const next = rotate(sketch, now, genMs);
  const index = String(bucketOf(valueMs));
  return { ...next, cur: { ...next.cur, [index]: (next.cur[index] ?? 0) + 1 } };
}

function bucketOf(valueMs: number): number {
  return Math.floor(Math.log(Math.max(1, valueMs)) / LOG_GAMMA);
}

/** The bucket's geometric middle: the estimate every value of the bucket is reported as. */
function bucketValue(index: number): number {
  return Math.round(GAMMA ** (index + 0.5));
}

/** p50 and p95 over the live generations of one or more sketches (histograms add); null without samples. */
export function percentiles(sketches: readonly Sketch[], now: number, genMs: number): Percentiles | null {
  const counts = new Map<number, number>();
  for (const sketch of sketches) {
    const live = rotate(sketch, now, genMs);
    for (const gen of [live.cur, live.prev]) {
      for (const [index, count] of Object.entries(gen))
        counts.set(Number(index), (counts.get(Number(index)) ?? 0) + count);
    }
  }
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const sorted = [...counts.entries()].sort((a, b) => a[0] - b[0]);
  const at = (q: number): number => {
    const rank = Math.ceil(q * total);
    let seen = 0;
    for (const [index, count] of sorted) {
      seen += count;
      if (seen >= rank) return bucketValue(index);
    }
    return bucketValue(sorted[sorted.length - 1]![0]);
  };
  return { p50: at(0.5), p95: at(0.95) };
}
