// The circuit breaker at the point of use: may this candidate be tried now, by the live stats the isolate holds?
import type { ProviderId } from "../config/schema.ts";
import type { Candidate } from "../routing/plan-types.ts";
import { modelKey, type StatsSnapshot } from "../stats/snapshot.ts";

export type Admission =
  | { kind: "try" }
  /** A half-open circuit's one probe: this request is it. */
  | { kind: "probe"; key: string }
  | { kind: "skip"; reason: string /** Epoch ms the candidate may be tried again, when known. */; until: number | null }
  /** A re-closed circuit ramping back: try it only after the others. */
  | { kind: "defer"; reason: string };

/**
 * Half-open admits one probe per circuit: the isolate's claim first (one request of this isolate, no call needed),
 * then the claim every isolate shares, held in the stats object (CircuitGate.confirm): one probe in the deployment.
 * The others skip until the outcome reaches the stats object and comes back in the snapshot (or the claim times out).
 */
export class ProbeClaims {
  readonly #claims = new Map<string, number>();

  claim(key: string, now: number, ttlMs: number): boolean {
    const held = this.#claims.get(key);
    if (held !== undefined && held > now) return false;
    this.#claims.set(key, now + ttlMs);
    return true;
  }

  release(key: string): void {
    this.#claims.delete(key);
  }
}

export interface GateInput {
  snapshot: StatsSnapshot;
  claims: ProbeClaims;
  now: () => number;
  random: () => number;
  /** How long a probe claim holds without an answer (the request deadline). */
  probeTtlMs: number;
  /**
   * The deployment-wide claim (the stats object): true when this request is the one probe of every isolate. Absent:
   * the isolate's own claim decides.
   */
  sharedClaim?: (key: string, ttlMs: number) => Promise<boolean>;
  /** Lets go of the deployment-wide claim (after the response). */
  sharedRelease?: (key: string) => void;
  /** When every key of the candidate's provider rests (see KeyRotation.resting): null when one is usable. */
  keysResting?: (candidate: Candidate) => { until: number | null } | null;
}

export interface CircuitGate {
  admit(candidate: Candidate): Admission;
  /** When a model left out for its circuit may be tried again (for a 503's Retry-After); null if not known. */
  reopensAt(provider: ProviderId, model: string): number | null;
  /**
   * Confirms a probe this isolate claimed with the claim every isolate shares: false when another isolate's probe is
   * in flight (then this request skips the candidate). A stats object that cannot be reached confirms it.
   */
  confirm(key: string): Promise<boolean>;
  /** Lets go of a probe claim whose outcome will never be recorded: the isolate's, and the one every isolate shares. */
  release(key: string): void;
}

export function circuitGate(input: GateInput): CircuitGate {
  const admit = (candidate: Candidate): Admission => {
    const { provider, id } = candidate.ref;
    const now = input.now();
    const p = input.snapshot.providers[provider];
    if (p?.misconfigured)
      return {
        kind: "skip",
        reason: `provider ${provider} is misconfigured (its key was refused); skipped until a probe succeeds`,
        until: null,
      };
    const resting = input.keysResting?.(candidate) ?? null;
    if (resting !== null)
      return {
        kind: "skip",
        reason:
          resting.until === null
            ? `every ${provider} key was refused; skipped until the sweep clears one`
            : `every ${provider} key is resting after a rate limit or quota error, the first until ${new Date(resting.until).toISOString()}`,
        until: resting.until,
      };
    const m = input.snapshot.models[modelKey(provider, id)];
    for (const [scope, key, stats] of [
      ["provider", `provider:${provider}`, p],
      ["model", `model:${modelKey(provider, id)}`, m],
    ] as const) {
      if (stats === undefined) continue;
      const until = stats.open_until ?? null;
      const due = stats.circuit === "half_open" || (stats.circuit === "open" && until !== null && now >= until);
      if (stats.circuit === "open" && !due)
        return {
          kind: "skip",
          reason: `circuit open for ${scope} ${scope === "provider" ? provider : modelKey(provider, id)}`,
          until,
        };
      if (due) {
        return input.claims.claim(key, now, input.probeTtlMs)
          ? { kind: "probe", key }
          : {
              kind: "skip",
              reason: `circuit half-open for ${scope} ${scope === "provider" ? provider : modelKey(provider, id)}; its one probe is in flight`,
              // Its probe's answer may reopen it at any moment: worth asking again soon (a 503 says at least 1 s).
              until: now,
            };
      }
    }
    const share = Math.min(p?.ramp_share ?? 1, m?.ramp_share ?? 1);
    if (share < 1 && input.random() >= share)
      return { kind: "defer", reason: `circuit ramping back (${Math.round(share * 100)}% of traffic)` };
    return { kind: "try" };
  };
  const reopensAt = (provider: ProviderId, model: string): number | null => {
    const times = [
      input.snapshot.providers[provider]?.open_until,
      input.snapshot.models[modelKey(provider, model)]?.open_until,
    ];
    const open = times.filter((t): t is number => typeof t === "number");
    return open.length === 0 ? null : Math.max(...open);
  };
  const confirm = async (key: string): Promise<boolean> => {
    if (input.sharedClaim === undefined) return true;
    const held = await input.sharedClaim(key, input.probeTtlMs).catch(() => true);
    // Not ours: let go of the isolate's claim, so the next due probe asks the shared claim again.
    if (!held) input.claims.release(key);
    return held;
  };
  const release = (key: string): void => {
    input.claims.release(key);
    input.sharedRelease?.(key);
  };
  return { admit, reopensAt, confirm, release };
}
