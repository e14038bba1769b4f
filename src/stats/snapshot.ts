// The live stats the router reads: per provider and per provider/model, from the stats Durable Object (cached).
import type { ProviderId } from "../config/schema.ts";
import type { KeyStats } from "./key-health.ts";

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
  /** Epoch ms an open circuit turns half-open (one probe admitted); null unless open. */
  open_until?: number | null;
  /** Share of requests admitted while a re-closed circuit ramps back (1 = all). */
  ramp_share?: number;
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
  /** Whether the last health-sweep probe (a free model listing) succeeded; null before any. */
  last_probe_ok?: boolean | null;
  open_until?: number | null;
  ramp_share?: number;
}

export interface StatsSnapshot {
  /** Epoch ms the snapshot was read; 0 for the empty snapshot (no live data: static registry only). */
  taken_at: number;
  providers: Partial<Record<ProviderId, ProviderStats>>;
  /** Keyed `provider/model`. */
  models: Record<string, ModelStats>;
  /** Model names Ollama reported installed at the last sweep. */
  ollama_models: string[];
  /** Per-key health of the providers' key pools, keyed `provider/key_id` (masked ids only). */
  keys?: Record<string, KeyStats>;
}

export function emptySnapshot(): StatsSnapshot {
  return { taken_at: 0, providers: {}, models: {}, ollama_models: [] };
}

/**
 * The snapshot as of `now`: an open circuit whose cooldown has passed reads as half-open, so a cached snapshot stays
 * truthful between refreshes.
 */
export function asOf(snapshot: StatsSnapshot, now: number): StatsSnapshot {
  const due = (s: { circuit: CircuitState; open_until?: number | null }) =>
    s.circuit === "open" && typeof s.open_until === "number" && now >= s.open_until;
  // Asked on every request: one look at each entry, no arrays of them (nearly always nothing is due).
  if (!anyDue(snapshot.models, due) && !anyDue(snapshot.providers, due)) return snapshot;
  const fix = <T extends { circuit: CircuitState; open_until?: number | null }>(s: T): T =>
    due(s) ? { ...s, circuit: "half_open" } : s;
  return {
    ...snapshot,
    models: Object.fromEntries(Object.entries(snapshot.models).map(([k, m]) => [k, fix(m)])),
    // A provider whose circuit half-opened is no longer down (unless its key is wrong): it may take its probe.
    providers: Object.fromEntries(
      Object.entries(snapshot.providers).map(([k, p]) => [
        k,
        p === undefined || !due(p) ? p : { ...fix(p), status: p.misconfigured ? "down" : "degraded" },
      ]),
    ),
  };
}

function anyDue<T extends { circuit: CircuitState; open_until?: number | null }>(
  entries: Partial<Record<string, T>>,
  due: (s: T) => boolean,
): boolean {
  for (const key in entries) {
    if (!Object.hasOwn(entries, key)) continue;
    const s = entries[key];
    if (s !== undefined && due(s)) return true;
  }
  return false;
}

export function modelKey(provider: ProviderId, model: string): string {
  return `${provider}/${model}`;
}
