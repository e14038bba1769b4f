// The router's output: candidates in the order they will be tried, each with its reasons, and what was left out.
import type { Capability, ProviderId, ServiceTier, Strategy } from "../config/schema.ts";
import type { ModelRef } from "../registry/model-registry.ts";
import type { Difficulty } from "./difficulty.ts";
import type { Refusal } from "./filters.ts";

export interface Candidate {
  ref: ModelRef;
  /** In [0, 1]; what it measures depends on `Plan.order` (the strategy's score, or the position in a listed order). */
  score: number;
  /** USD for this request at the candidate's prices (prompt estimate + requested or assumed output); null if unpriced. */
  estimated_cost_usd: number | null;
  reasons: string[];
}

export interface Exclusion {
  provider: ProviderId;
  model: string;
  reason: string;
}

/**
 * How the candidates were put in order: `strategy` (ranked by `Plan.strategy`), `listed` (a chain's own order),
 * `requested` (the caller's `models` list, or one named model with fallback off).
 */
export type PlanOrder = "strategy" | "listed" | "requested";

export interface Plan {
  /** The strategy in force: it ranks `auto` pools, strategy chains and a named model's fallbacks. */
  strategy: Strategy;
  chain: string | null;
  order: PlanOrder;
  task_type: string | null;
  required_capabilities: Capability[];
  /**
   * The request's difficulty class and its quality floor (what `balanced` ranks against), with the signals found.
   * Always set by buildPlan; optional only so hand-built plans (tests, replays) need not invent one.
   */
  difficulty?: Difficulty;
  fallback: boolean;
  /** The service tier the request asked for and is priced at (flex, priority), or null for standard prices. */
  service_tier?: ServiceTier | null;
  /** The smaller of the caller's `budget_remaining` and the workspace's remaining budget; null when neither binds. */
  budget_remaining_usd: number | null;
  candidates: Candidate[];
  /**
   * The first of `candidates` (the head's: the named models, a chain's or a pool's own order), known before the rest
   * of the plan is ranked: `candidates` begins with them and is worked out when first read. An executor that tries
   * these first and reads `candidates` only when it needs more never ranks the fallbacks of a call that needs none.
   * Absent: read `candidates`.
   */
  lead?: Candidate[];
  excluded: Exclusion[];
  /** Estimated prompt tokens the plan was made for. */
  estimated_prompt_tokens: number;
  /**
   * Set when the plan is empty because the request asks more than every configured model can give (a prompt or
   * max_tokens too large, a capability none has): a caller's error (400), not an outage (503). The reason names the
   * first such model.
   */
  refused?: { refusal: Refusal; reason: string };
  /** Set when a model the caller named was left out by a filter and others are tried: why, for the route warnings. */
  passed_over?: string;
}
