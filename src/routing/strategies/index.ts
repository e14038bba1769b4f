// The six routing strategies by name: a typo, or a strategy without an implementation, does not compile.
import type { Strategy } from "../../config/schema.ts";
import { balanced } from "./balanced.ts";
import { capabilityMatch } from "./capability-match.ts";
import { costOptimized } from "./cost-optimized.ts";
import { latencyOptimized } from "./latency-optimized.ts";
import { localFirst } from "./local-first.ts";
import { qualityOptimized } from "./quality-optimized.ts";
import type { RoutingStrategy } from "./strategy.ts";

export const STRATEGY_IMPLS = {
  balanced,
  cost_optimized: costOptimized,
  latency_optimized: latencyOptimized,
  quality_optimized: qualityOptimized,
  local_first: localFirst,
  capability_match: capabilityMatch,
} as const satisfies Record<Strategy, RoutingStrategy>;

export type { Ranked, RoutingStrategy, StrategyContext } from "./strategy.ts";
