// The circuit breaker as pure transitions: closed -> open (N in a row, or a failure rate) -> half-open probe -> closed, ramping back.
import type { FallbackFile } from "../config/schema.ts";
import type { CircuitState } from "./snapshot.ts";

export type CircuitConfig = FallbackFile["circuit"];

export interface Circuit {
  /** Stored state; "open" turns half-open by itself once `open_until` passes (see effectiveState). */
  state: "closed" | "open";
  consecutive_failures: number;
  /** Epoch ms until which an open circuit refuses traffic. */
  open_until: number | null;
  /** Successes still to see before traffic is fully back after a probe closed the circuit. */
  ramp_left: number;
  /** How many times in a row the circuit reopened from half-open: the cooldown doubles each time, up to its cap. */
  reopen_count: number;
}

export function closedCircuit(): Circuit {
  return { state: "closed", consecutive_failures: 0, open_until: null, ramp_left: 0, reopen_count: 0 };
}

export function effectiveState(c: Circuit, now: number): CircuitState {
  if (c.state === "closed") return "closed";
  return c.open_until !== null && now >= c.open_until ? "half_open" : "open";
}

export function onSuccess(c: Circuit, now: number, cfg: CircuitConfig): Circuit {
  if (c.state === "open") {
    // A success while open is the half-open probe (or a request that started before the circuit opened): close, ramp.
    return effectiveState(c, now) === "half_open" ? { ...closedCircuit(), ramp_left: cfg.ramp_requests } : c;
  }
  return { ...c, consecutive_failures: 0, ramp_left: Math.max(0, c.ramp_left - 1), reopen_count: 0 };
}

/** `windowFailures` / `windowTotal`: the sliding window's counts, this failure included. */
/**
 * How long a circuit stays open: the cooldown, doubled for each failed probe in a row but never past max_cooldown_ms
 * (bounded: a provider that recovers is probed again soon), less a random share of up to cooldown_jitter (so circuits
 * opened together do not all probe at the same moment).
 */
export function cooldownMs(cfg: CircuitConfig, reopens: number, random: () => number): number {
  const base = Math.min(cfg.max_cooldown_ms, cfg.cooldown_ms * 2 ** Math.min(reopens, 16));
  return Math.round(base * (1 - cfg.cooldown_jitter * random()));
}

export function onFailure(
  c: Circuit,
  now: number,
  cfg: CircuitConfig,
  windowFailures: number,
  windowTotal: number,
  random: () => number = Math.random,
  sentAt: number = now,
): Circuit {
  if (c.state === "open") {
    if (effectiveState(c, now) !== "half_open") return c;
    // The probe failed: open again, for longer (up to the cap), so a dead provider costs one call per cooldown. The
    // cooldown runs from when the probe was sent: a probe that hung until its clock ran out (15 s) must not push the
    // next one past the 30 s in which a provider healthy again serves.
    const reopen = c.reopen_count + 1;
    return {
      ...c,
      open_until: Math.max(now, sentAt + cooldownMs(cfg, reopen, random)),
      reopen_count: reopen,
      consecutive_failures: c.consecutive_failures + 1,
    };
  }
  const consecutive = c.consecutive_failures + 1;
  const tooMany = consecutive >= cfg.failure_threshold;
  const tooOften = windowTotal >= cfg.min_requests && windowFailures / windowTotal >= cfg.failure_rate;
  if (tooMany || tooOften)
    return {
      state: "open",
      consecutive_failures: consecutive,
      open_until: now + cooldownMs(cfg, 0, random),
      ramp_left: 0,
      reopen_count: 0,
    };
  return { ...c, consecutive_failures: consecutive };
}

/** Share of requests a recently re-closed circuit admits: half at first, rising to all as its ramp successes come in. */
export function rampShare(c: Circuit, cfg: CircuitConfig): number {
  if (c.state !== "closed" || c.ramp_left <= 0 || cfg.ramp_requests <= 0) return 1;
  return 0.5 + (0.5 * (cfg.ramp_requests - c.ramp_left)) / cfg.ramp_requests;
}
