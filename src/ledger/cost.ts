// Exact cost of a call: integer pico-dollars (1e-12 USD) from tokens and the registry's per-1M-token prices.
import type { ProviderId } from "../config/names.ts";
import type { ModelEntry, Pricing, ServiceTier } from "../config/schema.ts";
import type { RequestServiceTier, Usage } from "../core/types.ts";
import { specOf } from "../providers/specs.ts";

/** USD per 1M tokens -> pico-dollars per token (exact for prices with up to 6 decimals, e.g. $0.075/1M = 75,000). */
export function picoPerToken(usdPerMillion: number): number {
  return Math.round(usdPerMillion * 1_000_000);
}

/** The per-token prices one request is billed at, in pico-dollars, after its long-context tier and service tier. */
export interface AppliedPrices {
  input: number;
  output: number;
  cache_read: number;
  cache_write_5m: number;
  cache_write_1h: number;
  /** The tier's threshold when a long-context tier applies, else null (the base prices). */
  tier_above_input_tokens: number | null;
  /** The service tier priced, when the caller asked for one this model offers. */
  service_tier: ServiceTier | null;
  multiplier: number;
}

/**
 * The prices for a request with this many prompt tokens (input, cache reads and writes together): the highest tier
 * whose threshold the prompt passes prices the whole request (strictly above: exactly at the threshold is base), and
 * a service tier the model offers multiplies every price. A tier the model does not offer bills at standard.
 */
export function appliedPrices(pricing: Pricing, promptTokens: number, serviceTier?: ServiceTier | null): AppliedPrices {
  let band: Band = pricing;
  let above: number | null = null;
  for (const tier of pricing.tiers) {
    if (promptTokens > tier.above_input_tokens) {
      band = tier;
      above = tier.above_input_tokens;
    }
  }
  const offered = serviceTier != null ? pricing.service_tiers[serviceTier] : undefined;
  const m = multiplierOf(pricing, serviceTier);
  const at = (usd: number) => Math.round(picoPerToken(usd) * m);
  return {
    input: at(band.input),
    output: at(band.output),
    cache_read: at(band.cached_input ?? band.input),
    cache_write_5m: at(band.cache_write?.["5m"] ?? band.input),
    cache_write_1h: at(band.cache_write?.["1h"] ?? band.input),
    tier_above_input_tokens: above,
    service_tier: offered === undefined ? null : (serviceTier ?? null),
    multiplier: m,
  };
}

/** All prompt tokens of a usage: billed input, cache reads and cache writes (the figure tiers are judged on). */
export function promptTokensOf(usage: Usage): number {
  return usage.input_tokens + usage.cached_input_tokens + usage.cache_write_tokens;
}

/**
 * Pico-dollars for this usage at this model's prices; null when the model is not priced (unlisted). Reasoning tokens
 * are part of `output_tokens` on every wire we read (OpenAI's completion_tokens, Anthropic's output_tokens), so
 * they bill as output and are never added twice. 1-hour cache writes are the part of `cache_write_tokens` the
 * provider reported as such; the rest bill at the 5-minute write price.
 */
export function costPico(usage: Usage, entry: ModelEntry | null, serviceTier?: ServiceTier | null): number | null {
  if (entry === null) return null;
  const p = appliedPrices(entry.pricing, promptTokensOf(usage), serviceTier);
  const writes1h = Math.min(usage.cache_write_1h_tokens ?? 0, usage.cache_write_tokens);
  return (
    usage.input_tokens * p.input +
    usage.output_tokens * p.output +
    usage.cached_input_tokens * p.cache_read +
    (usage.cache_write_tokens - writes1h) * p.cache_write_5m +
    writes1h * p.cache_write_1h
  );
}

type Band = Pick<Pricing, "input" | "output" | "cached_input" | "cache_write">;

function multiplierOf(pricing: Pricing, serviceTier: ServiceTier | null | undefined): number {
  return (serviceTier != null ? pricing.service_tiers[serviceTier] : undefined) ?? 1;
}

function bands(pricing: Pricing): Band[] {
  return [pricing, ...pricing.tiers];
}

/** The dearest price a prompt token can have on this model (any tier, any cache write), after the service tier. */
export function maxPromptPicoPerToken(pricing: Pricing, serviceTier?: ServiceTier | null): number {
  const m = multiplierOf(pricing, serviceTier);
  return Math.max(
    ...bands(pricing).map((b) =>
      Math.round(
        picoPerToken(Math.max(b.input, b.cache_write?.["5m"] ?? b.input, b.cache_write?.["1h"] ?? b.input)) * m,
      ),
    ),
  );
}

/** The dearest price an output token can have on this model (any tier), after the service tier. */
export function maxOutputPicoPerToken(pricing: Pricing, serviceTier?: ServiceTier | null): number {
  const m = multiplierOf(pricing, serviceTier);
  return Math.max(...bands(pricing).map((b) => Math.round(picoPerToken(b.output) * m)));
}

/**
 * The registry tier a request's `service_tier` is priced at: flex, and priority (also asked as `fast`, OpenAI's newer
 * name for it); auto and default are standard.
 */
export function pricedServiceTier(requested: RequestServiceTier | undefined): ServiceTier | null {
  if (requested === "fast") return "priority";
  return requested === "flex" || requested === "priority" ? requested : null;
}

/**
 * The tier a call on `provider` is priced at: `tier` where the provider takes service tiers, standard (null) where it
 * does not, since the field is not sent there (a model deployed on several providers is priced by the one that served).
 */
export function tierOn(provider: ProviderId, tier: ServiceTier | null): ServiceTier | null {
  return tier !== null && specOf(provider).capabilities.serviceTiers ? tier : null;
}

export function picoToUsd(pico: number): number {
  return pico / 1e12;
}
