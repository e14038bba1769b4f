// GET /v1/alerts: the last budget alerts (threshold crossed, limit reached) and how their webhook delivery went,
// newest first: one workspace's (a workspace key sees only its own), or every budgeted workspace's for the admin.
import type { Context } from "hono";
import * as z from "zod/mini";
import { queryNumber } from "../core/validate.ts";
import { directoryOf } from "../keys/governance-directory.ts";
import type { BudgetAlertRecord } from "../ledger/budget-alerts.ts";
import { budgetStub, workspaceScope } from "../ledger/budget-gate.ts";
import { webhookUrl } from "../observability/budget-webhook.ts";
import type { AppEnv } from "./app-env.ts";
import { parseOrThrow } from "./read-body.ts";
import { readableWorkspace } from "./workspace-scope.ts";

const QuerySchema = z.strictObject({
  limit: z._default(queryNumber(z.number().check(z.int(), z.gte(1), z.lte(50))), 20),
  workspace_id: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
});

/** Budgeted workspaces read for an all-workspace listing (the newest alerts among them are shown). */
const MAX_WORKSPACES = 50;

export async function listAlerts(c: Context<AppEnv>): Promise<Response> {
  const query = parseOrThrow(QuerySchema, c.req.query());
  const workspaceId = readableWorkspace(c.get("caller"), query.workspace_id);
  const workspaces =
    workspaceId !== null
      ? [workspaceId]
      : (await directoryOf(c.env).snapshot()).budgets.slice(0, MAX_WORKSPACES).map((b) => b.workspace_id);
  const lists = await Promise.all(
    workspaces.map((ws) => budgetStub(c.env, workspaceScope(ws)).alerts(query.limit) as Promise<BudgetAlertRecord[]>),
  );
  const data = lists
    .flat()
    .sort((a, b) => b.first_at - a.first_at)
    .slice(0, query.limit);
  return c.json({
    object: "list",
    workspace_id: workspaceId,
    webhook_configured: webhookUrl(c.env) !== null,
    data,
  });
}
