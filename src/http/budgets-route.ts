// GET/PUT/DELETE /v1/budgets/{workspace_id}: a workspace's spending limit per day or month, and where it stands.

import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { Context } from "hono";
import { z } from "zod";
import { budgets } from "../db/schema.ts";
import { directoryOf } from "../keys/governance-directory.ts";
import { budgetStub, workspaceScope } from "../ledger/budget-gate.ts";
import type { BudgetConfig, BudgetStatus } from "../ledger/budget-object.ts";
import { periodStart } from "../ledger/budget-period.ts";
import { spentSince } from "../ledger/usage-query.ts";
import type { AppEnv } from "./app-env.ts";
import { HttpError } from "./errors.ts";
import { parseOrThrow, readJsonBody } from "./read-body.ts";

const WorkspaceIdSchema = z.string().min(1).max(128);

/** Up to $1M: pico-dollars stay exact to far below a micro-dollar in a double at that size. */
const BudgetBodySchema = z.strictObject({
  limit_usd: z.number().nonnegative().max(1_000_000),
  period: z.enum(["day", "month"]).optional(),
  alert_threshold: z.number().gt(0).max(1).optional(),
  on_limit: z.enum(["reject", "downgrade"]).default("reject"),
});

export async function getBudget(c: Context<AppEnv>): Promise<Response> {
  const workspaceId = workspaceParam(c);
  const caller = c.get("caller");
  if (caller.kind === "workspace" && caller.workspaceId !== workspaceId) {
    throw new HttpError(403, "This key may only read its own workspace's budget.", { code: "forbidden_workspace" });
  }
  const status = await budgetStub(c.env, workspaceScope(workspaceId)).status(c.get("app").deps.now());
  if (status === null)
    throw new HttpError(404, `Workspace ${workspaceId} has no budget.`, { code: "budget_not_found" });
  return c.json(budgetBody(workspaceId, status));
}

export async function putBudget(c: Context<AppEnv>): Promise<Response> {
  const workspaceId = workspaceParam(c);
  const body = parseOrThrow(BudgetBodySchema, await readJsonBody(c.req.raw));
  const { deps, config, governance } = c.get("app");
  const now = deps.now();
  const budget: BudgetConfig = {
    limit_pico: Math.round(body.limit_usd * 1e12),
    period: body.period ?? config.fallback.budgets.default_period,
    alert_threshold: body.alert_threshold ?? config.fallback.budgets.default_alert_threshold,
    on_limit: body.on_limit,
  };
  // A budget set mid-period counts what the ledger already shows for it (when the ledger can be read).
  const seed = await spentSince(c.env.DB, workspaceId, periodStart(budget.period, now), now + 1).catch(
    (err: unknown) => {
      console.error("budget seed read failed", err instanceof Error ? err.message : String(err));
      return 0;
    },
  );
  const status = await budgetStub(c.env, workspaceScope(workspaceId)).configure(budget, now, seed);
  await directoryOf(c.env).setBudget(workspaceId, budget.on_limit);
  governance.rememberBudget(workspaceId, budget.on_limit);
  const row = {
    limitPico: budget.limit_pico,
    period: budget.period,
    alertThreshold: budget.alert_threshold,
    onLimit: budget.on_limit,
    updatedAt: now,
  };
  await drizzle(c.env.DB)
    .insert(budgets)
    .values({ workspaceId, createdAt: now, ...row })
    .onConflictDoUpdate({ target: budgets.workspaceId, set: row });
  return c.json(budgetBody(workspaceId, status));
}

export async function deleteBudget(c: Context<AppEnv>): Promise<Response> {
  const workspaceId = workspaceParam(c);
  const { governance } = c.get("app");
  await budgetStub(c.env, workspaceScope(workspaceId)).unconfigure();
  await directoryOf(c.env).removeBudget(workspaceId);
  governance.rememberBudget(workspaceId, null);
  await drizzle(c.env.DB).delete(budgets).where(eq(budgets.workspaceId, workspaceId));
  return c.json({ workspace_id: workspaceId, deleted: true });
}

function workspaceParam(c: Context<AppEnv>): string {
  return parseOrThrow(WorkspaceIdSchema, c.req.param("workspace_id"), "workspace_id");
}

function budgetBody(workspaceId: string, s: BudgetStatus) {
  return {
    workspace_id: workspaceId,
    limit_usd: s.config.limit_pico / 1e12,
    period: s.config.period,
    alert_threshold: s.config.alert_threshold,
    on_limit: s.config.on_limit,
    period_start: new Date(s.period_start).toISOString(),
    period_end: new Date(s.period_end).toISOString(),
    spent_usd: s.spent_pico / 1e12,
    reserved_usd: s.reserved_pico / 1e12,
    remaining_usd: s.remaining_pico / 1e12,
    alert: s.alert,
  };
}
