// Budgets: holds before the call, settles after; concurrency never overspends; reject, downgrade, alert, seeding.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CONFIG } from "../../../src/config/index.ts";
import { type ChatCompletionRequest, toCanonical } from "../../../src/dialects/chat/request.ts";
import type { Env } from "../../../src/env.ts";
import { RESERVATION_TTL_MS } from "../../../src/ledger/budget-object.ts";
import { worstCasePico, worstCasePromptTokens } from "../../../src/ledger/worst-case.ts";
import { ModelRegistry } from "../../../src/registry/model-registry.ts";
import { newSession } from "../gateway.ts";
import { callFull, chatDone, uniqueWorkspace, xRouterOf } from "./ledger-helpers.ts";

const registry = new ModelRegistry(CONFIG.models.models);
const MINI_REAL_PICO = 40 * 150_000 + 13 * 600_000; // gpt-4o-mini on chat-completion-text.json (see cost.test.ts)

function body(model: string, extra: Record<string, unknown> = {}) {
  return {
    model,
    messages: [{ role: "user", content: "What is the weather in San Francisco?" }],
    max_tokens: 100,
    router: { fallback: false },
    ...extra,
  };
}

/** The hold the gateway takes for this body on this model (the same bound the gate computes). */
function worstOf(model: string, b: Record<string, unknown>): number {
  const req = toCanonical(b as unknown as ChatCompletionRequest);
  const ref = registry.resolve(model);
  if (ref === null) throw new Error(model);
  return worstCasePico(ref, worstCasePromptTokens(req), req);
}

async function putBudget(sessionEnv: Env, ws: string, budget: Record<string, unknown>) {
  const { res, done } = await callFull(sessionEnv, `/v1/budgets/${ws}`, { method: "PUT", json: budget });
  const text = await done();
  expect(res.status, text).toBe(200);
  return JSON.parse(text) as Record<string, unknown>;
}

async function getBudget(sessionEnv: Env, ws: string) {
  const { res, done } = await callFull(sessionEnv, `/v1/budgets/${ws}`);
  const text = await done();
  return {
    status: res.status,
    json: JSON.parse(text) as {
      spent_usd: number;
      reserved_usd: number;
      remaining_usd: number;
      limit_usd: number;
      alert: boolean;
      on_limit: string;
      period: string;
    },
  };
}

