// The route report of an answered request, built from the plan, the attempts and what the answer cost.
import type { AttemptReport, RouteReport } from "../core/route-report.ts";
import type { RequestServiceTier, Usage } from "../core/types.ts";
import { costPico, picoToUsd, pricedServiceTier, tierOn } from "../ledger/cost.ts";
import type { AttemptRecord } from "../ledger/record.ts";
import type { Candidate, Plan } from "../routing/plan-types.ts";

/** The attempts as callers see them (no error kinds or upstream statuses). */
export function publicAttempts(attempts: AttemptRecord[]): AttemptReport[] {
  return attempts.map((a) => ({
    provider: a.provider,
    model: a.model,
    status: a.status,
    error: a.error,
    latency_ms: a.latency_ms,
    ...(a.via === undefined ? {} : { via: a.via }),
  }));
}

export interface ReportInput {
  plan: Plan;
  candidate: Candidate;
  attempts: AttemptRecord[];
  warnings: string[];
  /** A stream continued on other candidates: each leg's usage, priced at its own model's price (`usage` is the total). */
  legs?: { candidate: Candidate; usage: Usage | null }[];
}

/** Who answered and how, with the cost of `usage` (null when unknown or unpriced) and the clocks as of now. */
export function routeReport(
  input: ReportInput,
  usage: Usage | null,
  latencyMs: number,
  ttftMs: number | null,
): RouteReport {
  const { plan, candidate } = input;
  // The same arithmetic as the ledger's row (src/gateway/record.ts): the answer and the ledger agree to the pico-dollar.
  const pico = usage === null ? null : answerCostPico(usage, candidate, input.legs, plan.service_tier ?? null);
  return {
    provider: candidate.ref.provider,
    model: candidate.ref.id,
    strategy: plan.strategy,
    chain: plan.chain,
    attempts: publicAttempts(input.attempts),
    cost_usd: pico === null ? null : picoToUsd(pico),
    latency_ms: latencyMs,
    ttft_ms: ttftMs,
    warnings: input.warnings,
    ...(candidate.ref.deployment === undefined ? {} : { deployment: candidate.ref.deployment.name }),
  };
}

/** What an answer cost: its usage at its model's price, or, continued on other candidates, each leg at its own. */
export function answerCostPico(
  usage: Usage,
  candidate: Candidate,
  legs: { candidate: Candidate; usage: Usage | null }[] | undefined,
  tier: Parameters<typeof costPico>[2],
): number | null {
  if (legs === undefined || legs.length < 2)
    return costPico(usage, candidate.ref.entry, billedTier(usage, candidate, tier));
  let total = 0;
  for (const leg of legs) {
    if (leg.usage === null) continue;
    const pico = costPico(leg.usage, leg.candidate.ref.entry, billedTier(leg.usage, leg.candidate, tier));
    if (pico === null) return null;
    total += pico;
  }
  return total;
}

/**
 * The tier a call is priced at: the one its provider says it served (OpenAI's answer names it), else the one asked
 * where the provider that served it takes tiers (a deployment on another provider is sent none: standard).
 */
function billedTier(
  usage: Usage,
  served: Candidate,
  asked: Parameters<typeof costPico>[2],
): Parameters<typeof costPico>[2] {
  const tier = usage.service_tier === undefined ? asked : pricedServiceTier(usage.service_tier as RequestServiceTier);
  return tierOn(served.ref.provider, tier ?? null);
}
