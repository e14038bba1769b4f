// local_first: Ollama's models while Ollama is healthy, then the cloud; each tier in balanced order.
import { balancedScores } from "./balanced.ts";
import { type RoutingStrategy, round3, sortRanked } from "./strategy.ts";

/** Tiers map onto disjoint score bands, so the score alone orders the plan: healthy local, cloud, local reported down. */
const BANDS = { local: [0.5, 0.5], cloud: [0.25, 0.25], down: [0, 0.25] } as const;

export const localFirst: RoutingStrategy = {
  description:
    "Ollama's models first while Ollama is healthy (circuit not open, not reported down), then the cloud, each tier by the weighted sum of cost, speed and quality (strategies.balanced.weights); " +
    "a local model whose server was reported down goes after the cloud. Scores: local 0.5..1, cloud 0.25..0.5, local-but-down 0..0.25.",
  rank(pool, ctx) {
    const ranked = balancedScores(pool, ctx).map((r) => {
      const tier = !r.facts.local ? "cloud" : r.facts.providerDown ? "down" : "local";
      const [base, span] = BANDS[tier];
      const score = base + span * r.score;
      const why =
        tier === "local"
          ? "local (Ollama is healthy): before any cloud model"
          : tier === "cloud"
            ? "cloud: after the local models"
            : "local, but Ollama was reported down at the last probe: after the cloud";
      return { facts: r.facts, score, reasons: [`local_first ${round3(score)}: ${why}`, ...r.reasons] };
    });
    return sortRanked(ranked, (a, b) => b.score - a.score, ctx);
  },
};
