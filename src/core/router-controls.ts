// What a caller may ask of the router, whatever dialect it speaks: strategy, chain, capabilities, limits, clocks.
// Dialects carry it in their own place (the chat body's `router` field, x-router-* headers over HTTP).
import * as z from "zod";
import { CapabilitySchema, StrategySchema } from "../config/schema.ts";

const TimeoutsOverride = z.strictObject({
  headers_ms: z.int().positive().optional(),
  first_token_ms: z.int().positive().optional(),
  idle_ms: z.int().positive().optional(),
  total_ms: z.int().positive().optional(),
});

export const RouterControlsSchema = z.strictObject({
  strategy: StrategySchema.optional(),
  chain: z.string().min(1).max(128).optional(),
  capabilities: z.array(CapabilitySchema).optional(),
  task_type: z.string().min(1).max(128).optional(),
  budget_remaining: z.number().nonnegative().optional(),
  max_latency_ms: z.number().positive().optional(),
  fallback: z.boolean().optional(),
  workspace_id: z.string().min(1).max(128).optional(),
  execution_id: z.string().min(1).max(128).optional(),
  timeouts: TimeoutsOverride.optional(),
  /** Hedged requests: `auto` (after the candidate's live TTFT p95), `off`, or a delay in ms (docs/failover.md). */
  hedge: z.union([z.enum(["auto", "off"]), z.int().nonnegative().max(600_000)]).optional(),
  /**
   * The response cache (docs/LLM_PROVIDERS.md): `ttl_s` opts this request in for that many seconds (0: not cached,
   * even where the workspace caches by default); `no_store` (the caller's `Cache-Control: no-store`) bypasses it.
   */
  cache: z
    .strictObject({ ttl_s: z.int().nonnegative().max(2_592_000).optional(), no_store: z.boolean().optional() })
    .optional(),
});
export type RouterControls = z.infer<typeof RouterControlsSchema>;
