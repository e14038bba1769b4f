// The wait between two attempts on one candidate when the provider named none: capped exponential, equal jitter.
import { describe, expect, it } from "vitest";
import { backoff, jsonAttemptDeadline } from "../../../src/execute/run-plan.ts";

const RETRY = { max_attempts: 5, base_delay_ms: 250, max_delay_ms: 2000, max_retry_after_ms: 10_000 };

describe("backoff", () => {
  it("doubles per attempt from base_delay_ms", () => {
    // random 1 (the top of the jitter) gives the cap itself.
    const top = () => 0.999_999_999;
    expect([1, 2, 3, 4].map((a) => backoff(a, RETRY, top))).toEqual([250, 500, 1000, 2000]);
  });

  it("never waits more than max_delay_ms, however many attempts", () => {
    for (const attempt of [5, 6, 10, 40]) expect(backoff(attempt, RETRY, () => 0.999_999_999)).toBe(2000);
  });

  it("keeps half of the cap fixed and jitters the other half (never a tight loop, never a herd)", () => {
    expect(backoff(1, RETRY, () => 0)).toBe(125);
    expect(backoff(1, RETRY, () => 0.5)).toBe(188);
    expect(backoff(3, RETRY, () => 0)).toBe(500);
    expect(backoff(3, RETRY, () => 0.25)).toBe(625);
    for (let i = 0; i < 100; i++) {
      const r = i / 100;
      const wait = backoff(2, RETRY, () => r);
      expect(wait).toBeGreaterThanOrEqual(250);
      expect(wait).toBeLessThanOrEqual(500);
    }
  });

  it("waits nothing when the configured base is 0", () => {
    expect(backoff(3, { ...RETRY, base_delay_ms: 0 }, () => 0.7)).toBe(0);
  });
});

describe("jsonAttemptDeadline", () => {
  const T = { headers_ms: 1000, first_token_ms: 2000, idle_ms: 500, total_ms: 20_000 };

  it("the last candidate gets the whole deadline", () => {
    expect(jsonAttemptDeadline(20_000, 0, T, false)).toBe(20_000);
  });

  it("keeps one fallback's worth (headers + first token) for the candidates after", () => {
    expect(jsonAttemptDeadline(20_000, 0, T, true)).toBe(17_000);
  });

  it("keeps at most half of what is left", () => {
    expect(jsonAttemptDeadline(20_000, 16_000, T, true)).toBe(18_000);
  });
});
