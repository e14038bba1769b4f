// Budget alert webhooks: one POST per workspace, period and event, signed with the shared secret; a failing delivery
// is retried by a later request (or the cron) and a hanging one changes no answer; GET /v1/alerts lists them.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { BudgetAlert } from "../../../src/ledger/budget-alerts.ts";
import { budgetStub, workspaceScope } from "../../../src/ledger/budget-gate.ts";
import { deliverAllOwed, signature } from "../../../src/observability/budget-webhook.ts";
import { FAST } from "../failover/helpers.ts";
import { call, chat, newSession } from "../gateway.ts";
import { uniqueWorkspace } from "../ledger/ledger-helpers.ts";
import { newReceiver, type Receiver } from "./receiver.ts";

const SECRET = "whsec-test-secret";

function hooked(receiver: Receiver, extra: Record<string, string> = {}) {
  return {
    BUDGET_ALERT_WEBHOOK_URL: `${receiver.url}/hook`,
    BUDGET_ALERT_WEBHOOK_SECRET: SECRET,
    BUDGET_ALERT_WEBHOOK_TIMEOUT_MS: "400",
    ...extra,
  };
}

const ask = (workspace: string) => ({
  model: "openai/gpt-4o-mini",
  messages: [{ role: "user", content: "What is 10 + 5?" }],
  max_tokens: 50,
  router: { workspace_id: workspace, timeouts: FAST },
});

async function setBudget(env: Parameters<typeof call>[0], ws: string, limit_usd: number, alert_threshold: number) {
  const res = await call(env, `/v1/budgets/${ws}`, {
    method: "PUT",
    json: { limit_usd, alert_threshold, period: "month" },
  });
  expect(res.status).toBe(200);
}

interface Alert {
  event: string;
  workspace_id: string;
  period: string;
  period_start: number;
  spent_usd: number;
  limit_usd: number;
  threshold: number;
}

