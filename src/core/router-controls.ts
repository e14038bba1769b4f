// What a caller may ask of the router, whatever dialect it speaks: strategy, chain, capabilities, limits, clocks.
// Dialects carry it in their own place (the chat body's `router` field, x-router-* headers over HTTP).
import * as z from "zod/mini";
import { CapabilitySchema, StrategySchema } from "../config/names.ts";

const TimeoutsOverride = z.strictObject({
  headers_ms: z.optional(z.int().check(z.positive())),
  first_token_ms: z.optional(z.int().check(z.positive())),
  idle_ms: z.optional(z.int().check(z.positive())),
  total_ms: z.optional(z.int().check(z.positive())),
});

export const RouterControlsSchema = z.strictObject({
  strategy: z.optional(StrategySchema),
  chain: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  capabilities: z.optional(z.array(CapabilitySchema)),
  task_type: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  budget_remaining: z.optional(z.number().check(z.nonnegative())),
  max_latency_ms: z.optional(z.number().check(z.positive())),
  fallback: z.optional(z.boolean()),
  workspace_id: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  execution_id: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  timeouts: z.optional(TimeoutsOverride),
  /** Hedged requests: `auto` (after the candidate's live TTFT p95), `off`, or a delay in ms (docs/failover.md). */
  hedge: z.optional(z.union([z.enum(["auto", "off"]), z.int().check(z.nonnegative(), z.lte(600_000))])),
  /**
   * The response cache (docs/LLM_PROVIDERS.md): `ttl_s` opts this request in for that many seconds (0: not cached,
   * even where the workspace caches by default); `no_store` (the caller's `Cache-Control: no-store`) bypasses it.
   */
  cache: z.optional(
    z.strictObject({
      ttl_s: z.optional(z.int().check(z.nonnegative(), z.lte(2_592_000))),
      no_store: z.optional(z.boolean()),
    }),
  ),
});
export type RouterControls = z.infer<typeof RouterControlsSchema>;
