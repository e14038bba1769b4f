// executePlan on its own: a fake adapter, a scripted fetch and a fake clock, so every wait and clock is exact.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ExecuteOutcome } from "../../../src/execute/run-plan.ts";
import { drive, type Run, walk, walkThrowing } from "./fake-upstream.ts";

const T0 = Date.UTC(2026, 0, 1);

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"], now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

const ok = (answer = "hello") => ({ answer });
const status = (
  code: number,
  more: { kind?: "content_policy"; code?: string; headers?: Record<string, string> } = {},
) => ({
  status: code,
  ...more,
});

/** provider:model:status for each attempt. */
const trail = (o: ExecuteOutcome) =>
  (o.ok ? o.attempts : o.failure.attempts).map((a) => `${a.provider}/${a.model}:${a.status}`);
const answeredBy = (run: Run) =>
  run.outcome.ok ? `${run.outcome.candidate.ref.provider}/${run.outcome.candidate.ref.id}` : null;
const offsets = (run: Run) => run.calls.map((c) => `${c.model}@${c.at - T0}`);

describe("retries on the same candidate", () => {
  it("retries a 503 after a backoff wait and answers from the same candidate", async () => {
    const run = await walk({
      refs: ["openai/a", "mistral/b"],
      scripts: { a: [status(503), ok("second try")] },
    });
    // base 100 ms, first retry: cap 100, half fixed + half jitter (0.5) = 75 ms.
    expect(run.sleeps).toEqual([75]);
    expect(offsets(run)).toEqual(["a@0", "a@75"]);
    expect(trail(run.outcome)).toEqual(["openai/a:failed", "openai/a:ok"]);
    expect(run.outcome.ok && run.outcome.kind === "json" && run.outcome.result.content).toBe("second try");
  });

  it("backs off exponentially, capped at max_delay_ms", async () => {
    const run = await walk({
      refs: ["openai/a"],
      scripts: { a: [status(503), status(502), status(500), status(504), ok()] },
      retry: { max_attempts: 5, base_delay_ms: 100, max_delay_ms: 300 },
      random: () => 0,
    });
    // caps 100, 200, 300 (400 capped), 300 (800 capped); jitter 0 keeps the fixed half.
    expect(run.sleeps).toEqual([50, 100, 150, 150]);
    expect(offsets(run)).toEqual(["a@0", "a@50", "a@150", "a@300", "a@450"]);
    expect(run.outcome.ok).toBe(true);
  });

  it("stops after max_attempts and falls back to the next candidate", async () => {
    const run = await walk({
      refs: ["openai/a", "mistral/b"],
      scripts: { a: [status(503), status(503), status(503)], b: [ok()] },
    });
    expect(trail(run.outcome)).toEqual(["openai/a:failed", "openai/a:failed", "openai/a:failed", "mistral/b:ok"]);
    expect(run.sleeps).toHaveLength(2);
    expect(answeredBy(run)).toBe("mistral/b");
  });

  it("waits what Retry-After (seconds) says instead of the backoff", async () => {
    const run = await walk({
      refs: ["openai/a", "mistral/b"],
      scripts: { a: [status(429, { headers: { "retry-after": "2" } }), ok()] },
    });
    expect(run.sleeps).toEqual([2000]);
    expect(offsets(run)).toEqual(["a@0", "a@2000"]);
    expect(answeredBy(run)).toBe("openai/a");
  });

  it("waits what retry-after-ms says", async () => {
    const run = await walk({
      refs: ["openai/a", "mistral/b"],
      scripts: { a: [status(429, { headers: { "retry-after-ms": "1500" } }), ok()] },
    });
    expect(run.sleeps).toEqual([1500]);
    expect(offsets(run)).toEqual(["a@0", "a@1500"]);
  });

  it("skips the candidate without waiting when Retry-After is above max_retry_after_ms", async () => {
    const run = await walk({
      refs: ["openai/a", "mistral/b"],
      scripts: { a: [status(429, { headers: { "retry-after": "30" } })], b: [ok()] },
      // The deadline would allow the wait: only max_retry_after_ms (5 s) rules it out.
      timeouts: { total_ms: 120_000 },
    });
    expect(run.sleeps).toEqual([]);
    expect(offsets(run)).toEqual(["a@0", "b@0"]);
    expect(answeredBy(run)).toBe("mistral/b");
  });

  it("skips the candidate without waiting when the wait would pass the request deadline", async () => {
    const run = await walk({
      refs: ["openai/a", "mistral/b"],
      // 4 s is within max_retry_after_ms (5 s) but not within the 3 s deadline.
      scripts: { a: [status(429, { headers: { "retry-after-ms": "4000" } })], b: [ok()] },
      timeouts: { total_ms: 3000 },
    });
    expect(run.sleeps).toEqual([]);
    expect(offsets(run)).toEqual(["a@0", "b@0"]);
    expect(answeredBy(run)).toBe("mistral/b");
  });

  it("retries a reset before any byte; when it persists, the provider's other models are not tried", async () => {
    const run = await walk({
      refs: ["openai/a", "openai/a2", "mistral/b"],
      scripts: { a: [{ reset: true }, { reset: true }, { reset: true }], b: [ok()] },
    });
    expect(trail(run.outcome)).toEqual([
      "openai/a:failed",
      "openai/a:failed",
      "openai/a:failed",
      "openai/a2:skipped",
      "mistral/b:ok",
    ]);
    expect(run.outcome.ok && run.outcome.attempts[0]?.error_kind).toBe("network");
    expect(run.calls.map((c) => c.model)).toEqual(["a", "a", "a", "b"]);
  });

  it("answers 429 with the shortest Retry-After when every candidate was rate limited", async () => {
    const run = await walk({
      refs: ["openai/a", "mistral/b"],
      scripts: {
        a: [status(429, { headers: { "retry-after": "20" } })],
        b: [status(429, { headers: { "retry-after": "40" } })],
      },
    });
    expect(run.outcome.ok).toBe(false);
    if (run.outcome.ok) return;
    expect(run.outcome.failure).toMatchObject({ status: 429, code: "rate_limit_exceeded", retryAfterMs: 20_000 });
  });
});

