// Routing defaults from the environment (LLM_*), validated, over the defaults of configs/llm_fallback.yml.
import * as z from "zod/mini";
import { type ProviderId, ProviderIdSchema, type Strategy, StrategySchema } from "../config/names.ts";
import type { FallbackFile } from "../config/schema.ts";
import { GatewayError } from "../core/gateway-error.ts";
import type { Env } from "../env.ts";

export interface Settings {
  strategy: Strategy;
  fallback: boolean;
  preferLocal: boolean;
  defaultProvider: ProviderId | null;
}

const flag = z.pipe(
  z.enum(["true", "false", "1", "0"]),
  z.transform((v) => v === "true" || v === "1"),
);
const EnvSchema = z.object({
  LLM_ROUTING_STRATEGY: z.optional(StrategySchema),
  LLM_ENABLE_FALLBACK: z.optional(flag),
  LLM_PREFER_LOCAL: z.optional(flag),
  LLM_DEFAULT_PROVIDER: z.optional(ProviderIdSchema),
});

const cache = new WeakMap<object, Settings>();

export function settingsFrom(env: Env, config: FallbackFile): Settings {
  const cached = cache.get(env);
  if (cached) return cached;
  // A variable wrangler.toml gives as a TOML boolean or number arrives as one: read as the text it stands for, in any
  // case (`True`, `COST_OPTIMIZED`: every value here is a lower-case name).
  const blank = (v: unknown) => {
    if (v === undefined || v === null) return undefined;
    const text = String(v).trim().toLowerCase();
    return text === "" ? undefined : text;
  };
  const parsed = EnvSchema.safeParse({
    LLM_ROUTING_STRATEGY: blank(env.LLM_ROUTING_STRATEGY),
    LLM_ENABLE_FALLBACK: blank(env.LLM_ENABLE_FALLBACK),
    LLM_PREFER_LOCAL: blank(env.LLM_PREFER_LOCAL),
    LLM_DEFAULT_PROVIDER: blank(env.LLM_DEFAULT_PROVIDER),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new GatewayError(500, `Gateway misconfigured: ${issue?.path.join(".")}: ${issue?.message}`, {
      code: "gateway_misconfigured",
    });
  }
  const settings: Settings = {
    strategy: parsed.data.LLM_ROUTING_STRATEGY ?? config.defaults.strategy,
    fallback: parsed.data.LLM_ENABLE_FALLBACK ?? config.defaults.fallback,
    preferLocal: parsed.data.LLM_PREFER_LOCAL ?? config.defaults.prefer_local,
    defaultProvider: parsed.data.LLM_DEFAULT_PROVIDER ?? null,
  };
  cache.set(env, settings);
  return settings;
}
