// Recovery: a circuit opened by failures half-opens on a bounded, jittered schedule, so a provider that is healthy
// again serves within 30 s under steady traffic (failoverbench S15: down for 60 s, one request every 4 s).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CONFIG } from "../../../src/config/index.ts";
import { circuitGate, ProbeClaims } from "../../../src/execute/circuit-gate.ts";
import { closedCircuit, cooldownMs, effectiveState, onFailure, onSuccess } from "../../../src/stats/circuit.ts";
import { candidate } from "../execute/fake-upstream.ts";

const cfg = CONFIG.fallback.circuit;

/** A seeded uniform [0, 1) source, so each run is repeatable. */
function seeded(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

describe("the cooldown schedule", () => {
  it("doubles after each failed probe but never passes max_cooldown_ms, and jitter only shortens it", () => {
    for (let reopens = 0; reopens < 40; reopens++) {
      for (const r of [0, 0.5, 0.999]) {
        const ms = cooldownMs(cfg, reopens, () => r);
        expect(ms).toBeLessThanOrEqual(cfg.max_cooldown_ms);
        expect(ms).toBeGreaterThanOrEqual(Math.min(cfg.cooldown_ms, cfg.max_cooldown_ms) * (1 - cfg.cooldown_jitter));
      }
    }
    expect(cooldownMs(cfg, 0, () => 0)).toBe(cfg.cooldown_ms);
    expect(cooldownMs(cfg, 30, () => 0)).toBe(cfg.max_cooldown_ms);
  });

  it("a dead model stays dead: one probe per bounded cooldown, for as long as it is down", () => {
    let c = closedCircuit();
    let now = 0;
    const random = seeded(7);
    for (let i = 0; i < cfg.failure_threshold; i++) c = onFailure(c, now, cfg, i + 1, i + 1, random);
    const gaps: number[] = [];
    for (let probe = 0; probe < 50; probe++) {
      const due = c.open_until!;
      gaps.push(due - now);
      now = due;
      expect(effectiveState(c, now)).toBe("half_open");
      c = onFailure(c, now, cfg, 1, 1, random);
    }
    expect(Math.max(...gaps)).toBeLessThanOrEqual(cfg.max_cooldown_ms);
    // Jittered: the probes are not all the same distance apart.
    expect(new Set(gaps.slice(5)).size).toBeGreaterThan(1);
  });
});

describe("S15 on the fake clock: down for 60 s, then healthy, one request every 4 s", () => {
  /** Plays the sequence; returns the times (s) the primary answered. */
  function play(seed: number, downUntil: number, interval: number, count: number): number[] {
    const random = seeded(seed);
    let c = closedCircuit();
    const served: number[] = [];
    let failures = 0;
    let total = 0;
    for (let i = 0; i < count; i++) {
      const now = i * interval * 1000;
      const state = effectiveState(c, now);
      // Closed: the primary is tried; half-open: this request is its one probe; open: skipped (the fallback serves).
      if (state === "open") continue;
      total++;
      if (now < downUntil * 1000) {
        failures++;
        c = onFailure(c, now, cfg, failures, total, random);
      } else {
        c = onSuccess(c, now, cfg);
        served.push(now / 1000);
      }
    }
    return served;
  }

  it("the primary serves again within 30 s of recovering, whatever the jitter", () => {
    for (let seed = 1; seed <= 200; seed++) {
      const served = play(seed, 60, 4, 40);
      expect(served.length).toBeGreaterThan(0);
      expect(served[0]! - 60).toBeLessThanOrEqual(30);
    }
  });

  it("the fast profile too (down 6 s, one request every 1.2 s)", () => {
    for (let seed = 1; seed <= 50; seed++) {
      const served = play(seed, 6, 1.2, 60);
      expect(served[0]! - 6).toBeLessThanOrEqual(30);
    }
  });
});

describe("probe claims are shared by every isolate (the stats object), not per isolate", () => {
  const stub = () => env.STATS.get(env.STATS.idFromName(`claims-${crypto.randomUUID()}`));

  it("the first claim wins; the others are refused until the probe's outcome is recorded", async () => {
    const stats = stub();
    expect(await stats.claimProbe("model:openai/gpt-4o-mini", 30_000)).toBe(true);
    // Another isolate (its own ProbeClaims, the same stats object) asks for the same probe: refused.
    expect(await stats.claimProbe("model:openai/gpt-4o-mini", 30_000)).toBe(false);
    expect(await stats.claimProbe("model:mistral/mistral-small-latest", 30_000)).toBe(true);
    await stats.record([
      {
        provider: "openai",
        model: "gpt-4o-mini",
        at: Date.now(),
        ok: true,
        kind: null,
        http_status: 200,
        latency_ms: 10,
        ttft_ms: 5,
        error: null,
      },
    ]);
    expect(await stats.claimProbe("model:openai/gpt-4o-mini", 30_000)).toBe(true);
  });

  it("a claim lapses after its time-to-live", async () => {
    const stats = stub();
    expect(await stats.claimProbe("provider:openai", 1)).toBe(true);
    await new Promise((r) => setTimeout(r, 5));
    expect(await stats.claimProbe("provider:openai", 1)).toBe(true);
  });

  it("two isolates' gates: only one of them sends the probe", async () => {
    const stats = stub();
    const snapshot = {
      taken_at: 1,
      providers: {},
      models: {
        "openai/gpt-4o-mini": {
          provider: "openai" as const,
          model: "gpt-4o-mini",
          circuit: "half_open" as const,
          success_rate: 0,
          requests: 5,
          latency_ms: null,
          ttft_ms: null,
          last_error: "503",
          last_measured_at: 1,
          open_until: 1,
        },
      },
      ollama_models: [],
    };
    const isolate = () =>
      circuitGate({
        snapshot,
        claims: new ProbeClaims(),
        now: () => Date.now(),
        random: () => 0.5,
        probeTtlMs: 30_000,
        sharedClaim: async (key, ttl) => (await stats.claimProbe(key, ttl)) as boolean,
      });
    const target = candidate("openai/gpt-4o-mini");
    const [a, b] = [isolate(), isolate()];
    const admissions = [a.admit(target), b.admit(target)];
    // Each isolate's own claim says "probe"...
    expect(admissions.map((x) => x.kind)).toEqual(["probe", "probe"]);
    // ...and the shared claim lets exactly one of them send it.
    const sent = await Promise.all([a.confirm("model:openai/gpt-4o-mini"), b.confirm("model:openai/gpt-4o-mini")]);
    expect(sent.filter(Boolean)).toHaveLength(1);
  });
});
