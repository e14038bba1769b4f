// The live stats the router reads: per provider and per provider/model, from the stats Durable Object (cached).
import type { ProviderId } from "../config/schema.ts";

export type CircuitState = "closed" | "open" | "half_open";
export type ProviderStatus = "healthy" | "degraded" | "down" | "unconfigured";

export interface Percentiles {
  p50: number;
  p95: number;
}

export interface ModelStats {
  provider: ProviderId;
  model: string;
  circuit: CircuitState;
  /** Share of successful calls in the sliding window; null before any call. */
  success_rate: number | null;
  /** Calls in the sliding window. */
  requests: number;
  latency_ms: Percentiles | null;
  ttft_ms: Percentiles | null;
  last_error: string | null;
  /** Epoch ms of the last measured call (for latency exploration). */
  last_measured_at: number | null;
}

export interface ProviderStats {
  provider: ProviderId;
  circuit: CircuitState;
  status: ProviderStatus;
  /** 401/403 seen: the key is wrong; the provider is skipped until a probe or call succeeds. */
  misconfigured: boolean;
  success_rate: number | null;
  latency_ms: Percentiles | null;
  ttft_ms: Percentiles | null;
  last_error: string | null;
  last_probe_at: number | null;
}

export interface StatsSnapshot {
  /** Epoch ms the snapshot was read; 0 for the empty snapshot (no live data: static registry only). */
  taken_at: number;
  providers: Partial<Record<ProviderId, ProviderStats>>;
  /** Keyed `provider/model`. */
  models: Record<string, ModelStats>;
  /** Model names Ollama reported installed at the last sweep. */
  ollama_models: string[];
}

export function emptySnapshot(): StatsSnapshot {
  return { taken_at: 0, providers: {}, models: {}, ollama_models: [] };
}

export function modelKey(provider: ProviderId, model: string): string {
  return `${provider}/${model}`;
}
