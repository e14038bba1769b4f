// What HTTP says in headers, RPC says in the value (src/rpc/limits.ts): a failure's wait (Retry-After), a limited
// caller's x-ratelimit-* numbers and a budget's x-budget-remaining-usd, on failures and on answers.
import { describe, expect, it } from "vitest";
import { call, chat, newSession } from "../gateway.ts";
import { rpcFor } from "./rpc-helpers.ts";

const HI = [{ role: "user" as const, content: "hi" }];
const uniq = (p: string) => `${p}-${crypto.randomUUID().slice(0, 8)}`;

describe("RPC failures carry HTTP's Retry-After as retry_after_ms", () => {
  it("an upstream 429 with Retry-After on every candidate: the wait the HTTP answer gives", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "status", status: 429, retry_after: "120" }] });
    const body = { model: "openai/gpt-4o-mini", messages: HI, router: { fallback: false } };
    const http = await chat(s.env, body);
    expect(http.status).toBe(429);
    expect(http.headers.get("retry-after")).toBe("120");

    const { rpc, done } = rpcFor(s.env);
    const answer = await rpc.generate(body);
    await done();
    expect(answer).toMatchObject({ ok: false, status: 429, retry_after_ms: 120_000, rate_limit: null, budget: null });
    const streamed = await rpc.stream(body);
    await done();
    expect(streamed).toMatchObject({ ok: false, status: 429, retry_after_ms: 120_000 });
  });

  it("a failure with nothing to wait for says null", async () => {
    const s = await newSession();
    const { rpc } = rpcFor(s.env);
    const answer = await rpc.generate({ model: "no-such-model", messages: HI });
    expect(answer).toMatchObject({ ok: false, status: 400, retry_after_ms: null, rate_limit: null, budget: null });
  });
});

describe("RPC options", () => {
  it("null options are none: the call answers, as with no options", async () => {
    const s = await newSession();
    const { rpc, done } = rpcFor(s.env);
    const body = { model: "openai/gpt-4o-mini", messages: HI, router: { fallback: false } };
    expect(await rpc.generate(body, null)).toMatchObject({ ok: true });
    const streamed = await rpc.stream(body, null);
    expect(streamed).toMatchObject({ ok: true });
    if (streamed.ok) await new Response(streamed.events).text();
    await done();
  });
});

describe("RPC answers to a rate-limited workspace carry the x-ratelimit-* numbers", () => {
  it("over its rpm_limit: the 429 says when to retry and the window; the answer before, what was left", async () => {
    const s = await newSession();
    const ws = uniq("rpc-rpm");
    const put = await call(s.env, `/v1/budgets/${ws}`, { method: "PUT", json: { rpm_limit: 1 } });
    expect(put.status, await put.clone().text()).toBe(200);
    const { rpc, done } = rpcFor(s.env);
    const body = { model: "openai/gpt-4o-mini", messages: HI, router: { workspace_id: ws } };

    const first = await rpc.generate(body);
    expect(first.ok, JSON.stringify(first)).toBe(true);
    expect(first).toMatchObject({ rate_limit: { requests: { limit: 1, remaining: 0 }, tokens: null }, budget: null });
    // What HTTP's x-ratelimit-reset-requests says: the window is back to its initial state once this request left it.
    expect(first.rate_limit?.requests?.reset_ms).toBe(60_000);

    const second = await rpc.generate(body);
    await done();
    expect(second).toMatchObject({
      ok: false,
      status: 429,
      error: { code: "rate_limit_exceeded", type: "requests" },
      rate_limit: { requests: { limit: 1, remaining: 0 }, tokens: null },
      budget: null,
    });
    if (second.ok) throw new Error("admitted over the limit");
    // Within the one-minute window, in whole seconds as HTTP's Retry-After.
    expect(second.retry_after_ms).toBeGreaterThanOrEqual(1000);
    expect(second.retry_after_ms).toBeLessThanOrEqual(60_000);
    expect((second.retry_after_ms ?? 0) % 1000).toBe(0);

    // The same refusal over HTTP, header for field.
    const http = await chat(s.env, { ...body, router: undefined }, { "x-router-workspace": ws });
    expect(http.status).toBe(429);
    expect(http.headers.get("x-ratelimit-limit-requests")).toBe("1");
    expect(http.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    expect(Number(http.headers.get("retry-after")) * 1000).toBeLessThanOrEqual(second.retry_after_ms ?? 0);
  });

  it("stream(): the started stream carries the window too", async () => {
    const s = await newSession();
    const ws = uniq("rpc-rpm-stream");
    const put = await call(s.env, `/v1/budgets/${ws}`, { method: "PUT", json: { rpm_limit: 5, tpm_limit: 100_000 } });
    expect(put.status, await put.clone().text()).toBe(200);
    const { rpc, done } = rpcFor(s.env);
    const started = await rpc.stream({ model: "openai/gpt-4o-mini", messages: HI, router: { workspace_id: ws } });
    if (!started.ok) throw new Error(JSON.stringify(started));
    await new Response(started.events).text();
    await done();
    expect(started.rate_limit).toMatchObject({
      requests: { limit: 5, remaining: 4 },
      tokens: { limit: 100_000 },
    });
    expect(started.rate_limit?.tokens?.remaining).toBeLessThan(100_000);
  });
});

describe("RPC answers to a budgeted workspace carry x-budget-remaining-usd as budget.remaining_usd", () => {
  it("an answer says what is left after its hold; a 402 says what was left, with no wait", async () => {
    const s = await newSession();
    const ws = uniq("rpc-budget");
    const put = await call(s.env, `/v1/budgets/${ws}`, {
      method: "PUT",
      json: { limit_usd: 5, period: "day", on_limit: "reject" },
    });
    expect(put.status, await put.clone().text()).toBe(200);
    const { rpc, done } = rpcFor(s.env);
    const answer = await rpc.generate({ model: "openai/gpt-4o-mini", messages: HI, router: { workspace_id: ws } });
    await done();
    if (!answer.ok) throw new Error(JSON.stringify(answer));
    expect(answer.rate_limit).toBeNull();
    expect(answer.budget?.alert).toBeNull();
    expect(answer.budget?.remaining_usd).toBeGreaterThan(0);
    expect(answer.budget?.remaining_usd).toBeLessThanOrEqual(5);

    const broke = uniq("rpc-broke");
    const tiny = await call(s.env, `/v1/budgets/${broke}`, {
      method: "PUT",
      json: { limit_usd: 0.000001, period: "day", on_limit: "reject" },
    });
    expect(tiny.status, await tiny.clone().text()).toBe(200);
    const refused = await rpc.generate({ model: "openai/gpt-4o-mini", messages: HI, router: { workspace_id: broke } });
    await done();
    expect(refused).toMatchObject({
      ok: false,
      status: 402,
      error: { code: "budget_exceeded" },
      retry_after_ms: null,
      rate_limit: null,
      budget: { remaining_usd: 0.000001, alert: null },
    });
  });
});
