// Retries and fallback on non-streaming calls: what is retried, how long it waits, and where the request goes next.
import { describe, expect, it } from "vitest";
import { chat, newSession } from "../gateway.ts";
import { body, completionCalls } from "./helpers.ts";

const TWO = ["openai/gpt-4o-mini", "mistral/mistral-small-latest"];

interface Answer {
  x_router: { provider: string; attempts: { provider: string; status: string; error: string | null }[] };
  error?: { code: string };
}

describe("retries on the same candidate", () => {
  it("honours retry-after-ms on a 429 and answers from the same provider", async () => {
    const s = await newSession({
      faults: [{ provider: "openai", mode: "status", status: 429, retry_after_ms: 400, times: 1 }],
    });
    const t0 = Date.now();
    const res = await chat(s.env, body(TWO));
    const elapsed = Date.now() - t0;
    const json = (await res.json()) as Answer;
    expect(res.status).toBe(200);
    expect(json.x_router.provider).toBe("openai");
    expect(await completionCalls(s, "openai")).toHaveLength(2);
    expect(await completionCalls(s, "mistral")).toHaveLength(0);
    expect(elapsed).toBeGreaterThanOrEqual(400);
  });

  it("honours Retry-After in seconds", async () => {
    const s = await newSession({
      faults: [{ provider: "openai", mode: "status", status: 429, retry_after: "1", times: 1 }],
    });
    const t0 = Date.now();
    const res = await chat(s.env, body(TWO));
    expect(res.status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(await completionCalls(s, "openai")).toHaveLength(2);
  });

  it("backs off (never a tight loop) on a 429 without Retry-After", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "status", status: 429, times: 1 }] });
    const res = await chat(s.env, body(TWO));
    expect(res.status).toBe(200);
    const calls = await completionCalls(s, "openai");
    expect(calls).toHaveLength(2);
    // base_delay_ms 250 with jitter in [cap/2, cap]: at least 125 ms between the two attempts.
    expect(calls[1]!.received_at - calls[0]!.received_at).toBeGreaterThanOrEqual(120);
  });

  it("skips the candidate when Retry-After exceeds max_retry_after_ms, without waiting", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "status", status: 429, retry_after: "30" }] });
    const t0 = Date.now();
    const res = await chat(s.env, body(TWO));
    const json = (await res.json()) as Answer;
    expect(res.status).toBe(200);
    expect(json.x_router.provider).toBe("mistral");
    expect(await completionCalls(s, "openai")).toHaveLength(1);
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it("skips the candidate when the wait would pass the request deadline", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "status", status: 429, retry_after_ms: 3000 }] });
    const t0 = Date.now();
    const res = await chat(
      s.env,
      body(TWO, { router: { timeouts: { headers_ms: 400, first_token_ms: 600, idle_ms: 400, total_ms: 2000 } } }),
    );
    expect(res.status).toBe(200);
    expect(((await res.json()) as Answer).x_router.provider).toBe("mistral");
    expect(await completionCalls(s, "openai")).toHaveLength(1);
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it("retries a 500 once and answers from the same provider", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "status", status: 500, times: 1 }] });
    const res = await chat(s.env, body(TWO));
    const json = (await res.json()) as Answer;
    expect(res.status).toBe(200);
    expect(json.x_router.provider).toBe("openai");
    expect(json.x_router.attempts.map((a) => a.status)).toEqual(["failed", "ok"]);
    expect(await completionCalls(s, "openai")).toHaveLength(2);
  });

  it("retries a reset before any byte", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "reset", times: 1 }] });
    const res = await chat(s.env, body(TWO));
    expect(res.status).toBe(200);
    expect(((await res.json()) as Answer).x_router.provider).toBe("openai");
    expect(await completionCalls(s, "openai")).toHaveLength(2);
  });

  it("moves on after max_attempts on a persistent 503, and lists every attempt", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "status", status: 503 }] });
    const res = await chat(s.env, body(TWO));
    const json = (await res.json()) as Answer;
    expect(res.status).toBe(200);
    expect(json.x_router.provider).toBe("mistral");
    expect(json.x_router.attempts.map((a) => `${a.provider}:${a.status}`)).toEqual([
      "openai:failed",
      "openai:failed",
      "mistral:ok",
    ]);
    expect(res.headers.get("x-router-attempts")).toBe("2");
    expect(await completionCalls(s, "openai")).toHaveLength(2);
  });

  for (const status of [502, 504]) {
    it(`retries a ${status}`, async () => {
      const s = await newSession({ faults: [{ provider: "openai", mode: "status", status, times: 1 }] });
      const res = await chat(s.env, body(TWO));
      expect(res.status).toBe(200);
      expect(await completionCalls(s, "openai")).toHaveLength(2);
    });
  }
});

