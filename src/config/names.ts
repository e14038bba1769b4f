// The configuration's names and enums the Worker checks at run time (provider ids, capabilities, strategies, service
// tiers, chains, difficulty classes), and zod's English messages. The two files' own schemas are in schema.ts, which
// only the config compiler, the tests and type imports load: the Worker runs on the compiled, validated config.
import * as z from "zod/mini";
import { zodMessage } from "./zod-messages.ts";

// zod/mini sets no locale, and without one every refused value reads only "Invalid input". English messages in zod's
// wording (what classic zod set by itself; zod-messages.ts) are what a caller and the config compiler see; set once
// here, since the Worker's validators (core/validate.ts, routing, the dialects through core/router-controls.ts) and
// schema.ts load this file before anything is parsed.
z.config({ localeError: zodMessage });

export const PROVIDER_IDS = ["openai", "anthropic", "mistral", "together", "ollama"] as const;
export const ProviderIdSchema = z.enum(PROVIDER_IDS);
export type ProviderId = z.infer<typeof ProviderIdSchema>;

/** `prefill`: the model continues a final assistant message (its prefix) instead of starting afresh (rescue). */
export const CAPABILITIES = [
  "code",
  "reasoning",
  "analysis",
  "long_context",
  "vision",
  "tools",
  "json",
  "prefill",
] as const;
export const CapabilitySchema = z.enum(CAPABILITIES);
export type Capability = z.infer<typeof CapabilitySchema>;

export const STRATEGIES = [
  "balanced",
  "cost_optimized",
  "latency_optimized",
  "quality_optimized",
  "local_first",
  "capability_match",
] as const;
export const StrategySchema = z.enum(STRATEGIES);
export type Strategy = z.infer<typeof StrategySchema>;

/** The service tiers a caller may ask for (`service_tier` in the body); the registry says which a model offers. */
export const SERVICE_TIERS = ["flex", "batch", "priority"] as const;
export const ServiceTierSchema = z.enum(SERVICE_TIERS);
export type ServiceTier = z.infer<typeof ServiceTierSchema>;

export const MODEL_TYPES = ["chat", "embedding"] as const;
export type ModelType = (typeof MODEL_TYPES)[number];

export const CHAIN_NAMES = [
  "HIGH_QUALITY",
  "COST_OPTIMIZED",
  "FAST_LATENCY",
  "LOCAL_ONLY",
  "CODE_GENERATION",
  "LONG_CONTEXT",
  "BALANCED",
  "ANALYSIS",
  "SIMPLE_TASKS",
] as const;

/** Difficulty classes, easiest first: a request is put in the hardest class any of its signals points to. */
export const DIFFICULTY_CLASSES = ["simple", "standard", "long_context", "code", "reasoning"] as const;
export type DifficultyClass = (typeof DIFFICULTY_CLASSES)[number];
