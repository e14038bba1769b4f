// A budget list that could not be loaded never reads as "no budgets": the gate asks each workspace's BudgetObject,
// refuses with a short retry when that cannot answer either, and GET /v1/gateway says the list is unavailable.
// Its own file: the isolate's governance cache must not have loaded a snapshot before the first test.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Env } from "../../../src/env.ts";
import { BUDGET_LIST_TRUST_MS, GovernanceCache, SNAPSHOT_RETRY_MS } from "../../../src/keys/governance-cache.ts";
import { budgetStub, workspaceScope } from "../../../src/ledger/budget-gate.ts";
import { newSession } from "../gateway.ts";
import { callFull, chatDone, uniqueWorkspace } from "./ledger-helpers.ts";

const MINI_REAL_PICO = 40 * 150_000 + 13 * 600_000; // gpt-4o-mini on chat-completion-text.json (see cost.test.ts)
const body = {
  model: "openai/gpt-4o-mini",
  messages: [{ role: "user", content: "What is the weather in San Francisco?" }],
  max_tokens: 100,
  router: { fallback: false },
};

/** A Durable Object namespace whose every call fails, as an unreachable object would. */
function unreachable<T>(what: string): T {
  const fail = () => Promise.reject(new Error(`${what} unreachable`));
  const stub = new Proxy({}, { get: () => fail });
  return {
    idFromName: (name: string) => env.GOVERNANCE.idFromName(name),
    get: () => stub,
  } as unknown as T;
}

async function gatewayBudgets(sessionEnv: Env) {
  const { res, done } = await callFull(sessionEnv, "/v1/gateway");
  expect(res.status).toBe(200);
  return (JSON.parse(await done()) as { budgets: { state: string; reason: string | null } }).budgets;
}

describe("a budget list that cannot be loaded", () => {
  it("is not 'no budgets': budgeted workspaces are held by their BudgetObject, and charged", async () => {
    const s = await newSession();
    const down = { ...s.env, GOVERNANCE: unreachable<Env["GOVERNANCE"]>("directory") };
    const ws = uniqueWorkspace("list-down");
    await budgetStub(env, workspaceScope(ws)).configure(
      { limit_pico: 10 * MINI_REAL_PICO, period: "month", alert_threshold: 0.8, on_limit: "reject" },
      Date.now(),
    );

    const info = await gatewayBudgets(down);
    expect(info.state).toBe("unavailable");
    expect(info.reason).toMatch(/could not be read/);

    const r = await chatDone(down, body, { "x-router-workspace": ws });
    expect(r.status, r.text).toBe(200);
    // Held (the hold's headers are there) and settled with the real cost.
    expect(r.headers.get("x-budget-remaining-usd")).not.toBeNull();
    expect((await budgetStub(env, workspaceScope(ws)).status(Date.now()))?.spent_pico).toBe(MINI_REAL_PICO);

    // A workspace whose BudgetObject says "no budget" is served as before.
    const free = await chatDone(down, body, { "x-router-workspace": uniqueWorkspace("list-down-free") });
    expect(free.status).toBe(200);
    expect(free.headers.get("x-budget-remaining-usd")).toBeNull();
  });

  it("when the workspace's budget cannot be asked either, the request is a 503 with a short retry", async () => {
    const s = await newSession();
    const down = {
      ...s.env,
      GOVERNANCE: unreachable<Env["GOVERNANCE"]>("directory"),
      BUDGETS: unreachable<Env["BUDGETS"]>("budget"),
    };
    const r = await chatDone(down, body, { "x-router-workspace": uniqueWorkspace("all-down") });
    expect(r.status, r.text).toBe(503);
    expect(r.headers.get("retry-after")).toBe("1");
    expect((JSON.parse(r.text) as { error: { code: string } }).error.code).toBe("budget_unavailable");
    // No call went out.
    expect((await s.requests()).filter((q) => q.path.endsWith("/chat/completions"))).toHaveLength(0);
  });

  it("the list loads again on a request after the short retry, and the gateway says so", async () => {
    const s = await newSession();
    await new Promise((r) => setTimeout(r, SNAPSHOT_RETRY_MS + 50));
    expect(await gatewayBudgets(s.env)).toEqual({ state: "loaded", loaded_at: expect.any(Number), reason: null });
  });

  it("a list whose refreshes keep failing stops being trusted after BUDGET_LIST_TRUST_MS", async () => {
    let now = 1_000_000;
    const cache = new GovernanceCache(() => now);
    const pending: Promise<unknown>[] = [];
    const ctx = { waitUntil: (p: Promise<unknown>) => void pending.push(p) };
    const good = { ...env } as Env;
    const down = { ...env, GOVERNANCE: unreachable<Env["GOVERNANCE"]>("directory") };
    await cache.ready(good, ctx);
    expect(cache.budgetListState()).toMatchObject({ state: "loaded", loaded_at: now });
    // Refreshes in the background fail from now on: the old list is trusted for a while, then not.
    for (const step of [15_000, 15_000, 15_000, 15_000 + 1]) {
      now += step;
      await cache.ready(down, ctx);
      await Promise.all(pending.splice(0));
    }
    expect(now - 1_000_000).toBeGreaterThan(BUDGET_LIST_TRUST_MS);
    expect(cache.budgetsKnown()).toBe(false);
    expect(cache.budgetListState()).toMatchObject({ state: "unavailable", loaded_at: 1_000_000 });
    // One good refresh restores it.
    now += 11_000;
    await cache.ready(good, ctx);
    await Promise.all(pending.splice(0));
    expect(cache.budgetListState()).toMatchObject({ state: "loaded", reason: null });
  });
});