describe("errors that are not retried", () => {
  it("does not retry a 400 on the same model, and moves on", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "status", status: 400 }] });
    const res = await chat(s.env, body(TWO));
    expect(res.status).toBe(200);
    expect(await completionCalls(s, "openai")).toHaveLength(1);
  });

  it("stops at a content-policy refusal: 400 to the caller, no other provider asked", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "content_policy" }] });
    const res = await chat(s.env, body(TWO));
    const json = (await res.json()) as Answer;
    expect(res.status).toBe(400);
    expect(json.error?.code).toBeTruthy();
    expect(await completionCalls(s, "openai")).toHaveLength(1);
    expect(await completionCalls(s, "mistral")).toHaveLength(0);
  });

  it("moves a context_length_exceeded to a candidate with a larger window, skipping smaller ones", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "context_length" }] });
    // gpt-4o-mini: 128K; Qwen coder: 32K (skipped); claude-sonnet-4-6: 1M.
    const res = await chat(
      s.env,
      body(["openai/gpt-4o-mini", "together/Qwen/Qwen2.5-Coder-32B-Instruct", "anthropic/claude-sonnet-4-6"]),
    );
    const json = (await res.json()) as Answer;
    expect(res.status).toBe(200);
    expect(json.x_router.provider).toBe("anthropic");
    expect(json.x_router.attempts.map((a) => `${a.provider}:${a.status}`)).toEqual([
      "openai:failed",
      "together:skipped",
      "anthropic:ok",
    ]);
    expect(await completionCalls(s, "openai")).toHaveLength(1);
    expect(await completionCalls(s, "together")).toHaveLength(0);
  });

  it("answers 400 context_length_exceeded when no larger window is in the chain", async () => {
    const s = await newSession({ faults: [{ provider: "anthropic", mode: "context_length" }] });
    const res = await chat(s.env, body(["anthropic/claude-sonnet-4-6", "openai/gpt-4o-mini"]));
    expect(res.status).toBe(400);
    expect(await completionCalls(s, "openai")).toHaveLength(0);
  });

  it("moves on from a 401 at once and marks the provider misconfigured, so the next request skips it", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "status", status: 401 }] });
    const first = await chat(s.env, body(TWO));
    expect(first.status).toBe(200);
    expect(((await first.json()) as Answer).x_router.provider).toBe("mistral");
    expect(await completionCalls(s, "openai")).toHaveLength(1);
    const second = await chat(s.env, body(TWO));
    const json = (await second.json()) as Answer;
    expect(json.x_router.provider).toBe("mistral");
    // Left out by the router (status down) or skipped by the executor's gate: either way, not called.
    expect(json.x_router.attempts.filter((a) => a.provider === "openai" && a.status !== "skipped")).toHaveLength(0);
    expect(await completionCalls(s, "openai")).toHaveLength(1);
  });
});

describe("clocks on a non-streaming call", () => {
  it("a provider that never answers cannot eat the deadline: the next candidate still answers", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "hang" }] });
    const t0 = Date.now();
    // total 2 s and no headers clock of the caller's: one fallback's worth (min(half of 2 s, 15 s + 20 s)) is kept.
    const res = await chat(s.env, body(TWO, { router: { timeouts: { total_ms: 2000 } } }));
    const json = (await res.json()) as Answer;
    expect(res.status).toBe(200);
    expect(json.x_router.provider).toBe("mistral");
    expect(json.x_router.attempts[0]).toMatchObject({ provider: "openai", status: "failed" });
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(2000);
    const calls = await completionCalls(s, "openai");
    expect(calls).toHaveLength(1);
  });

  it("a headers clock the caller set holds a non-streaming call too: the next candidate answers after it", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "hang" }] });
    const t0 = Date.now();
    const res = await chat(s.env, body(TWO), { "x-router-timeout-headers-ms": "400" });
    const json = (await res.json()) as Answer;
    expect(res.status).toBe(200);
    expect(json.x_router.provider).toBe("mistral");
    expect(json.x_router.attempts[0]).toMatchObject({
      provider: "openai",
      status: "failed",
      error: expect.stringContaining("no response headers within 400 ms"),
    });
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(350);
    expect(elapsed).toBeLessThan(2000);
  });

  it("the last candidate gets the whole deadline, and the request ends at it: 502 deadline, never a hang", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "hang" }] });
    const t0 = Date.now();
    const res = await chat(s.env, body(["openai/gpt-4o-mini"], { router: { timeouts: { total_ms: 1500 } } }));
    expect(res.status).toBe(502);
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(1400);
    expect(elapsed).toBeLessThan(2500);
  });

  it("a slow answer within the clocks is waited for, not cut: without a headers clock of the caller's, the deadline", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "slow_headers", delay_ms: 500 }] });
    const res = await chat(s.env, body(TWO, { router: { timeouts: { total_ms: 4000 } } }));
    expect(res.status).toBe(200);
    expect(((await res.json()) as Answer).x_router.provider).toBe("openai");
  });
});

describe("when nothing answers", () => {
  it("answers 429 with Retry-After when every candidate was rate limited", async () => {
    const s = await newSession({
      faults: [
        { provider: "openai", mode: "status", status: 429, retry_after: "20" },
        { provider: "mistral", mode: "status", status: 429, retry_after: "40" },
      ],
    });
    const res = await chat(s.env, body(TWO));
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("20");
    expect(((await res.json()) as Answer).error?.code).toBe("rate_limit_exceeded");
  });

  it("answers 502 listing the attempts when every candidate failed", async () => {
    const s = await newSession({
      faults: [
        { provider: "openai", mode: "status", status: 500 },
        { provider: "mistral", mode: "status", status: 503 },
      ],
    });
    const res = await chat(s.env, body(TWO));
    const json = (await res.json()) as Answer;
    expect(res.status).toBe(502);
    expect(json.x_router.attempts).toHaveLength(4);
  });
});
