// quality_optimized: the registry's quality score, best first.
import { type RoutingStrategy, round3, sortRanked } from "./strategy.ts";

export const qualityOptimized: RoutingStrategy = {
  description:
    "The registry's quality score (one 0..1 scale across providers), best first; cheaper first among equals.",
  rank(pool, ctx) {
    const ranked = pool.map((facts) => ({
      facts,
      score: facts.quality ?? 0,
      reasons: [
        facts.quality === null
          ? "quality unknown (not in the registry): ranked last"
          : `quality ${round3(facts.quality)}`,
      ],
    }));
    return sortRanked(ranked, (a, b) => (b.facts.quality ?? -1) - (a.facts.quality ?? -1), ctx);
  },
};
