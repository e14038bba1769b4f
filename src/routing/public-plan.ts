// The plan as POST /v1/route shows it (DESIGN.md's shape, plus the inputs the plan was made from).
import type { Plan } from "./plan-types.ts";

export function publicPlan(plan: Plan) {
  return {
    strategy: plan.strategy,
    chain: plan.chain,
    order: plan.order,
    task_type: plan.task_type,
    fallback: plan.fallback,
    required_capabilities: plan.required_capabilities,
    /** The difficulty class and quality floor: `balanced` picks the cheapest candidate at or above the floor. */
    difficulty: plan.difficulty ?? null,
    /** The service tier the estimates (and the bill) are priced at; null: standard. */
    service_tier: plan.service_tier ?? null,
    estimated_prompt_tokens: plan.estimated_prompt_tokens,
    budget_remaining_usd: plan.budget_remaining_usd,
    /** What the request costs if the first candidate answers. */
    estimated_cost_usd: plan.candidates[0]?.estimated_cost_usd ?? null,
    candidates: plan.candidates.map((c) => ({
      provider: c.ref.provider,
      model: c.ref.id,
      upstream_model: c.ref.upstreamId,
      score: c.score,
      estimated_cost_usd: c.estimated_cost_usd,
      reasons: c.reasons,
    })),
    excluded: plan.excluded,
  };
}
