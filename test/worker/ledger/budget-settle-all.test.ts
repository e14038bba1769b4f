// Every priced request of a budgeted workspace is charged, held or not: an isolate whose budget list has not yet heard
// of a budget set elsewhere admits without a hold, and the cost still reaches the workspace's BudgetObject.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { directoryOf } from "../../../src/keys/governance-directory.ts";
import { budgetStub, workspaceScope } from "../../../src/ledger/budget-gate.ts";
import { newSession } from "../gateway.ts";
import { callFull, chatDone, uniqueWorkspace, xRouterOf } from "./ledger-helpers.ts";

const MINI_REAL_PICO = 40 * 150_000 + 13 * 600_000; // gpt-4o-mini on chat-completion-text.json (see cost.test.ts)
const body = {
  model: "openai/gpt-4o-mini",
  messages: [{ role: "user", content: "What is the weather in San Francisco?" }],
  max_tokens: 100,
  router: { fallback: false },
};
const spent = async (ws: string) => (await budgetStub(env, workspaceScope(ws)).status(Date.now()))?.spent_pico;

describe("budgets settle every request", () => {
  it("a budget set by another isolate: this isolate admits without a hold, and the workspace is still charged", async () => {
    const s = await newSession();
    const ws = uniqueWorkspace("stale-list");
    // This isolate loads its budget list (no budget for ws yet)...
    expect((await chatDone(s.env, body, { "x-router-workspace": uniqueWorkspace("warm") })).status).toBe(200);
    // ...then another isolate sets the budget: the BudgetObject and the directory know, this isolate's list does not.
    const now = Date.now();
    await budgetStub(env, workspaceScope(ws)).configure(
      { limit_pico: 1_000_000_000_000, period: "month", alert_threshold: 0.8, on_limit: "reject" },
      now,
    );
    await directoryOf(env).setBudget(ws, "reject");

    const r = await chatDone(s.env, body, { "x-router-workspace": ws });
    expect(r.status, r.text).toBe(200);
    // Admitted with no hold (the list is stale: no budget header)...
    expect(r.headers.get("x-budget-remaining-usd")).toBeNull();
    // ...and charged after the fact, exactly what it cost.
    expect(Math.round(xRouterOf(r.text, false).cost_usd! * 1e12)).toBe(MINI_REAL_PICO);
    expect(await spent(ws)).toBe(MINI_REAL_PICO);
    const { res, done } = await callFull(s.env, `/v1/budgets/${ws}`);
    expect(res.status).toBe(200);
    expect(Math.round((JSON.parse(await done()) as { spent_usd: number }).spent_usd * 1e12)).toBe(MINI_REAL_PICO);
  });

  it("an unbudgeted workspace's after-the-fact charge is ignored, so a later budget's ledger seed is not doubled", async () => {
    const s = await newSession();
    const ws = uniqueWorkspace("unbudgeted");
    expect((await chatDone(s.env, body, { "x-router-workspace": ws })).status).toBe(200);
    expect(await spent(ws)).toBeUndefined();
    const { res, done } = await callFull(s.env, `/v1/budgets/${ws}`, {
      method: "PUT",
      json: { limit_usd: 1, period: "month" },
    });
    expect(res.status, await done()).toBe(200);
    // The seed from the ledger: the one request, once.
    expect(await spent(ws)).toBe(MINI_REAL_PICO);
  });

  it("BudgetObject.charge counts only requests that finished after the budget was set, and only while it is set", async () => {
    const stub = budgetStub(env, workspaceScope(uniqueWorkspace("charge")));
    const t = Date.UTC(2026, 10, 20, 12);
    expect(await stub.charge([{ finished_at: t, cost_pico: 500 }], t)).toBe(0);
    await stub.configure({ limit_pico: 10_000, period: "month", alert_threshold: 0.8, on_limit: "reject" }, t + 10, 0);
    const charged = await stub.charge(
      [
        { finished_at: t + 5, cost_pico: 700 }, // finished before the budget: the ledger seed's business
        { finished_at: t + 20, cost_pico: 300 },
        { finished_at: t + 30, cost_pico: 200 },
      ],
      t + 40,
    );
    expect(charged).toBe(500);
    // Re-configuring (a new limit) keeps the start, so in-flight charges still count.
    await stub.configure({ limit_pico: 20_000, period: "month", alert_threshold: 0.8, on_limit: "reject" }, t + 50, 0);
    expect(await stub.charge([{ finished_at: t + 45, cost_pico: 100 }], t + 60)).toBe(100);
    expect((await stub.status(t + 70))?.spent_pico).toBe(600);
    await stub.unconfigure();
    expect(await stub.charge([{ finished_at: t + 80, cost_pico: 100 }], t + 80)).toBe(0);
  });
});
