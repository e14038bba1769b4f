// What the router knows about one model for one request: its cost, speed, quality and health, live or from the registry.
import type { CanonicalRequest } from "../core/types.ts";
import { costPico, picoToUsd, pricedServiceTier, tierOn } from "../ledger/cost.ts";
import { specOf } from "../providers/specs.ts";
import type { ModelRef } from "../registry/model-registry.ts";
import {
  type CircuitState,
  type ModelStats,
  modelKey,
  type ProviderStats,
  type StatsSnapshot,
} from "../stats/snapshot.ts";

/** Output tokens assumed for a cost estimate when the request sets no max_tokens: a long-ish answer, so budgets err high. */
export const ASSUMED_OUTPUT_TOKENS = 1024;

export interface Measure {
  ms: number;
  /** `live`: the stats Durable Object measured it; `typical`: the registry's figure (nothing measured yet). */
  source: "live" | "typical";
}

export interface Facts {
  ref: ModelRef;
  key: string;
  /** USD for this request; null when the model has no price (unlisted). */
  cost: number | null;
  outputTokens: number;
  /** Median time the request will take to answer: time to first token for a stream, the whole answer otherwise. */
  speed: Measure | null;
  speedKind: "ttft" | "latency";
  /** p95 of the whole answer, live, or the registry's typical latency until measured (for max_latency_ms). */
  p95: Measure | null;
  quality: number | null;
  circuit: CircuitState;
  providerDown: boolean;
  lastMeasuredAt: number | null;
  local: boolean;
  model: ModelStats | null;
  provider: ProviderStats | null;
}

/** The output a request is estimated at: what it asks for, else the model's maximum up to an assumed answer. */
const assumedOutput = (ref: ModelRef, request: CanonicalRequest): number =>
  request.max_output_tokens ?? Math.min(ref.entry?.max_output ?? ASSUMED_OUTPUT_TOKENS, ASSUMED_OUTPUT_TOKENS);

/**
 * USD the request is estimated at on `ref` (its prompt estimate and assumed output, at the tier its provider serves);
 * null for an unpriced model.
 */
export function estimatedCostUsd(ref: ModelRef, request: CanonicalRequest, promptTokens: number): number | null {
  const pico = costPico(
    {
      input_tokens: promptTokens,
      output_tokens: assumedOutput(ref, request),
      cached_input_tokens: 0,
      cache_write_tokens: 0,
    },
    ref.entry,
    tierOn(ref.provider, pricedServiceTier(request.service_tier)),
  );
  return pico === null ? null : picoToUsd(pico);
}

export function factsFor(ref: ModelRef, request: CanonicalRequest, promptTokens: number, stats: StatsSnapshot): Facts {
  const live = stats.taken_at > 0;
  const key = modelKey(ref.provider, ref.id);
  const model = live ? (stats.models[key] ?? null) : null;
  const provider = live ? (stats.providers[ref.provider] ?? null) : null;
  const entry = ref.entry;
  const outputTokens = assumedOutput(ref, request);
  const cost = estimatedCostUsd(ref, request, promptTokens);
  const speedKind = request.stream ? "ttft" : "latency";
  const liveSpeed = speedKind === "ttft" ? model?.ttft_ms : model?.latency_ms;
  const typicalSpeed = entry === null ? null : speedKind === "ttft" ? entry.typical_ttft_ms : entry.typical_latency_ms;
  return {
    ref,
    key,
    cost,
    outputTokens,
    speed: liveSpeed
      ? { ms: liveSpeed.p50, source: "live" }
      : typicalSpeed === null
        ? null
        : { ms: typicalSpeed, source: "typical" },
    speedKind,
    p95: model?.latency_ms
      ? { ms: model.latency_ms.p95, source: "live" }
      : entry === null
        ? null
        : { ms: entry.typical_latency_ms, source: "typical" },
    quality: entry?.quality ?? null,
    circuit: worst(model?.circuit, provider?.circuit),
    providerDown: provider?.status === "down",
    lastMeasuredAt: model?.last_measured_at ?? null,
    local: specOf(ref.provider).capabilities.local,
    model,
    provider,
  };
}

function worst(a: CircuitState | undefined, b: CircuitState | undefined): CircuitState {
  if (a === "open" || b === "open") return "open";
  if (a === "half_open" || b === "half_open") return "half_open";
  return "closed";
}

export function usd(value: number | null): string {
  if (value === null) return "unknown";
  if (value === 0) return "$0";
  return `$${value < 0.01 ? value.toPrecision(2) : value.toFixed(4)}`;
}

export function speedText(f: Facts): string {
  if (f.speed === null) return `${f.speedKind === "ttft" ? "time to first token" : "latency"} unknown`;
  return `${f.speedKind === "ttft" ? "TTFT" : "latency"} ${Math.round(f.speed.ms)} ms ${f.speed.source === "live" ? "(live p50)" : "(registry typical, not yet measured)"}`;
}
