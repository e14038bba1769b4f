// GET /v1/requests: the latest requests (route, status, tokens, cost) with every attempt, newest first, from D1.
import type { Context } from "hono";
import * as z from "zod/mini";
import { queryNumber } from "../core/validate.ts";
import { recentRequests } from "../ledger/recent-requests.ts";
import type { AppEnv } from "./app-env.ts";
import { parseOrThrow } from "./read-body.ts";
import { readableWorkspace } from "./workspace-scope.ts";

const QuerySchema = z.strictObject({
  limit: z._default(queryNumber(z.number().check(z.int(), z.gte(1), z.lte(100))), 25),
  workspace_id: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  /** Epoch ms: only requests that arrived before it (the next page is `before=<last created_at>`). */
  before: z.optional(queryNumber(z.number().check(z.int(), z.positive()))),
});

export async function listRequests(c: Context<AppEnv>): Promise<Response> {
  const query = parseOrThrow(QuerySchema, c.req.query());
  const workspaceId = readableWorkspace(c.get("caller"), query.workspace_id);
  const data = await recentRequests(c.env.DB, { workspaceId, limit: query.limit, before: query.before ?? null });
  return c.json({ object: "list", workspace_id: workspaceId, data });
}
