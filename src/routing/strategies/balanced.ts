// balanced: the cheapest healthy candidate that meets the quality floor of the request's difficulty class. The
// weighted sum of cost, latency and quality (strategies.balanced.weights) orders local_first's tiers.
import { type Facts, speedText, usd } from "../facts.ts";
import {
  ascending,
  COST_FLOOR_USD,
  LATENCY_FLOOR_MS,
  logScores,
  type Ranked,
  type RoutingStrategy,
  round3,
  type StrategyContext,
  sortRanked,
} from "./strategy.ts";

/** Weighted scores of the pool (strategies.balanced.weights), each with the sum spelled out: local_first's tier order. */
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

/** A candidate that is up and measured healthy (circuit closed, provider not reported down) goes before one that is not. */
function healthy(f: Facts): boolean {
  return f.circuit === "closed" && !f.providerDown;
}

/**
 * balanced: the cheapest healthy candidate whose registry quality meets the floor of the request's difficulty class
 * (configs/llm_fallback.yml `difficulty`), so simple work goes cheap and hard work does not. Candidates below the
 * floor stay in the plan as a last resort, best quality first, so an outage of every strong model still gets an
 * answer. Score: 0.5..1 for those that meet the floor (1 = cheapest), 0..0.5 below it (by quality).
 */
export const balanced: RoutingStrategy = {
  description:
    "The request is classed by difficulty (required capabilities, task type, tools, a long prompt; a scan of the prompt for code, maths and step-by-step reasoning); " +
    "the cheapest healthy candidate whose registry quality meets the class's floor (difficulty.classes.<class>.quality_floor) goes first, then the others that meet it by cost; " +
    "candidates below the floor follow, best quality first, as a last resort.",
  rank(pool, ctx) {
    const { class: cls, quality_floor: floor } = ctx.difficulty;
    const meets = (f: Facts) => f.quality !== null && f.quality >= floor;
    const cost = logScores(
      pool.map((f) => (meets(f) ? f.cost : null)),
      COST_FLOOR_USD,
    );
    const ranked = pool.map((facts, i) => {
      const q = facts.quality;
      const health = healthy(facts)
        ? ""
        : "; not healthy (half-open circuit or provider reported down): after the healthy ones";
      if (meets(facts)) {
        const c = cost[i] ?? 0;
        return {
          facts,
          score: 0.5 + 0.5 * c,
          reasons: [
            `balanced ${round3(0.5 + 0.5 * c)}: quality ${round3(q ?? 0)} meets the ${cls} floor ${floor}; estimated ${usd(facts.cost)}, cheapest first${health}`,
          ],
        };
      }
      return {
        facts,
        score: floor === 0 ? 0 : 0.5 * Math.min(1, (q ?? 0) / floor) * 0.99,
        reasons: [
          `below the ${cls} floor ${floor} (quality ${q === null ? "unknown" : round3(q)}): a last resort, after every candidate that meets it${health}`,
        ],
      };
    });
    return sortRanked(
      ranked,
      (a, b) =>
        Number(meets(b.facts)) - Number(meets(a.facts)) ||
        Number(healthy(b.facts)) - Number(healthy(a.facts)) ||
        (meets(a.facts) ? ascending(a.facts.cost, b.facts.cost) : (b.facts.quality ?? -1) - (a.facts.quality ?? -1)),
      ctx,
    );
  },
};
