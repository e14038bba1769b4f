// Live health as pure data: what one call's outcome or one probe does to a model's and a provider's state.
import type { ProviderId } from "../config/schema.ts";
import type { ErrorKind } from "../core/errors.ts";
import {
  type Circuit,
  type CircuitConfig,
  closedCircuit,
  cooldownMs,
  effectiveState,
  onFailure,
  onSuccess,
} from "./circuit.ts";
import { type OutcomeWindow, recordOutcome, windowTotals } from "./outcome-window.ts";
import { addSample, emptySketch, type Sketch } from "./sketch.ts";

/** One finished call on one model, as the gateway saw it. */
/** When the call an outcome tells of was sent: its end less its latency. */
const sentAt = (o: Outcome): number => o.at - Math.max(0, o.latency_ms);

export interface Outcome {
  provider: ProviderId;
  model: string;
  at: number;
  ok: boolean;
  kind: ErrorKind | null;
  http_status: number | null;
  latency_ms: number;
  ttft_ms: number | null;
  error: string | null;
  /**
   * The call went to a host of its own (a deployment with its own base URL), so a connection or key that fails there
   * is that host's trouble, not the provider's.
   */
  own_host?: true;
}

/** One health-sweep probe of a provider (a free model listing). */
export interface ProbeResult {
  provider: ProviderId;
  at: number;
  ok: boolean;
  kind: ErrorKind | null;
  latency_ms: number;
  error: string | null;
}

export interface ModelHealth {
  provider: ProviderId;
  model: string;
  circuit: Circuit;
  window: OutcomeWindow;
  latency: Sketch;
  ttft: Sketch;
  last_error: string | null;
  last_measured_at: number | null;
}

export interface ProviderHealth {
  provider: ProviderId;
  /** The provider-wide circuit: fed only by failures that are not about one model (and by probes). */
  circuit: Circuit;
  /** Provider-wide failures (connection, auth) and every success, for the provider's own failure rate. */
  window: OutcomeWindow;
  misconfigured: boolean;
  last_error: string | null;
  last_probe_at: number | null;
  last_probe_ok: boolean | null;
}

export interface HealthTuning {
  circuit: CircuitConfig;
  /** Percentiles cover the last one to two of these. */
  sketch_generation_ms: number;
}

/**
 * Whom a failure is about. Caller errors say nothing about health; a connection that fails or a key that is refused
 * is about the whole provider (or, on a host of its own, about that host: its model's row); everything else (5xx,
 * 429, clocks, broken streams, a 404 model) is about one model.
 */
export function blame(
  kind: ErrorKind | null,
  httpStatus: number | null,
  ownHost = false,
): "model" | "provider" | "none" {
  switch (kind) {
    case null:
      return "none";
    case "auth":
    case "network":
      return ownHost ? "model" : "provider";
    case "invalid_request":
      return httpStatus === 404 ? "model" : "none";
    case "context_length":
    case "content_policy":
      return "none";
    case "rate_limited":
    case "server":
    case "timeout":
    case "malformed":
    case "stream":
      return "model";
    default: {
      const never: never = kind;
      return never;
    }
  }
}

export function newModelHealth(provider: ProviderId, model: string, now: number): ModelHealth {
  return {
    provider,
    model,
    circuit: closedCircuit(),
    window: [],
    latency: emptySketch(now),
    ttft: emptySketch(now),
    last_error: null,
    last_measured_at: null,
  };
}

export function newProviderHealth(provider: ProviderId): ProviderHealth {
  return {
    provider,
    circuit: closedCircuit(),
    window: [],
    misconfigured: false,
    last_error: null,
    last_probe_at: null,
    last_probe_ok: null,
  };
}

