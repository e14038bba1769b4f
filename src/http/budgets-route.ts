// GET/PUT/DELETE /v1/budgets/{workspace_id}: a workspace's settings: its spending limit per day or month, its requests
// and tokens per minute, and where each stands.

import type { Context } from "hono";
import * as z from "zod/mini";
import { directoryOf } from "../keys/governance-directory.ts";
import { budgetStub, workspaceScope } from "../ledger/budget-gate.ts";
import type { BudgetConfig, BudgetStatus } from "../ledger/budget-object.ts";
import { periodStart } from "../ledger/budget-period.ts";
import { type LimitUse, type LimitVerdict, resetDuration, type WorkspaceLimits } from "../ledger/rate-window.ts";
import { spentSince } from "../ledger/usage-query.ts";
import type { AppEnv } from "./app-env.ts";
import { HttpError } from "./errors.ts";
import { parseOrThrow, readJsonBody } from "./read-body.ts";

const WorkspaceIdSchema = z.string().check(z.minLength(1), z.maxLength(128));

/**
 * Up to $1M: pico-dollars stay exact to far below a micro-dollar in a double at that size. The spending limit and the
 * rate limits are set independently: a field left out keeps its value, a limit set to null is removed.
 */
const BudgetBodySchema = z
  .strictObject({
    limit_usd: z.optional(z.number().check(z.nonnegative(), z.lte(1_000_000))),
    period: z.optional(z.enum(["day", "month"])),
    alert_threshold: z.optional(z.number().check(z.gt(0), z.lte(1))),
    on_limit: z.optional(z.enum(["reject", "downgrade"])),
    rpm_limit: z.optional(z.nullable(z.int().check(z.positive(), z.lte(1_000_000)))),
    tpm_limit: z.optional(z.nullable(z.int().check(z.positive(), z.lte(1_000_000_000)))),
  })
  .check(
    z.refine((b) => b.limit_usd !== undefined || b.rpm_limit !== undefined || b.tpm_limit !== undefined, {
      message: "set limit_usd, rpm_limit or tpm_limit",
      path: ["limit_usd"],
    }),
    // A spending limit's settings without the limit would be dropped without a word: they are refused, naming the first.
    z.refine((b) => b.limit_usd !== undefined || b.period === undefined, {
      message: "period goes with limit_usd (the spending limit it sets the period of)",
      path: ["period"],
    }),
    z.refine((b) => b.limit_usd !== undefined || b.alert_threshold === undefined, {
      message: "alert_threshold goes with limit_usd",
      path: ["alert_threshold"],
    }),
    z.refine((b) => b.limit_usd !== undefined || b.on_limit === undefined, {
      message: "on_limit goes with limit_usd: it says what happens at the spending limit, not at a rate limit",
      path: ["on_limit"],
    }),
  );

export async function getBudget(c: Context<AppEnv>): Promise<Response> {
  const workspaceId = workspaceParam(c);
  const caller = c.get("caller");
  if (caller.kind === "workspace" && caller.workspaceId !== workspaceId) {
    throw new HttpError(403, "This key may only read its own workspace's budget.", { code: "forbidden_workspace" });
  }
  const stub = budgetStub(c.env, workspaceScope(workspaceId));
  const now = c.get("app").deps.now();
  const [status, limits, use] = await Promise.all([stub.status(now), stub.limits(), stub.limitUse(now)]);
  if (status === null && limits.rpm_limit === null && limits.tpm_limit === null)
    throw new HttpError(404, `Workspace ${workspaceId} has no budget.`, { code: "budget_not_found" });
  return c.json(budgetBody(workspaceId, status, limits, use));
}

