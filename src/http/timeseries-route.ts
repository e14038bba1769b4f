// GET /v1/stats/timeseries: per-provider latency and time-to-first-token percentiles over time, from the D1 attempts.
import type { Context } from "hono";
import * as z from "zod/mini";
import { queryNumber } from "../core/validate.ts";
import { attemptSamples } from "../ledger/attempt-samples.ts";
import { latencySeries } from "../ledger/latency-series.ts";
import type { AppEnv } from "./app-env.ts";
import { parseOrThrow } from "./read-body.ts";
import { readableWorkspace } from "./workspace-scope.ts";

const MINUTE = 60_000;

const QuerySchema = z.strictObject({
  /** How far back, from now: 1 minute to 7 days. */
  window_ms: z._default(
    queryNumber(z.number().check(z.int(), z.gte(MINUTE), z.lte(7 * 24 * 60 * MINUTE))),
    15 * MINUTE,
  ),
  /** How many buckets the window is cut into. */
  buckets: z._default(queryNumber(z.number().check(z.int(), z.gte(1), z.lte(240))), 60),
  workspace_id: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
});

/**
 * Read from the ledger rather than the stats object: the object keeps a sliding window for routing, not history, and
 * the ledger already has every attempt's timings (written after the response, so this costs the hot path nothing).
 */
export async function statsTimeseries(c: Context<AppEnv>): Promise<Response> {
  const query = parseOrThrow(QuerySchema, c.req.query());
  const workspaceId = readableWorkspace(c.get("caller"), query.workspace_id);
  const bucketMs = Math.max(1000, Math.ceil(query.window_ms / query.buckets / 1000) * 1000);
  const to = c.get("app").deps.now();
  // Buckets on whole multiples of their size, so a refreshing chart's points stay put.
  const from = Math.floor((to - query.window_ms) / bucketMs) * bucketMs;
  const { samples, truncated } = await attemptSamples(c.env.DB, { workspaceId, from, to: to + 1 });
  return c.json({
    object: "timeseries",
    workspace_id: workspaceId,
    from,
    to,
    bucket_ms: bucketMs,
    truncated,
    series: latencySeries(samples, from, bucketMs),
  });
}
