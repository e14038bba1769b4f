// cost_optimized: the estimated cost of this request (its prompt and its requested or assumed output), cheapest first.
import { usd } from "../facts.ts";
import { ascending, COST_FLOOR_USD, logScores, type RoutingStrategy, round3, sortRanked } from "./strategy.ts";

export const costOptimized: RoutingStrategy = {
  description:
    "Estimated cost of this request, cheapest first (unpriced models last); score 1 = cheapest, 0 = dearest, on a log scale.",
  rank(pool, ctx) {
    const scores = logScores(
      pool.map((f) => f.cost),
      COST_FLOOR_USD,
    );
    const ranked = pool.map((facts, i) => {
      const score = scores[i] ?? 0;
      return {
        facts,
        score,
        reasons: [
          `cost ${round3(score)}: estimated ${usd(facts.cost)} for ~${facts.outputTokens} output tokens at this prompt`,
        ],
      };
    });
    return sortRanked(ranked, (a, b) => ascending(a.facts.cost, b.facts.cost), ctx);
  },
};