export async function putBudget(c: Context<AppEnv>): Promise<Response> {
  const workspaceId = workspaceParam(c);
  const body = parseOrThrow(BudgetBodySchema, await readJsonBody(c.req.raw));
  const { deps, config, governance } = c.get("app");
  const now = deps.now();
  const stub = budgetStub(c.env, workspaceScope(workspaceId));
  if (body.rpm_limit !== undefined || body.tpm_limit !== undefined) {
    const before = await stub.limits();
    const limits = await stub.setLimits({
      rpm_limit: body.rpm_limit === undefined ? before.rpm_limit : body.rpm_limit,
      tpm_limit: body.tpm_limit === undefined ? before.tpm_limit : body.tpm_limit,
    });
    // The object first (it enforces), then the directory that tells every isolate to ask it.
    await directoryOf(c.env).setLimits({ workspace_id: workspaceId, ...limits });
    governance.rememberLimits({ workspace_id: workspaceId, ...limits });
  }
  if (body.limit_usd === undefined) {
    const [status, limits, use] = await Promise.all([stub.status(now), stub.limits(), stub.limitUse(now)]);
    return c.json(budgetBody(workspaceId, status, limits, use));
  }
  const budget: BudgetConfig = {
    limit_pico: Math.round(body.limit_usd * 1e12),
    period: body.period ?? config.fallback.budgets.default_period,
    alert_threshold: body.alert_threshold ?? config.fallback.budgets.default_alert_threshold,
    on_limit: body.on_limit ?? "reject",
  };
  // A budget set mid-period counts what the ledger already shows for it (when the ledger can be read).
  const seed = await spentSince(c.env.DB, workspaceId, periodStart(budget.period, now), now + 1).catch(
    (err: unknown) => {
      console.error("budget seed read failed", err instanceof Error ? err.message : String(err));
      return 0;
    },
  );
  const status = await stub.configure(budget, now, seed);
  await directoryOf(c.env).setBudget(workspaceId, budget.on_limit);
  governance.rememberBudget(workspaceId, budget.on_limit);
  // The budgets table of src/db/schema.ts (migrations/): a new row, or the settings of the existing one (created_at kept).
  await c.env.DB.prepare(
    `INSERT INTO budgets (workspace_id, limit_pico, period, alert_threshold, on_limit, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (workspace_id) DO UPDATE SET limit_pico = excluded.limit_pico, period = excluded.period,
       alert_threshold = excluded.alert_threshold, on_limit = excluded.on_limit, updated_at = excluded.updated_at`,
  )
    .bind(workspaceId, budget.limit_pico, budget.period, budget.alert_threshold, budget.on_limit, now, now)
    .run();
  const [limits, use] = await Promise.all([stub.limits(), stub.limitUse(now)]);
  return c.json(budgetBody(workspaceId, status, limits, use));
}

export async function deleteBudget(c: Context<AppEnv>): Promise<Response> {
  const workspaceId = workspaceParam(c);
  const { governance } = c.get("app");
  const stub = budgetStub(c.env, workspaceScope(workspaceId));
  const cleared = { rpm_limit: null, tpm_limit: null };
  await stub.unconfigure();
  await stub.setLimits(cleared);
  await directoryOf(c.env).removeBudget(workspaceId);
  await directoryOf(c.env).setLimits({ workspace_id: workspaceId, ...cleared });
  governance.rememberBudget(workspaceId, null);
  governance.rememberLimits({ workspace_id: workspaceId, ...cleared });
  await c.env.DB.prepare("DELETE FROM budgets WHERE workspace_id = ?").bind(workspaceId).run();
  return c.json({ workspace_id: workspaceId, deleted: true });
}

function workspaceParam(c: Context<AppEnv>): string {
  return parseOrThrow(WorkspaceIdSchema, c.req.param("workspace_id"), "workspace_id");
}

/** The settings and where they stand; the budget fields are null for a workspace with only rate limits. */
function budgetBody(workspaceId: string, s: BudgetStatus | null, limits: WorkspaceLimits, use: LimitVerdict | null) {
  return {
    workspace_id: workspaceId,
    limit_usd: s === null ? null : s.config.limit_pico / 1e12,
    period: s?.config.period ?? null,
    alert_threshold: s?.config.alert_threshold ?? null,
    on_limit: s?.config.on_limit ?? null,
    period_start: s === null ? null : new Date(s.period_start).toISOString(),
    period_end: s === null ? null : new Date(s.period_end).toISOString(),
    spent_usd: s === null ? null : s.spent_pico / 1e12,
    reserved_usd: s === null ? null : s.reserved_pico / 1e12,
    remaining_usd: s === null ? null : s.remaining_pico / 1e12,
    alert: s?.alert ?? false,
    rpm_limit: limits.rpm_limit,
    tpm_limit: limits.tpm_limit,
    /** The workspace's use of its limits over the last minute (null without limits). */
    rate_limits: {
      requests: windowUse(use?.requests ?? null),
      tokens: windowUse(use?.tokens ?? null),
    },
  };
}

function windowUse(use: LimitUse | null) {
  return use === null
    ? null
    : { limit: use.limit, used: use.used, remaining: use.remaining, reset: resetDuration(use.reset_ms) };
}