describe("what is not retried", () => {
  it("a caller's-fault 400 is not retried on the same candidate; the next one answers", async () => {
    const run = await walk({
      refs: ["openai/a", "mistral/b"],
      scripts: { a: [status(400)], b: [ok()] },
    });
    expect(run.sleeps).toEqual([]);
    expect(run.calls.map((c) => c.model)).toEqual(["a", "b"]);
    expect(trail(run.outcome)).toEqual(["openai/a:failed", "mistral/b:ok"]);
    expect(run.outcome.ok && run.outcome.attempts[0]).toMatchObject({
      error_kind: "invalid_request",
      http_status: 400,
    });
  });

  it("when every candidate refuses the request, the caller gets 400 with the provider's code", async () => {
    const run = await walk({
      refs: ["openai/a", "mistral/b"],
      scripts: { a: [status(400, { code: "unsupported_parameter" })], b: [status(422, { code: "extra_forbidden" })] },
    });
    expect(run.calls).toHaveLength(2);
    expect(run.outcome.ok).toBe(false);
    if (run.outcome.ok) return;
    expect(run.outcome.failure).toMatchObject({ status: 400, code: "extra_forbidden", type: "invalid_request_error" });
  });

  it("a content-policy refusal ends the walk: 400, no other candidate asked", async () => {
    const run = await walk({
      refs: ["openai/a", "mistral/b"],
      scripts: { a: [status(400, { kind: "content_policy", code: "content_policy_violation" })], b: [ok()] },
    });
    expect(run.calls.map((c) => c.model)).toEqual(["a"]);
    expect(run.outcome.ok).toBe(false);
    if (run.outcome.ok) return;
    expect(run.outcome.failure).toMatchObject({ status: 400, code: "content_policy_violation" });
  });

  it("a provider that cannot carry the request at all is recorded and the next candidate tried", async () => {
    const run = await walk({ refs: ["openai/refused-at-build", "mistral/b"], scripts: { b: [ok()] } });
    expect(run.calls.map((c) => c.model)).toEqual(["b"]);
    expect(trail(run.outcome)).toEqual(["openai/refused-at-build:failed", "mistral/b:ok"]);
  });

  it("a bug (an error that is not a ProviderError) is rethrown, never fallen back on", async () => {
    const parsing = await walkThrowing({ refs: ["openai/a", "mistral/b"], scripts: { a: [{ bug: true }], b: [ok()] } });
    expect(parsing.thrown).toBeInstanceOf(TypeError);
    expect(parsing.calls.map((c) => c.model)).toEqual(["a"]);
    const building = await walkThrowing({ refs: ["openai/unbuildable", "mistral/b"], scripts: { b: [ok()] } });
    expect(building.thrown).toBeInstanceOf(TypeError);
    expect(String(building.thrown)).toContain("a bug while building the request");
    expect(building.calls).toEqual([]);
  });
});

