// One interface every routing strategy implements, and the shared pieces: log-scale normalisation and tie-breaks.
import type { Capability, ProviderId } from "../../config/schema.ts";
import type { Difficulty } from "../difficulty.ts";
import type { Facts } from "../facts.ts";

export interface StrategyContext {
  weights: { cost: number; latency: number; quality: number };
  explorationRate: number;
  /** Uniform in [0, 1): latency exploration's coin. */
  random: () => number;
  defaultProvider: ProviderId | null;
  needs: readonly Capability[];
  /** Whether the stats snapshot holds live data (taken_at > 0). */
  live: boolean;
  /** The request's difficulty class and quality floor (balanced ranks against it). */
  difficulty: Difficulty;
}

export interface Ranked {
  facts: Facts;
  /** In [0, 1], higher is better. */
  score: number;
  reasons: string[];
}

export interface RoutingStrategy {
  description: string;
  /** Orders the pool (every model already passed the hard filters), best first. */
  rank(pool: readonly Facts[], ctx: StrategyContext): Ranked[];
}

/**
 * Scores values on a log scale between the pool's best (1) and worst (0): prices and latencies span orders of
 * magnitude, and a linear scale would call $0.0001 and $0.002 equal next to $0.05. Unknown values score 0.
 * `floor` keeps zero (a free local model) finite.
 */
export function logScores(values: readonly (number | null)[], floor: number): number[] {
  const known = values.filter((v): v is number => v !== null).map((v) => Math.log(v + floor));
  if (known.length === 0) return values.map(() => 0);
  const lo = Math.min(...known);
  const hi = Math.max(...known);
  return values.map((v) => (v === null ? 0 : hi === lo ? 1 : (hi - Math.log(v + floor)) / (hi - lo)));
}

/** USD below a micro-dollar counts as free. */
export const COST_FLOOR_USD = 1e-6;
export const LATENCY_FLOOR_MS = 1;

export function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/**
 * Sorts by the strategy's own comparison, then breaks ties the same way everywhere: LLM_DEFAULT_PROVIDER first
 * among equals, then higher quality, then cheaper, then by name (so a plan is deterministic).
 */
export function sortRanked(items: Ranked[], compare: (a: Ranked, b: Ranked) => number, ctx: StrategyContext): Ranked[] {
  const preferred = (r: Ranked) =>
    ctx.defaultProvider !== null && r.facts.ref.provider === ctx.defaultProvider ? 0 : 1;
  const sorted = [...items].sort(
    (a, b) =>
      compare(a, b) ||
      preferred(a) - preferred(b) ||
      (b.facts.quality ?? -1) - (a.facts.quality ?? -1) ||
      (a.facts.cost ?? Number.POSITIVE_INFINITY) - (b.facts.cost ?? Number.POSITIVE_INFINITY) ||
      a.facts.key.localeCompare(b.facts.key),
  );
  if (ctx.defaultProvider !== null) {
    for (const r of sorted) {
      if (preferred(r) === 0 && sorted.some((o) => o !== r && preferred(o) === 1 && compare(r, o) === 0)) {
        r.reasons.push(
          `ties with another provider's model; ${ctx.defaultProvider} (LLM_DEFAULT_PROVIDER) goes first among equals`,
        );
      }
    }
  }
  return sorted;
}

/** Ascending, unknown (null) last. */
export function ascending(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a - b;
}
