// A budget whose period is changed (PUT with another `period`) counts the new period's whole spend.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { budgetStub, workspaceScope } from "../../../src/ledger/budget-gate.ts";
import { uniqueWorkspace } from "./ledger-helpers.ts";

const USD = 1e12;
const at = (iso: string) => Date.parse(iso);

describe("changing a budget's period", () => {
  // DESIGN (Security): "Budgets hold under concurrency: spend never passes the limit". A workspace on a daily budget
  // spends $1 on Dec 1 and $2 on Dec 2; on Dec 15 the admin switches it to a monthly budget of $3.50. The ledger (the
  // seed PUT passes) shows $3 spent this month, so $0.50 is left, not the $2.50 Dec 1's day row alone (whose start is
  // the month's) would leave.
  it("day -> month mid-month: the month's spend is the ledger's, not the first day's alone", async () => {
    const stub = budgetStub(env, workspaceScope(uniqueWorkspace("period-switch")));
    const day = { limit_pico: 10 * USD, period: "day" as const, alert_threshold: 0.8, on_limit: "reject" as const };
    await stub.configure(day, at("2026-12-01T09:00:00Z"), 0);
    const spend = async (id: string, usd: number, when: string) => {
      const r = await stub.reserve(id, [usd * USD], at(when));
      expect(r.ok).toBe(true);
      await stub.settle(id, usd * USD, at(when));
    };
    await spend("h1", 1, "2026-12-01T10:00:00Z");
    await spend("h2", 2, "2026-12-02T10:00:00Z");
    const ledgerSaysThisMonth = 3 * USD;
    const month = { ...day, period: "month" as const, limit_pico: 3.5 * USD };
    const status = await stub.configure(month, at("2026-12-15T09:00:00Z"), ledgerSaysThisMonth);
    expect(status.spent_pico).toBe(3 * USD);
    expect(status.remaining_pico).toBe(0.5 * USD);
  });
});
