// A small registry and config for planner tables: each model differs on purpose so every strategy orders them differently.
import { CONFIG } from "../../../src/config/index.ts";
import { type FallbackFile, type ModelEntry, ModelEntrySchema, type ProviderId } from "../../../src/config/schema.ts";
import type { CanonicalRequest } from "../../../src/core/types.ts";
import { ModelRegistry } from "../../../src/registry/model-registry.ts";
import { buildPlan, type PlanInput } from "../../../src/routing/plan.ts";
import type { Plan } from "../../../src/routing/plan-types.ts";
import { emptySnapshot, type ModelStats, type ProviderStats, type StatsSnapshot } from "../../../src/stats/snapshot.ts";

function entry(
  e: Partial<ModelEntry> &
    Pick<
      ModelEntry,
      | "id"
      | "provider"
      | "capabilities"
      | "quality"
      | "typical_latency_ms"
      | "typical_ttft_ms"
      | "context_window"
      | "max_output"
    > & { price: [number, number] },
): ModelEntry {
  const { price, ...rest } = e;
  return ModelEntrySchema.parse({
    name: e.id,
    pricing: {
      input: price[0],
      output: price[1],
      cached_input: null,
      effective_from: "2026-12-01",
      source: "test fixture",
    },
    ...rest,
  });
}

/**
 * Per request of ~8 prompt tokens and max_tokens 100: cost local 0 < mini < small < coder < mid < flagship;
 * latency mini 500 < small 800 < mid 1500 < coder 2000 < flagship 4000 < local 9000;
 * TTFT mini 200 < small 300 < coder 400 < mid 500 < flagship 1500 < local 3000 (coder and mid swap);
 * quality flagship .95 > mid .85 > coder .72 > small .7 > mini .6 > local .5.
 */
export const ENTRIES: ModelEntry[] = [
  entry({
    id: "flagship",
    provider: "openai",
    price: [10, 30],
    context_window: 200_000,
    max_output: 32_000,
    capabilities: ["code", "reasoning", "analysis", "long_context", "vision", "tools", "json"],
    quality: 0.95,
    typical_latency_ms: 4000,
    typical_ttft_ms: 1500,
  }),
  entry({
    id: "mid",
    provider: "anthropic",
    price: [3, 15],
    context_window: 200_000,
    max_output: 32_000,
    capabilities: ["code", "analysis", "long_context", "vision", "tools", "json"],
    quality: 0.85,
    typical_latency_ms: 1500,
    typical_ttft_ms: 500,
  }),
  entry({
    id: "small",
    provider: "mistral",
    price: [0.2, 0.6],
    context_window: 128_000,
    max_output: 128_000,
    capabilities: ["code", "tools", "json"],
    quality: 0.7,
    typical_latency_ms: 800,
    typical_ttft_ms: 300,
  }),
  entry({
    id: "mini",
    provider: "openai",
    price: [0.1, 0.4],
    context_window: 128_000,
    max_output: 16_000,
    capabilities: ["vision", "tools", "json"],
    quality: 0.6,
    typical_latency_ms: 500,
    typical_ttft_ms: 200,
  }),
  entry({
    id: "coder",
    provider: "together",
    price: [1, 1],
    context_window: 32_768,
    max_output: 32_768,
    capabilities: ["code", "json"],
    quality: 0.72,
    typical_latency_ms: 2000,
    typical_ttft_ms: 400,
  }),
  entry({
    id: "local",
    provider: "ollama",
    price: [0, 0],
    context_window: 8192,
    max_output: 8192,
    capabilities: ["json"],
    quality: 0.5,
    typical_latency_ms: 9000,
    typical_ttft_ms: 3000,
  }),
  entry({
    id: "old",
    provider: "openai",
    price: [0.05, 0.05],
    context_window: 16_000,
    max_output: 4000,
    capabilities: ["json"],
    quality: 0.4,
    typical_latency_ms: 300,
    typical_ttft_ms: 100,
    legacy: true,
    aliases: ["old-alias"],
  }),
];

export const REGISTRY = new ModelRegistry(ENTRIES);

export const FALLBACK: FallbackFile = {
  ...CONFIG.fallback,
  defaults: { ...CONFIG.fallback.defaults, max_candidates: 6 },
  strategies: {
    balanced: { weights: { cost: 0.4, latency: 0.3, quality: 0.3 } },
    latency_optimized: { exploration_rate: 0.05 },
  },
  chains: {
    ...CONFIG.fallback.chains,
    LISTED: {
      description: "listed order",
      models: ["ollama/local", "openai/flagship", "openai/old-alias", "mistral/small"],
    },
    RANKED: {
      description: "ranked by cost",
      strategy: "cost_optimized",
      models: ["openai/flagship", "anthropic/mid", "mistral/small", "openai/old"],
    },
  },
  task_types: {
    ...CONFIG.fallback.task_types,
    coding: { chain: "LISTED", capabilities: ["code"] },
    quick: { strategy: "latency_optimized" },
    pricey: { chain: "RANKED", strategy: "quality_optimized" },
  },
};

export const HELLO: CanonicalRequest = {
  stream: false,
  max_output_tokens: 100,
  messages: [{ role: "user", content: "hello" }],
};

export function plan(overrides: Partial<PlanInput> = {}): Plan {
  return buildPlan({
    model: "auto",
    request: HELLO,
    controls: {},
    registry: REGISTRY,
    config: FALLBACK,
    configured: () => true,
    defaults: { strategy: "balanced", fallback: true, preferLocal: false, defaultProvider: null },
    stats: emptySnapshot(),
    workspaceBudgetRemaining: null,
    random: () => 0.99,
    ...overrides,
  });
}

/** The plan's candidates as provider/model, in order. */
export function order(p: Plan): string[] {
  return p.candidates.map((c) => `${c.ref.provider}/${c.ref.id}`);
}

export function reasonFor(p: Plan, key: string): string | undefined {
  return p.excluded.find((e) => `${e.provider}/${e.model}` === key)?.reason;
}

export function modelStats(provider: ProviderId, model: string, s: Partial<ModelStats> = {}): ModelStats {
  return {
    provider,
    model,
    circuit: "closed",
    success_rate: 1,
    requests: 20,
    latency_ms: null,
    ttft_ms: null,
    last_error: null,
    last_measured_at: 1_000,
    ...s,
  };
}

export function providerStats(provider: ProviderId, s: Partial<ProviderStats> = {}): ProviderStats {
  return {
    provider,
    circuit: "closed",
    status: "healthy",
    misconfigured: false,
    success_rate: 1,
    latency_ms: null,
    ttft_ms: null,
    last_error: null,
    last_probe_at: 1_000,
    ...s,
  };
}

export function live(s: Partial<StatsSnapshot>): StatsSnapshot {
  return { ...emptySnapshot(), taken_at: 10_000, ...s };
}
