// Latency percentiles from the log-bucketed sketch, and the sliding outcome window.
import { describe, expect, it } from "vitest";
import { type OutcomeWindow, recordOutcome, successRate, windowTotals } from "../../../src/stats/outcome-window.ts";
import { addSample, emptySketch, percentiles, type Sketch } from "../../../src/stats/sketch.ts";

const GEN = 300_000;

describe("latency sketch", () => {
  it("p50 and p95 within the bucket error (~5%) of the true values", () => {
    let s: Sketch = emptySketch(0);
    // 1..1000 ms: true p50 = 500, p95 = 950.
    for (let v = 1; v <= 1000; v++) s = addSample(s, v, 10, GEN);
    const p = percentiles([s], 10, GEN)!;
    expect(Math.abs(p.p50 - 500) / 500).toBeLessThan(0.06);
    expect(Math.abs(p.p95 - 950) / 950).toBeLessThan(0.06);
  });

  it("is a percentile, not a mean: one huge outlier in 100 does not move p50", () => {
    let s: Sketch = emptySketch(0);
    for (let i = 0; i < 99; i++) s = addSample(s, 200, 0, GEN);
    s = addSample(s, 120_000, 0, GEN);
    const p = percentiles([s], 0, GEN)!;
    expect(Math.abs(p.p50 - 200)).toBeLessThan(12);
    expect(Math.abs(p.p95 - 200)).toBeLessThan(12);
  });

  it("old samples age out after two generations", () => {
    let s = emptySketch(0);
    s = addSample(s, 5000, 0, GEN);
    expect(percentiles([s], GEN + 1, GEN)).not.toBeNull(); // previous generation still counts
    expect(percentiles([s], 2 * GEN + 1, GEN)).toBeNull();
    s = addSample(s, 100, 2 * GEN + 1, GEN);
    expect(percentiles([s], 2 * GEN + 1, GEN)!.p95).toBeLessThan(110);
  });

  it("merges several sketches (a provider over its models); null without samples", () => {
    let a = emptySketch(0);
    let b = emptySketch(0);
    for (let i = 0; i < 50; i++) a = addSample(a, 100, 0, GEN);
    for (let i = 0; i < 50; i++) b = addSample(b, 1000, 0, GEN);
    const p = percentiles([a, b], 0, GEN)!;
    expect(p.p50).toBeLessThan(110);
    expect(p.p95).toBeGreaterThan(950);
    expect(percentiles([emptySketch(0)], 0, GEN)).toBeNull();
  });
});

describe("outcome window", () => {
  it("counts outcomes of the last window only", () => {
    let w: OutcomeWindow = [];
    w = recordOutcome(w, false, 0, 60_000);
    w = recordOutcome(w, true, 30_000, 60_000);
    w = recordOutcome(w, true, 59_000, 60_000);
    expect(windowTotals([w], 59_000, 60_000)).toEqual({ ok: 2, failed: 1 });
    // At 70 s the first slot (0..10 s) has slid out.
    expect(windowTotals([w], 70_000, 60_000)).toEqual({ ok: 2, failed: 0 });
    expect(successRate({ ok: 3, failed: 1 })).toBe(0.75);
    expect(successRate({ ok: 0, failed: 0 })).toBeNull();
  });

  it("stays small: at most one slot per step of the window", () => {
    let w: OutcomeWindow = [];
    for (let t = 0; t < 600_000; t += 500) w = recordOutcome(w, t % 1000 === 0, t, 60_000);
    expect(w.length).toBeLessThanOrEqual(7);
  });
});