describe("clocks and the deadline (non-streaming)", () => {
  it("a provider that never answers cannot eat the deadline: it gets all but one fallback's worth", async () => {
    const run = await walk({
      refs: ["openai/a", "mistral/b"],
      scripts: { a: [{ hang: true }], b: [ok()] },
      timeouts: { headers_ms: 1000, first_token_ms: 2000, total_ms: 20_000 },
    });
    // Reserve: headers + first token (3 s), at most half of what is left; so a's clock runs out at 17 s.
    expect(offsets(run)).toEqual(["a@0", "b@17000"]);
    expect(run.outcome.ok && run.outcome.attempts[0]).toMatchObject({ error_kind: "timeout", latency_ms: 17_000 });
    expect(answeredBy(run)).toBe("mistral/b");
  });

  it("the last candidate gets the whole deadline, and the walk ends at it: 502, never a hang", async () => {
    const run = await walk({ refs: ["openai/a"], scripts: { a: [{ hang: true }] }, timeouts: { total_ms: 5000 } });
    expect(run.elapsed).toBe(5000);
    expect(run.outcome.ok).toBe(false);
    if (run.outcome.ok) return;
    expect(run.outcome.failure.status).toBe(502);
    expect(run.outcome.failure.attempts[0]).toMatchObject({ error_kind: "timeout", latency_ms: 5000 });
  });

  it("a slow error within the clocks is waited for, then retried", async () => {
    const run = await walk({
      refs: ["openai/a", "mistral/b"],
      scripts: { a: [{ status: 503, afterMs: 900 }, ok()] },
    });
    expect(offsets(run)).toEqual(["a@0", "a@975"]);
    expect(answeredBy(run)).toBe("openai/a");
  });
});

describe("a plan whose head is known before the rest is ranked (Plan.lead)", () => {
  it("a call answered by the head never reads the rest of the plan, streamed or not", async () => {
    for (const stream of [false, true]) {
      const run = await walk({ refs: ["openai/a", "mistral/b"], lead: 1, stream, scripts: { a: [ok()] } });
      expect(answeredBy(run)).toBe("openai/a");
      expect(run.restReads).toBe(0);
    }
  });

  it("a head that fails reads the rest and falls back on it, in the plan's order", async () => {
    for (const stream of [false, true]) {
      const run = await walk({
        refs: ["openai/a", "mistral/b", "together/c"],
        lead: 1,
        stream,
        scripts: { a: [status(400)], b: [status(400)], c: [ok()] },
      });
      expect(trail(run.outcome)).toEqual(["openai/a:failed", "mistral/b:failed", "together/c:ok"]);
      expect(run.restReads).toBeGreaterThan(0);
    }
  });

  it("a non-streaming head that never answers keeps a fallback's worth of time, and the fallback answers", async () => {
    const timeouts = { headers_ms: 1000, first_token_ms: 2000, total_ms: 20_000 };
    const refs = ["openai/a", "mistral/b"];
    const lazy = await walk({ refs, lead: 1, scripts: { a: [{ hang: true }], b: [ok()] }, timeouts });
    expect(offsets(lazy)).toEqual(["a@0", "b@17000"]);
    expect(answeredBy(lazy)).toBe("mistral/b");
    const whole = await walk({ refs, scripts: { a: [{ hang: true }], b: [ok()] }, timeouts });
    // The same attempt, in the same words, as when the plan was whole from the start.
    const first = (run: Run) => run.outcome.ok && { ...run.outcome.attempts[0], started_at: 0 };
    expect(first(lazy)).toEqual(first(whole));
  });

  it("a non-streaming head whose plan turns out to hold nothing else has the whole deadline, as a last candidate", async () => {
    const timeouts = { total_ms: 5000 };
    const lazy = await walk({ refs: ["openai/a"], lead: 1, scripts: { a: [{ hang: true }] }, timeouts });
    expect(lazy.elapsed).toBe(5000);
    expect(lazy.restReads).toBe(1);
    const whole = await walk({ refs: ["openai/a"], scripts: { a: [{ hang: true }] }, timeouts });
    if (lazy.outcome.ok || whole.outcome.ok) throw new Error("a hung last candidate cannot answer");
    expect(lazy.outcome.failure.status).toBe(502);
    const attempts = (o: typeof lazy.outcome) => !o.ok && o.failure.attempts.map((a) => ({ ...a, started_at: 0 }));
    expect(attempts(lazy.outcome)).toEqual(attempts(whole.outcome));
    expect(lazy.outcome.failure.attempts[0]).toMatchObject({ error_kind: "timeout", latency_ms: 5000 });
  });

  it("a slow non-streaming head that answers after the shortened deadline would have passed is not cut", async () => {
    const run = await walk({
      refs: ["openai/a"],
      lead: 1,
      scripts: { a: [{ answer: "late", afterMs: 4000 }] },
      timeouts: { headers_ms: 1000, first_token_ms: 2000, total_ms: 5000 },
    });
    expect(answeredBy(run)).toBe("openai/a");
    expect(run.elapsed).toBe(4000);
  });
});

