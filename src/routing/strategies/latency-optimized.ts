// latency_optimized: fastest first (live p50, the registry's typical figure until measured), with a little exploration.
import { speedText } from "../facts.ts";
import {
  ascending,
  LATENCY_FLOOR_MS,
  logScores,
  type Ranked,
  type RoutingStrategy,
  round3,
  type StrategyContext,
  sortRanked,
} from "./strategy.ts";

export const latencyOptimized: RoutingStrategy = {
  description:
    "Fastest first: time to first token for a stream, the whole answer otherwise; live p50 from the stats, the registry's typical latency until measured. " +
    "With probability strategies.latency_optimized.exploration_rate the healthy candidate measured longest ago goes first, so a recovered provider is measured again.",
  rank(pool, ctx) {
    const scores = logScores(
      pool.map((f) => f.speed?.ms ?? null),
      LATENCY_FLOOR_MS,
    );
    const ranked = pool.map((facts, i) => {
      const score = scores[i] ?? 0;
      return { facts, score, reasons: [`speed ${round3(score)}: ${speedText(facts)}`] };
    });
    return explore(
      sortRanked(ranked, (a, b) => ascending(a.facts.speed?.ms ?? null, b.facts.speed?.ms ?? null), ctx),
      ctx,
    );
  },
};

/**
 * A stale latency estimate would shut a provider that was slow once out for good: on a share of requests the
 * least recently measured healthy candidate (never measured counts as oldest) is tried first, so it gets measured.
 * Only with live stats: with registry figures alone nothing has been measured, so nothing is stale.
 */
function explore(sorted: Ranked[], ctx: StrategyContext): Ranked[] {
  if (!ctx.live || sorted.length < 2 || ctx.explorationRate === 0) return sorted;
  const coin = ctx.random();
  if (coin >= ctx.explorationRate) return sorted;
  let pick: Ranked | null = null;
  for (const r of sorted) {
    if (r.facts.circuit !== "closed" || r.facts.providerDown) continue;
    if (pick === null || (r.facts.lastMeasuredAt ?? -1) < (pick.facts.lastMeasuredAt ?? -1)) pick = r;
  }
  if (pick === null || pick === sorted[0]) return sorted;
  const when =
    pick.facts.lastMeasuredAt === null
      ? "never measured"
      : `last measured at ${new Date(pick.facts.lastMeasuredAt).toISOString()}`;
  pick.reasons.unshift(
    `exploration (drawn ${round3(coin)} < rate ${ctx.explorationRate}): ${when}, the longest of the healthy candidates, so it goes first to be measured again`,
  );
  return [pick, ...sorted.filter((r) => r !== pick)];
}
