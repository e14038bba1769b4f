// Clocks that adapt to each candidate: the first-token clock and the hedge delay, from its live TTFT p95.
import type { FallbackFile } from "../config/schema.ts";
import type { Candidate } from "../routing/plan-types.ts";
import { modelKey, type StatsSnapshot } from "../stats/snapshot.ts";

/** A candidate's live TTFT p95: the model's own, else its provider's; null before any was measured. */
export function ttftP95(snapshot: StatsSnapshot, candidate: Candidate): number | null {
  const { provider, id } = candidate.ref;
  return snapshot.models[modelKey(provider, id)]?.ttft_ms?.p95 ?? snapshot.providers[provider]?.ttft_ms?.p95 ?? null;
}

/**
 * The first-token clock: the larger of a floor and a multiple of the candidate's live TTFT p95, so a reasoning model
 * that usually thinks for 15 s is not cut off and a model that usually starts in 1 s does not hold the chain for the
 * full default. Without a live p95, the configured default.
 */
export function firstTokenClock(p95: number | null, defaultMs: number, rescue: FallbackFile["rescue"]): number {
  if (p95 === null) return defaultMs;
  return Math.round(Math.max(rescue.first_token_floor_ms, rescue.first_token_p95_multiple * p95));
}

/** The hedge setting a request may give: `auto`, `off`, or a delay in milliseconds. */
export type HedgeSetting = "auto" | "off" | number;

/** What a request hedges with: its own router.hedge / x-router-hedge, else its strategy's default, else off. */
export function hedgeSetting(
  asked: HedgeSetting | undefined,
  rescue: FallbackFile["rescue"],
  strategy: keyof FallbackFile["rescue"]["hedge_default"],
): HedgeSetting {
  return asked ?? rescue.hedge_default[strategy] ?? "off";
}

/** The hedge delay for a candidate: an explicit delay, or (auto) its live TTFT p95, else the configured fallback. */
export function hedgeDelay(setting: HedgeSetting, p95: number | null, rescue: FallbackFile["rescue"]): number | null {
  if (setting === "off") return null;
  if (typeof setting === "number") return setting;
  return Math.round(p95 ?? rescue.hedge_fallback_delay_ms);
}