describe("clocks and the deadline (streaming)", () => {
  it("a stream that sends no first token within first_token_ms falls back to the next candidate", async () => {
    const run = await walk({
      refs: ["openai/a", "mistral/b"],
      scripts: { a: [{ stall: true }], b: [ok("streamed")] },
      stream: true,
    });
    expect(offsets(run)).toEqual(["a@0", "b@2000"]);
    expect(run.outcome.ok && run.outcome.attempts[0]).toMatchObject({ error_kind: "timeout", latency_ms: 2000 });
    expect(run.outcome.ok && run.outcome.kind === "stream" && run.outcome.stream.head).toEqual([
      { type: "text", text: "streamed" },
    ]);
  });

  it("a retryable failure before the first token is retried on the same candidate", async () => {
    const run = await walk({ refs: ["openai/a"], scripts: { a: [status(503), ok("again")] }, stream: true });
    expect(offsets(run)).toEqual(["a@0", "a@75"]);
    expect(run.outcome.ok && run.outcome.kind).toBe("stream");
  });

  it("when the deadline passes, the candidates left are not tried: 502 deadline_exceeded", async () => {
    const run = await walk({
      refs: ["openai/a", "mistral/b"],
      scripts: { a: [{ stall: true }], b: [ok()] },
      stream: true,
      // The deadline comes before the first-token clock would.
      timeouts: { first_token_ms: 2000, total_ms: 1500 },
    });
    expect(run.calls.map((c) => c.model)).toEqual(["a"]);
    expect(run.elapsed).toBe(1500);
    expect(run.outcome.ok).toBe(false);
    if (run.outcome.ok) return;
    expect(run.outcome.failure).toMatchObject({ status: 502, code: "deadline_exceeded" });
    expect(run.outcome.failure.attempts[0]?.error).toContain("before the request deadline");
  });

  it("a committed stream that falls silent for idle_ms ends with an idle timeout, not a hang", async () => {
    const run = await walk({
      refs: ["openai/a", "mistral/b"],
      scripts: { a: [{ textThenStall: "partial" }] },
      stream: true,
      timeouts: { idle_ms: 3000 },
    });
    if (!run.outcome.ok || run.outcome.kind !== "stream") throw new Error("expected a committed stream");
    expect(run.outcome.stream.head).toEqual([{ type: "text", text: "partial" }]);
    const committedAt = Date.now();
    const error = await drive(run.outcome.stream.rest.next()).catch((err: unknown) => err);
    expect(error).toMatchObject({ name: "ProviderError", kind: "timeout", code: "idle" });
    expect(Date.now() - committedAt).toBe(3000);
    // Committed: the next candidate is not asked.
    expect(run.calls.map((c) => c.model)).toEqual(["a"]);
  });

  it("a committed stream still running at the deadline is cut there", async () => {
    const run = await walk({
      refs: ["openai/a"],
      scripts: { a: [{ textThenStall: "partial" }] },
      stream: true,
      timeouts: { idle_ms: 8000, total_ms: 5000 },
    });
    if (!run.outcome.ok || run.outcome.kind !== "stream") throw new Error("expected a committed stream");
    const error = await drive(run.outcome.stream.rest.next()).catch((err: unknown) => err);
    expect(error).toMatchObject({ name: "ProviderError", kind: "timeout", code: "deadline" });
    expect(Date.now() - T0).toBe(5000);
  });
});