/** Applies one outcome; `siblings` are the provider's other models, to judge whether most of them are failing. */
export function applyOutcome(
  model: ModelHealth,
  provider: ProviderHealth,
  siblings: readonly ModelHealth[],
  o: Outcome,
  t: HealthTuning,
  /**
   * Whether the model is one the provider serves (the registry's, or installed on Ollama). A model only a caller named
   * has its own circuit, but its failures (a 404 for a made-up id) never count toward the provider-wide one.
   */
  listed = true,
): { model: ModelHealth; provider: ProviderHealth } {
  const cfg = t.circuit;
  if (o.ok) {
    const m: ModelHealth = {
      ...model,
      circuit: onSuccess(model.circuit, o.at, cfg),
      window: recordOutcome(model.window, true, o.at, cfg.window_ms),
      latency: addSample(model.latency, o.latency_ms, o.at, t.sketch_generation_ms),
      ttft: o.ttft_ms === null ? model.ttft : addSample(model.ttft, o.ttft_ms, o.at, t.sketch_generation_ms),
      last_measured_at: o.at,
    };
    // Any answer proves the provider reachable and its key good.
    const p: ProviderHealth = {
      ...provider,
      circuit: onSuccess(provider.circuit, o.at, cfg),
      window: recordOutcome(provider.window, true, o.at, cfg.window_ms),
      misconfigured: false,
    };
    return { model: m, provider: p };
  }
  const who = blame(o.kind, o.http_status, o.own_host === true);
  if (who === "none") return { model, provider };
  const error = o.error?.slice(0, 300) ?? o.kind ?? "failed";
  if (who === "provider") {
    const window = recordOutcome(provider.window, false, o.at, cfg.window_ms);
    const totals = windowTotals([window], o.at, cfg.window_ms);
    const p: ProviderHealth = {
      ...provider,
      circuit: onFailure(provider.circuit, o.at, cfg, totals.failed, totals.ok + totals.failed, undefined, sentAt(o)),
      window,
      misconfigured: provider.misconfigured || o.kind === "auth",
      last_error: error,
    };
    return { model, provider: p };
  }
  const window = recordOutcome(model.window, false, o.at, cfg.window_ms);
  const totals = windowTotals([window], o.at, cfg.window_ms);
  const m: ModelHealth = {
    ...model,
    circuit: onFailure(model.circuit, o.at, cfg, totals.failed, totals.ok + totals.failed, undefined, sentAt(o)),
    window,
    last_error: error,
  };
  if (!listed) return { model: m, provider };
  return {
    model: m,
    provider: { ...provider, last_error: error, circuit: mostModelsDown(provider, [m, ...siblings], o.at, cfg) },
  };
}

/**
 * Opens the provider-wide circuit when most of the provider's recently used models (at least two) have open circuits:
 * then the trouble is the provider's, not one model's. `models` are the ones it serves (see applyOutcome's `listed`).
 * Open, it half-opens after its cooldown like any circuit: a model's failure then is its probe failing, and it opens
 * again for longer; its cooldowns are jittered as a model's are.
 */
function mostModelsDown(
  provider: ProviderHealth,
  models: readonly ModelHealth[],
  now: number,
  cfg: CircuitConfig,
): Circuit {
  if (provider.circuit.state === "open") {
    if (effectiveState(provider.circuit, now) !== "half_open") return provider.circuit;
    const reopen = provider.circuit.reopen_count + 1;
    return { ...provider.circuit, open_until: now + cooldownMs(cfg, reopen, Math.random), reopen_count: reopen };
  }
  const active = models.filter((m) => {
    const totals = windowTotals([m.window], now, cfg.window_ms);
    return totals.ok + totals.failed > 0;
  });
  const open = active.filter((m) => effectiveState(m.circuit, now) !== "closed").length;
  if (open >= 2 && open * 2 > active.length) {
    return { ...provider.circuit, state: "open", open_until: now + cooldownMs(cfg, 0, Math.random), ramp_left: 0 };
  }
  return provider.circuit;
}

/** A probe is a free listing call: it proves reachability and the key, which is exactly what the provider circuit is about. */
export function applyProbe(provider: ProviderHealth, r: ProbeResult, t: HealthTuning): ProviderHealth {
  const cfg = t.circuit;
  const base = { ...provider, last_probe_at: r.at, last_probe_ok: r.ok };
  if (r.ok) {
    // A good probe closes an open provider circuit at once (with the ramp): the sweep is the provider's half-open probe.
    const circuit =
      provider.circuit.state === "open" ? { ...closedCircuit(), ramp_left: cfg.ramp_requests } : provider.circuit;
    return { ...base, circuit, misconfigured: false };
  }
  const who = blame(r.kind, null);
  // A listing that fails for a model-ish reason (5xx, 429, a clock) still says the provider is in trouble.
  const window = recordOutcome(provider.window, false, r.at, cfg.window_ms);
  const totals = windowTotals([window], r.at, cfg.window_ms);
  const circuit = onFailure(provider.circuit, r.at, cfg, totals.failed, totals.ok + totals.failed);
  return {
    ...base,
    window,
    circuit,
    misconfigured: provider.misconfigured || r.kind === "auth",
    last_error: r.error?.slice(0, 300) ?? (who === "none" ? "probe failed" : r.kind),
  };
}
