// The circuit breaker's pure transitions, without the Durable Object.
import { describe, expect, it } from "vitest";
import {
  type Circuit,
  type CircuitConfig,
  closedCircuit,
  effectiveState,
  onFailure,
  onSuccess,
  rampShare,
} from "../../../src/stats/circuit.ts";
import { asOf, emptySnapshot } from "../../../src/stats/snapshot.ts";

const cfg: CircuitConfig = {
  failure_threshold: 5,
  failure_rate: 0.5,
  min_requests: 10,
  window_ms: 60_000,
  cooldown_ms: 30_000,
  max_cooldown_ms: 240_000,
  cooldown_jitter: 0,
  ramp_requests: 4,
};

function failTimes(c: Circuit, n: number, now: number, windowOk = 0): Circuit {
  for (let i = 1; i <= n; i++) c = onFailure(c, now, cfg, i, windowOk + i);
  return c;
}

describe("circuit", () => {
  it("opens after failure_threshold consecutive failures, not before", () => {
    const four = failTimes(closedCircuit(), 4, 1000);
    expect(four.state).toBe("closed");
    const five = failTimes(closedCircuit(), 5, 1000);
    expect(five).toMatchObject({ state: "open", open_until: 31_000 });
  });

  it("a success resets the consecutive count", () => {
    let c = failTimes(closedCircuit(), 4, 1000);
    c = onSuccess(c, 1000, cfg);
    c = failTimes(c, 4, 1000, 100);
    expect(c.state).toBe("closed");
  });

  it("opens on the failure rate once min_requests were seen, even without a streak", () => {
    const c = { ...closedCircuit(), consecutive_failures: 0 };
    expect(onFailure(c, 0, cfg, 4, 9).state).toBe("closed"); // 44% of 9: too few calls and below the rate
    expect(onFailure(c, 0, cfg, 5, 10).state).toBe("open"); // 50% of 10
  });

  it("stays open through the cooldown, then reads half-open", () => {
    const c = failTimes(closedCircuit(), 5, 0);
    expect(effectiveState(c, 29_999)).toBe("open");
    expect(effectiveState(c, 30_000)).toBe("half_open");
    // A straggler failure while open changes nothing.
    expect(onFailure(c, 10_000, cfg, 6, 6)).toEqual(c);
  });

  it("a good probe closes the circuit with a ramp; the ramp rises from half to all", () => {
    const open = failTimes(closedCircuit(), 5, 0);
    expect(onSuccess(open, 10_000, cfg)).toEqual(open); // not a probe: still cooling down
    let c = onSuccess(open, 30_000, cfg);
    expect(c).toMatchObject({ state: "closed", ramp_left: 4, consecutive_failures: 0 });
    const shares = [rampShare(c, cfg)];
    for (let i = 0; i < 4; i++) {
      c = onSuccess(c, 30_001 + i, cfg);
      shares.push(rampShare(c, cfg));
    }
    expect(shares).toEqual([0.5, 0.625, 0.75, 0.875, 1]);
  });

  it("a failed probe reopens for twice the cooldown, doubling up to 8x", () => {
    let c = failTimes(closedCircuit(), 5, 0);
    const untils: number[] = [];
    let now = 30_000;
    for (let i = 0; i < 4; i++) {
      c = onFailure(c, now, cfg, 1, 1);
      untils.push(c.open_until! - now);
      now = c.open_until!;
    }
    expect(untils).toEqual([60_000, 120_000, 240_000, 240_000]);
    // A good probe afterwards resets the growth.
    expect(onSuccess(c, now, cfg).reopen_count).toBe(0);
  });

  it("a failed probe's cooldown runs from when it was sent: one that hung until its clock ran out reopens no later", () => {
    const open = failTimes(closedCircuit(), 5, 0);
    // Half-open at 30 s; the probe is sent then and hangs 15 s until its headers clock cuts it.
    const hung = onFailure(open, 45_000, cfg, 1, 1, () => 0, 30_000);
    expect(hung.open_until).toBe(30_000 + 60_000);
    // A probe longer than the cooldown itself: half-open again as soon as it failed, never before.
    const longer = onFailure(open, 100_000, { ...cfg, cooldown_ms: 10_000 }, 1, 1, () => 0, 30_000);
    expect(longer.open_until).toBe(100_000);
    // Without the sending time, the cooldown runs from the failure, as before.
    expect(onFailure(open, 45_000, cfg, 1, 1).open_until).toBe(45_000 + 60_000);
  });
});

describe("snapshot as of now", () => {
  it("an open circuit past its cooldown reads half-open, and its provider is no longer down", () => {
    const base = emptySnapshot();
    const snap = {
      ...base,
      taken_at: 1,
      providers: {
        openai: {
          provider: "openai" as const,
          circuit: "open" as const,
          status: "down" as const,
          misconfigured: false,
          success_rate: 0,
          latency_ms: null,
          ttft_ms: null,
          last_error: "x",
          last_probe_at: null,
          open_until: 100,
        },
      },
    };
    expect(asOf(snap, 99)).toBe(snap);
    expect(asOf(snap, 100).providers.openai).toMatchObject({ circuit: "half_open", status: "degraded" });
  });
});
