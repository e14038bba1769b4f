// The router's output: candidates in the order they will be tried, each with its reasons, and what was left out.
import type { Strategy } from "../config/schema.ts";
import type { ModelRef } from "../registry/model-registry.ts";

export interface Candidate {
  ref: ModelRef;
  score: number;
  /** USD for this request at the candidate's prices (prompt estimate + requested or typical output); null if unpriced. */
  estimated_cost_usd: number | null;
  reasons: string[];
}

export interface Exclusion {
  provider: string;
  model: string;
  reason: string;
}

export interface Plan {
  strategy: Strategy;
  chain: string | null;
  candidates: Candidate[];
  excluded: Exclusion[];
  /** Estimated prompt tokens the plan was made for. */
  estimated_prompt_tokens: number;
}
