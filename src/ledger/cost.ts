// Exact cost of a call: integer pico-dollars (1e-12 USD) from tokens and the registry's per-1M-token prices.
import type { ModelEntry } from "../config/schema.ts";
import type { Usage } from "../core/types.ts";

/** USD per 1M tokens -> pico-dollars per token (exact for prices with up to 6 decimals, e.g. $0.075/1M = 75,000). */
export function picoPerToken(usdPerMillion: number): number {
  return Math.round(usdPerMillion * 1_000_000);
}

/** Pico-dollars for this usage at this model's prices; null when the model is not priced (unlisted). */
export function costPico(usage: Usage, entry: ModelEntry | null): number | null {
  if (entry === null) return null;
  const p = entry.pricing;
  return (
    usage.input_tokens * picoPerToken(p.input) +
    usage.output_tokens * picoPerToken(p.output) +
    usage.cached_input_tokens * picoPerToken(p.cached_input ?? p.input) +
    usage.cache_write_tokens * picoPerToken(p.cache_write ?? p.input)
  );
}

export function picoToUsd(pico: number): number {
  return pico / 1e12;
}
