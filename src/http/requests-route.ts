// GET /v1/requests: the latest requests (route, status, tokens, cost) with every attempt, newest first, from D1.
import type { Context } from "hono";
import * as z from "zod";
import { recentRequests } from "../ledger/recent-requests.ts";
import type { AppEnv } from "./app-env.ts";
import { parseOrThrow } from "./read-body.ts";
import { readableWorkspace } from "./workspace-scope.ts";

const QuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  workspace_id: z.string().min(1).max(128).optional(),
  /** Epoch ms: only requests that arrived before it (the next page is `before=<last created_at>`). */
  before: z.coerce.number().int().positive().optional(),
});

export async function listRequests(c: Context<AppEnv>): Promise<Response> {
  const query = parseOrThrow(QuerySchema, c.req.query());
  const workspaceId = readableWorkspace(c.get("caller"), query.workspace_id);
  const data = await recentRequests(c.env.DB, { workspaceId, limit: query.limit, before: query.before ?? null });
  return c.json({ object: "list", workspace_id: workspaceId, data });
}
