// Turns stored health into the snapshot the router, the executor and the health endpoint read.
import type { ProviderId } from "../config/schema.ts";
import { effectiveState, rampShare } from "./circuit.ts";
import type { HealthTuning, ModelHealth, ProviderHealth } from "./health.ts";
import { successRate, windowTotals } from "./outcome-window.ts";
import { percentiles } from "./sketch.ts";
import { type ModelStats, modelKey, type ProviderStats, type ProviderStatus, type StatsSnapshot } from "./snapshot.ts";

/** Below this success rate (over at least MIN_FOR_RATE calls) a provider reads as degraded. */
const DEGRADED_BELOW = 0.9;
const MIN_FOR_RATE = 5;

export function buildSnapshot(
  providers: readonly ProviderHealth[],
  models: readonly ModelHealth[],
  ollamaModels: readonly string[],
  now: number,
  t: HealthTuning,
): StatsSnapshot {
  const { window_ms } = t.circuit;
  const gen = t.sketch_generation_ms;
  const modelStats: Record<string, ModelStats> = {};
  for (const m of models) {
    const totals = windowTotals([m.window], now, window_ms);
    modelStats[modelKey(m.provider, m.model)] = {
      provider: m.provider,
      model: m.model,
      circuit: effectiveState(m.circuit, now),
      success_rate: successRate(totals),
      requests: totals.ok + totals.failed,
      latency_ms: percentiles([m.latency], now, gen),
      ttft_ms: percentiles([m.ttft], now, gen),
      last_error: m.last_error,
      last_measured_at: m.last_measured_at,
      open_until: m.circuit.state === "open" ? m.circuit.open_until : null,
      ramp_share: rampShare(m.circuit, t.circuit),
    };
  }
  const providerStats: Partial<Record<ProviderId, ProviderStats>> = {};
  for (const p of providers) {
    const own = models.filter((m) => m.provider === p.provider);
    // Model windows hold the model-level outcomes; the provider window holds its own failures (and every success).
    const modelFailures = windowTotals(
      own.map((m) => m.window),
      now,
      window_ms,
    ).failed;
    const providerTotals = windowTotals([p.window], now, window_ms);
    const totals = { ok: providerTotals.ok, failed: providerTotals.failed + modelFailures };
    const circuit = effectiveState(p.circuit, now);
    const rate = successRate(totals);
    providerStats[p.provider] = {
      provider: p.provider,
      circuit,
      status: statusOf(
        p,
        circuit,
        rate,
        totals.ok + totals.failed,
        own.some((m) => effectiveState(m.circuit, now) !== "closed"),
      ),
      misconfigured: p.misconfigured,
      success_rate: rate,
      latency_ms: percentiles(
        own.map((m) => m.latency),
        now,
        gen,
      ),
      ttft_ms: percentiles(
        own.map((m) => m.ttft),
        now,
        gen,
      ),
      last_error: p.last_error,
      last_probe_at: p.last_probe_at,
      last_probe_ok: p.last_probe_ok,
      open_until: p.circuit.state === "open" ? p.circuit.open_until : null,
      ramp_share: rampShare(p.circuit, t.circuit),
    };
  }
  return { taken_at: now, providers: providerStats, models: modelStats, ollama_models: [...ollamaModels] };
}

function statusOf(
  p: ProviderHealth,
  circuit: ModelStats["circuit"],
  rate: number | null,
  calls: number,
  someModelOpen: boolean,
): ProviderStatus {
  if (p.misconfigured || circuit === "open") return "down";
  if (circuit === "half_open" || someModelOpen || p.last_probe_ok === false) return "degraded";
  if (rate !== null && calls >= MIN_FOR_RATE && rate < DEGRADED_BELOW) return "degraded";
  return "healthy";
}