describe("budgets", () => {
  it("20 concurrent requests against a budget with room for 5: exactly 5 answered, spend within the limit", async () => {
    // Slow answers, so every request takes its hold before any settles.
    const s = await newSession({ faults: [{ provider: "openai", mode: "slow_headers", delay_ms: 400 }] });
    const ws = uniqueWorkspace("concurrent");
    const b = body("openai/gpt-4o-mini");
    const worst = worstOf("openai/gpt-4o-mini", b);
    const limitPico = 5 * worst + Math.floor(worst / 2);
    await putBudget(s.env, ws, { limit_usd: limitPico / 1e12, period: "month", on_limit: "reject" });

    const results = await Promise.all(
      Array.from({ length: 20 }, () => chatDone(s.env, b, { "x-router-workspace": ws })),
    );
    const ok = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status === 402);
    expect(ok).toHaveLength(5);
    expect(refused).toHaveLength(15);
    for (const r of refused) {
      const err = JSON.parse(r.text) as { error: { code: string; type: string; message: string; param: null } };
      expect(err.error).toMatchObject({ code: "budget_exceeded", param: null });
      expect(r.headers.get("x-budget-remaining-usd")).not.toBeNull();
    }
    // Only five calls reached the provider.
    expect((await s.requests()).filter((r) => r.path.endsWith("/chat/completions"))).toHaveLength(5);

    const reported = ok.reduce((a, r) => a + (xRouterOf(r.text, false).cost_usd ?? 0), 0);
    const status = await getBudget(s.env, ws);
    expect(status.json.reserved_usd).toBe(0);
    expect(Math.round(status.json.spent_usd * 1e12)).toBe(5 * MINI_REAL_PICO);
    expect(status.json.spent_usd).toBeLessThanOrEqual(limitPico / 1e12);
    expect(Math.round(status.json.spent_usd * 1e6)).toBe(Math.round(reported * 1e6));
    const usage = (await (await callFull(s.env, `/v1/usage?workspace_id=${ws}`)).res.json()) as {
      totals: { cost_pico: number; requests: number };
    };
    // Refused requests never reached the router's ledger: they were turned away before any call.
    expect(usage.totals).toMatchObject({ cost_pico: 5 * MINI_REAL_PICO, requests: 5 });
  });

  it("downgrade keeps only the candidates whose worst case fits what is left", async () => {
    const s = await newSession();
    const ws = uniqueWorkspace("downgrade");
    const b = body("openai/gpt-4o-mini", { models: ["anthropic/claude-haiku-4-5", "openai/gpt-4o-mini"], router: {} });
    const cheap = worstOf("openai/gpt-4o-mini", b);
    const dear = worstOf("anthropic/claude-haiku-4-5", b);
    expect(dear).toBeGreaterThan(cheap);
    await putBudget(s.env, ws, { limit_usd: (cheap + 1) / 1e12, on_limit: "downgrade" });
    const r = await chatDone(s.env, b, { "x-router-workspace": ws });
    expect(r.status, r.text).toBe(200);
    expect(r.headers.get("x-router-provider")).toBe("openai");
    const x = JSON.parse(r.text) as { x_router: { attempts: { provider: string }[] } };
    expect(x.x_router.attempts.map((a) => a.provider)).toEqual(["openai"]);
    expect((await s.requests()).filter((q) => q.provider === "anthropic")).toHaveLength(0);

    // Under reject, the same request is refused: the dearer candidate's worst case does not fit.
    const ws2 = uniqueWorkspace("reject");
    await putBudget(s.env, ws2, { limit_usd: (cheap + 1) / 1e12, on_limit: "reject" });
    const refused = await chatDone(s.env, b, { "x-router-workspace": ws2 });
    expect(refused.status).toBe(402);
  });

  it("downgrade answers while the budget holds and refuses with its 402 once nothing fits, never a 503", async () => {
    const s = await newSession();
    const ws = uniqueWorkspace("downgrade-seq");
    // One candidate (fallback off): nothing cheaper to downgrade to once it no longer fits.
    const b = body("openai/gpt-4o-mini");
    const worst = worstOf("openai/gpt-4o-mini", b);
    const limitPico = Math.floor(1.5 * worst);
    await putBudget(s.env, ws, { limit_usd: limitPico / 1e12, on_limit: "downgrade" });
    // One after another: each holds its worst case and settles to what it cost, so the budget decides exactly.
    const expected: number[] = [];
    let left = limitPico;
    for (let i = 0; i < 6; i++) {
      if (worst <= left) {
        expected.push(200);
        left -= MINI_REAL_PICO;
      } else expected.push(402);
    }
    expect(expected).toContain(402);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await chatDone(s.env, b, { "x-router-workspace": ws });
      statuses.push(r.status);
      if (r.status === 402)
        expect((JSON.parse(r.text) as { error: { code: string } }).error.code).toBe("budget_exceeded");
    }
    expect(statuses).toEqual(expected);
  });

  it("says how much is left, and raises the alert past the threshold", async () => {
    const s = await newSession();
    const ws = uniqueWorkspace("alert");
    const b = body("openai/gpt-4o-mini");
    const worst = worstOf("openai/gpt-4o-mini", b);
    // The hold alone takes 60% of the limit: past a 0.5 threshold.
    const limitPico = Math.ceil(worst / 0.6);
    await putBudget(s.env, ws, { limit_usd: limitPico / 1e12, alert_threshold: 0.5, on_limit: "reject" });
    const r = await chatDone(s.env, b, { "x-router-workspace": ws });
    expect(r.status, r.text).toBe(200);
    expect(Number(r.headers.get("x-budget-remaining-usd"))).toBeCloseTo((limitPico - worst) / 1e12, 6);
    expect(r.headers.get("x-budget-alert")).toMatch(/50%/);
    const other = await chatDone(s.env, b, { "x-router-workspace": uniqueWorkspace("nobudget") });
    expect(other.headers.get("x-budget-remaining-usd")).toBeNull();
  });

  it("a budget set mid-period counts what the ledger already shows; PUT validates; GET 404s without one", async () => {
    const s = await newSession();
    const ws = uniqueWorkspace("seed");
    expect((await getBudget(s.env, ws)).status).toBe(404);
    expect((await chatDone(s.env, body("openai/gpt-4o-mini"), { "x-router-workspace": ws })).status).toBe(200);
    const put = await putBudget(s.env, ws, { limit_usd: 1, period: "day" });
    expect(put).toMatchObject({
      workspace_id: ws,
      limit_usd: 1,
      period: "day",
      on_limit: "reject",
      alert_threshold: 0.8,
    });
    const status = await getBudget(s.env, ws);
    expect(Math.round(status.json.spent_usd * 1e12)).toBe(MINI_REAL_PICO);
    for (const [bad, param] of [
      [{ limit_usd: -1 }, "limit_usd"],
      [{ limit_usd: 1, period: "week" }, "period"],
      [{ limit_usd: 1, on_limit: "ignore" }, "on_limit"],
      [{ limit_usd: 1, alert_threshold: 1.5 }, "alert_threshold"],
    ] as const) {
      const { res, done } = await callFull(s.env, `/v1/budgets/${ws}`, { method: "PUT", json: bad });
      expect(res.status).toBe(400);
      expect((JSON.parse(await done()) as { error: { param: string } }).error.param).toBe(param);
    }
  });

  it("a hold left by a request that never settled frees itself after the TTL", async () => {
    const stub = env.BUDGETS.get(env.BUDGETS.idFromName(`ws:${uniqueWorkspace("ttl")}`));
    const now = Date.UTC(2026, 10, 20, 12);
    await stub.configure({ limit_pico: 1000, period: "month", alert_threshold: 0.8, on_limit: "reject" }, now);
    expect((await stub.reserve("h1", [800], now)).ok).toBe(true);
    expect((await stub.reserve("h2", [800], now + 1000)).ok).toBe(false);
    expect((await stub.reserve("h3", [800], now + RESERVATION_TTL_MS + 1)).ok).toBe(true);
    // Settling charges the real cost to the period the hold was taken in; an unpriced (Infinity) candidate never fits.
    await stub.settle("h3", 300, now + RESERVATION_TTL_MS + 2);
    expect(await stub.status(now + RESERVATION_TTL_MS + 3)).toMatchObject({
      spent_pico: 300,
      reserved_pico: 0,
      remaining_pico: 700,
    });
    expect((await stub.reserve("h4", [Number.POSITIVE_INFINITY], now + RESERVATION_TTL_MS + 4)).ok).toBe(false);
  });
});
