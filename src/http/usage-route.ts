// GET /v1/usage: requests, tokens and exact cost for a workspace and time range, optionally grouped.
import type { Context } from "hono";
import * as z from "zod/mini";
import { GROUP_BY, queryUsage } from "../ledger/usage-query.ts";
import type { AppEnv } from "./app-env.ts";
import { HttpError } from "./errors.ts";
import { parseOrThrow } from "./read-body.ts";

const DEFAULT_RANGE_MS = 30 * 86_400_000;

/** Whether "YYYY-MM-DD" is a day of the calendar (Date.parse rolls 2026-02-30 over into March). */
function realDate(day: string): boolean {
  const ms = Date.parse(`${day}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === day;
}

/** An ISO 8601 date ("2026-11-01", UTC midnight) or date-time, or epoch milliseconds. */
const instant = z.pipe(
  z.string(),
  z.transform((value, ctx) => {
    const ms = /^\d{10,16}$/.test(value)
      ? Number(value)
      : /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) && realDate(value.slice(0, 10))
        ? Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value)
        : Number.NaN;
    // Past what a Date holds (8.64e15 ms, year 275760) is no instant either.
    if (Number.isNaN(ms) || Math.abs(ms) > 8.64e15) {
      // zod/mini's transform context has no addIssue: the issue goes on the payload itself, as addIssue would put it.
      ctx.issues.push({
        code: "custom",
        message: `expected an ISO 8601 date or date-time, or epoch milliseconds (got "${value}")`,
        input: value,
      });
      return z.NEVER;
    }
    return ms;
  }),
);

const QuerySchema = z.strictObject({
  workspace_id: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  from: z.optional(instant),
  to: z.optional(instant),
  group_by: z.optional(z.enum(GROUP_BY)),
});

export async function getUsage(c: Context<AppEnv>): Promise<Response> {
  const query = parseOrThrow(QuerySchema, c.req.query());
  const caller = c.get("caller");
  if (caller.kind === "workspace" && query.workspace_id !== undefined && query.workspace_id !== caller.workspaceId) {
    throw new HttpError(403, "This key may only read its own workspace's usage.", {
      param: "workspace_id",
      code: "forbidden_workspace",
    });
  }
  const workspaceId = caller.kind === "workspace" ? caller.workspaceId : (query.workspace_id ?? null);
  const to = query.to ?? c.get("app").deps.now();
  const from = query.from ?? to - DEFAULT_RANGE_MS;
  if (from >= to)
    throw new HttpError(400, "'from' must be earlier than 'to'.", { param: "from", code: "invalid_value" });
  const { totals, groups } = await queryUsage(c.env.DB, { workspaceId, from, to, groupBy: query.group_by ?? null });
  return c.json({
    workspace_id: workspaceId,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    group_by: query.group_by ?? null,
    totals,
    groups,
  });
}