describe("budget alert webhook", () => {
  it("posts the threshold event once, signed with the secret", async () => {
    const receiver = await newReceiver();
    const s = await newSession({}, hooked(receiver));
    const ws = uniqueWorkspace("alert-threshold");
    // A dollar with an alert at a millionth of it: the first request crosses the threshold, not the limit.
    await setBudget(s.env, ws, 1, 0.000001);
    expect((await chat(s.env, ask(ws))).status).toBe(200);
    expect((await chat(s.env, ask(ws))).status).toBe(200);
    const received = await receiver.received();
    expect(received).toHaveLength(1);
    const [hook] = received;
    expect(hook?.path).toBe("/hook");
    expect(hook?.headers["content-type"]).toBe("application/json");
    expect(hook?.headers["x-switchyard-signature"]).toBe(await signature(SECRET, hook?.body ?? ""));
    expect(hook?.headers["x-switchyard-signature"]).toMatch(/^sha256=[0-9a-f]{64}$/);
    const alert = JSON.parse(hook?.body ?? "{}") as Alert;
    expect(alert).toMatchObject({ event: "budget.threshold", workspace_id: ws, period: "month", limit_usd: 1 });
    expect(alert.threshold).toBe(0.000001);
    expect(alert.spent_usd).toBeGreaterThan(0);
    expect(new Date(alert.period_start).getUTCDate()).toBe(1);
    expect(Object.keys(alert).sort()).toEqual(
      ["event", "workspace_id", "period", "period_start", "spent_usd", "limit_usd", "threshold"].sort(),
    );

    const listed = await call(s.env, `/v1/alerts?workspace_id=${ws}`);
    const body = (await listed.json()) as { webhook_configured: boolean; data: (Alert & { sent_at: number | null })[] };
    expect(body.webhook_configured).toBe(true);
    expect(body.data).toHaveLength(1);
    expect(body.data[0]).toMatchObject({ event: "budget.threshold", attempts: 1 });
    expect(body.data[0]?.sent_at).toBeGreaterThan(0);
  });

  it("sends the limit event from the cron's pass for spend the budget was seeded with, once", async () => {
    const receiver = await newReceiver();
    const s = await newSession({}, hooked(receiver));
    const ws = uniqueWorkspace("alert-limit");
    expect((await chat(s.env, ask(ws))).status).toBe(200);
    // Set after the spend: the ledger seeds it, already past a tiny limit.
    await setBudget(s.env, ws, 0.000001, 0.5);
    await deliverAllOwed(s.env, Date.now);
    await deliverAllOwed(s.env, Date.now);
    const events = (await receiver.received()).map((r) => (JSON.parse(r.body) as Alert).event).sort();
    expect(events).toEqual(["budget.limit", "budget.threshold"]);
  });

  // DESIGN: "reaching its limit" POSTs budget.limit once. The worst-case hold stops spend short of limit_usd, so a
  // budget that refuses requests for its spend has reached its limit as far as its callers can tell.
  it("posts the limit event once when a reject budget starts refusing requests for its spend", async () => {
    const receiver = await newReceiver();
    const s = await newSession({}, hooked(receiver));
    const ws = uniqueWorkspace("alert-refusing");
    // $0.0001: room for a few gpt-4o-mini answers' worst cases.
    await setBudget(s.env, ws, 0.0001, 0.5);
    const single = { ...ask(ws), router: { workspace_id: ws, fallback: false, timeouts: FAST } };
    const statuses: number[] = [];
    while (!statuses.includes(402) && statuses.length < 12) statuses.push((await chat(s.env, single)).status);
    expect(statuses.at(-1)).toBe(402);
    expect((await chat(s.env, single)).status).toBe(402);
    const alerts = (await receiver.received()).map((r) => JSON.parse(r.body) as Alert);
    expect(alerts.map((a) => a.event).sort()).toEqual(["budget.limit", "budget.threshold"]);
    const limit = alerts.find((a) => a.event === "budget.limit");
    expect(limit).toMatchObject({ workspace_id: ws, limit_usd: 0.0001 });
    expect(limit?.spent_usd).toBeLessThan(0.0001);
  });

  it("owes the limit event for a refusal its settled spend caused, not one too big for the budget or held off", async () => {
    const now = Date.now();
    const owed = async (ws: string) =>
      ((await budgetStub(env, workspaceScope(ws)).claimAlerts(ws, now)) as BudgetAlert[]).map((a) => a.event);
    const budget = async (ws: string, on_limit: "reject" | "downgrade") => {
      const stub = budgetStub(env, workspaceScope(ws));
      await stub.configure({ limit_pico: 1000, period: "month", alert_threshold: 0.9, on_limit }, now);
      return stub;
    };
    // Downgrade with nothing that fits: 600 settled leaves 400, and the only candidate's 600 does not fit.
    const spentDowngrade = uniqueWorkspace("owed-downgrade");
    const downgrade = await budget(spentDowngrade, "downgrade");
    expect((await downgrade.reserve("a", [600], now)).ok).toBe(true);
    await downgrade.settle("a", 600, now);
    expect((await downgrade.reserve("b", [800, 600], now)).ok).toBe(false);
    expect((await owed(spentDowngrade)).sort()).toEqual(["budget.limit", "budget.threshold"]);
    // More than the whole limit at worst: refused whatever was spent.
    const tooBig = uniqueWorkspace("owed-too-big");
    expect((await (await budget(tooBig, "reject")).reserve("a", [1001], now)).ok).toBe(false);
    expect(await owed(tooBig)).toEqual([]);
    // Refused only for a hold in flight, which may still come back.
    const heldOff = uniqueWorkspace("owed-held-off");
    const held = await budget(heldOff, "reject");
    expect((await held.reserve("a", [600], now)).ok).toBe(true);
    expect((await held.reserve("b", [600], now)).ok).toBe(false);
    expect(await owed(heldOff)).toEqual([]);
  });

  it("retries a failing delivery on a later request, and then never again", async () => {
    const receiver = await newReceiver({ fail_first: 1 });
    const s = await newSession({}, hooked(receiver));
    const ws = uniqueWorkspace("alert-retry");
    await setBudget(s.env, ws, 1, 0.000001);
    expect((await chat(s.env, ask(ws))).status).toBe(200);
    expect(await receiver.received()).toHaveLength(1);
    const failed = (await (await call(s.env, `/v1/alerts?workspace_id=${ws}`)).json()) as {
      data: { sent_at: number | null; last_error: string | null }[];
    };
    expect(failed.data[0]).toMatchObject({ sent_at: null, last_error: "HTTP 503" });
    // The first retry waits a second after a failure.
    await new Promise((r) => setTimeout(r, 1100));
    expect((await chat(s.env, ask(ws))).status).toBe(200);
    expect((await chat(s.env, ask(ws))).status).toBe(200);
    const received = await receiver.received();
    expect(received).toHaveLength(2);
    expect(received[1]?.body).toContain('"event":"budget.threshold"');
  });

  it("answers normally while the webhook hangs", async () => {
    const receiver = await newReceiver({ hang: true });
    const s = await newSession({}, hooked(receiver));
    const ws = uniqueWorkspace("alert-hang");
    await setBudget(s.env, ws, 1, 0.000001);
    const res = await chat(s.env, ask(ws));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { choices: unknown[] }).choices).toHaveLength(1);
    expect(await receiver.received()).toHaveLength(1);
    const listed = (await (await call(s.env, `/v1/alerts?workspace_id=${ws}`)).json()) as {
      data: { sent_at: number | null; last_error: string | null }[];
    };
    expect(listed.data[0]?.sent_at).toBeNull();
    expect(listed.data[0]?.last_error).toMatch(/Timeout|abort/i);
  });

  it("posts nothing without a webhook URL", async () => {
    const receiver = await newReceiver();
    const s = await newSession();
    const ws = uniqueWorkspace("alert-off");
    await setBudget(s.env, ws, 1, 0.000001);
    expect((await chat(s.env, ask(ws))).status).toBe(200);
    expect(await receiver.received()).toHaveLength(0);
    const listed = (await (await call(s.env, `/v1/alerts?workspace_id=${ws}`)).json()) as {
      webhook_configured: boolean;
    };
    expect(listed.webhook_configured).toBe(false);
  });
});
