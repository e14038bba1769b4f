// GET /v1/requests: the latest requests (route, status, tokens, cost) with every attempt, newest first, from D1.
import type { Context } from "hono";
import * as z from "zod/mini";
import { queryNumber } from "../core/validate.ts";
import { recentRequests } from "../ledger/recent-requests.ts";
import type { AppEnv } from "./app-env.ts";
import { parseOrThrow } from "./read-body.ts";
import { readableWorkspace } from "./workspace-scope.ts";

/**
 * Pages go by the list's order, created_at then id: the next page is `before=<last created_at>&before_id=<last id>`
 * (the answer's `next`). `before` alone still means "arrived before this millisecond".
 */
const QuerySchema = z
  .strictObject({
    limit: z._default(queryNumber(z.number().check(z.int(), z.gte(1), z.lte(100))), 25),
    workspace_id: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
    /** Epoch ms: only requests that arrived before it, or in it with an id below `before_id`. */
    before: z.optional(queryNumber(z.number().check(z.int(), z.positive()))),
    before_id: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  })
  .check(
    z.refine((q) => q.before_id === undefined || q.before !== undefined, {
      message: "goes with before",
      path: ["before_id"],
    }),
  );

export async function listRequests(c: Context<AppEnv>): Promise<Response> {
  const query = parseOrThrow(QuerySchema, c.req.query());
  const workspaceId = readableWorkspace(c.get("caller"), query.workspace_id);
  const before = query.before === undefined ? null : { created_at: query.before, id: query.before_id ?? null };
  const page = await recentRequests(c.env.DB, { workspaceId, limit: query.limit, before });
  const next = page.next === null ? null : { before: page.next.created_at, before_id: page.next.id };
  return c.json({ object: "list", workspace_id: workspaceId, data: page.data, next });
}
