// capability_match: the best fit for what the request needs: every required capability, the fewest extras, cheapest first.
import { CAPABILITIES } from "../../config/names.ts";
import { usd } from "../facts.ts";
import { ascending, type RoutingStrategy, round3, sortRanked } from "./strategy.ts";

export const capabilityMatch: RoutingStrategy = {
  description:
    "Among models with every required capability (router.capabilities plus what the request implies: tools, vision, json), " +
    "the fewest capabilities beyond those first (a bigger model than the task needs costs more and answers slower), then the cheapest. " +
    "Score = 1 - extras / capabilities not required.",
  rank(pool, ctx) {
    const spare = CAPABILITIES.length - ctx.needs.length;
    const ranked = pool.map((facts) => {
      const extras =
        facts.ref.entry === null ? null : facts.ref.entry.capabilities.filter((c) => !ctx.needs.includes(c));
      const score = extras === null ? 0 : spare === 0 ? 1 : 1 - extras.length / spare;
      const needs = ctx.needs.length === 0 ? "no capability required" : `has ${ctx.needs.join(", ")}`;
      const reason =
        extras === null
          ? "capabilities unknown (not in the registry): ranked last"
          : `fit ${round3(score)}: ${needs}; ${extras.length} extra${extras.length === 1 ? "" : "s"}${extras.length > 0 ? ` (${extras.join(", ")})` : ""}; estimated ${usd(facts.cost)}`;
      return { facts, score, reasons: [reason], extras: extras?.length ?? null };
    });
    const extrasOf = new Map(ranked.map((r) => [r.facts.key, r.extras]));
    return sortRanked(
      ranked.map(({ facts, score, reasons }) => ({ facts, score, reasons })),
      (a, b) =>
        ascending(extrasOf.get(a.facts.key) ?? null, extrasOf.get(b.facts.key) ?? null) ||
        ascending(a.facts.cost, b.facts.cost),
      ctx,
    );
  },
};
