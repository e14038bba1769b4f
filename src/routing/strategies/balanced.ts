// balanced: a weighted sum of normalised cost, latency and quality, with the weights of configs/llm_fallback.yml.
import { type Facts, speedText, usd } from "../facts.ts";
import {
  COST_FLOOR_USD,
  LATENCY_FLOOR_MS,
  logScores,
  type Ranked,
  type RoutingStrategy,
  round3,
  type StrategyContext,
  sortRanked,
} from "./strategy.ts";

/** Balanced scores of the pool, each with the sum spelled out. Also the order local_first uses inside each tier. */
export function balancedScores(pool: readonly Facts[], ctx: StrategyContext): Ranked[] {
  const cost = logScores(
    pool.map((f) => f.cost),
    COST_FLOOR_USD,
  );
  const speed = logScores(
    pool.map((f) => f.speed?.ms ?? null),
    LATENCY_FLOOR_MS,
  );
  const w = ctx.weights;
  const total = w.cost + w.latency + w.quality;
  return pool.map((facts, i) => {
    const c = cost[i] ?? 0;
    const l = speed[i] ?? 0;
    const q = facts.quality ?? 0;
    const score = total === 0 ? 0 : (w.cost * c + w.latency * l + w.quality * q) / total;
    const reason =
      `balanced ${round3(score)} = ${w.cost}×cost ${round3(c)} (${usd(facts.cost)}) + ${w.latency}×speed ${round3(l)} (${speedText(facts)}) + ` +
      `${w.quality}×quality ${round3(q)}${facts.quality === null ? " (unknown)" : ""}${total !== 1 ? `, over the weights' sum ${round3(total)}` : ""}`;
    return { facts, score, reasons: [reason] };
  });
}

export const balanced: RoutingStrategy = {
  description:
    "Weighted sum of cost, speed and quality, each normalised to 0..1 over the candidates (cost and speed on a log scale); weights from strategies.balanced.weights.",
  rank(pool, ctx) {
    return sortRanked(balancedScores(pool, ctx), (a, b) => b.score - a.score, ctx);
  },
};
