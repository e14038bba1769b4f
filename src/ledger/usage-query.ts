// Usage analytics over recent request rows and the daily rollups of older ones, summed as integers in SQL.
import * as z from "zod/mini";
import { utcDay } from "./budget-period.ts";

export const GROUP_BY = ["provider", "model", "day", "execution_id", "dialect"] as const;
export type GroupBy = (typeof GROUP_BY)[number];

export interface UsageFilter {
  /** Null: every workspace (admin only). */
  workspaceId: string | null;
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
  groupBy: GroupBy | null;
}

export interface UsageAmounts {
  requests: number;
  /** Requests that got no answer (failed, or the client left). */
  errors: number;
  /** Every prompt token, cached ones included (as a provider's prompt_tokens counts them). */
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  /** Exact: an integer sum in SQL. */
  cost_pico: number;
  cost_usd: number;
  /** Answered by an unpriced model: tokens counted, cost unknown (not in cost_usd, never guessed). */
  unpriced_requests: number;
  /**
   * Requests whose usage the provider never reported (a stream cut off, stalled or left by its client), billed from
   * the gateway's estimate; their tokens and cost are part of the figures above, and shown apart here.
   */
  estimated_requests: number;
  estimated_cost_pico: number;
  estimated_cost_usd: number;
  /** Answered by the response cache at $0 (part of `requests`), and what those answers cost when they were made. */
  cache_hits: number;
  cache_saved_pico: number;
  cache_saved_usd: number;
}

export interface UsageGroup extends UsageAmounts {
  /** The provider, provider/model, UTC day or execution id; null for "none" (no answer, no execution id). */
  key: string | null;
}

/**
 * Key expressions per dimension; '' stands for none in both tables (rollups store it so). The SQL is plain prepared
 * SQL over the tables of src/db/schema.ts (migrations/), with its column names; only these fixed expressions are
 * spliced into it, every value is a bound parameter.
 */
const REQUEST_KEYS: Record<GroupBy | "none", string> = {
  provider: "COALESCE(provider, '')",
  model: "COALESCE(provider || '/' || model, '')",
  day: "day",
  execution_id: "COALESCE(execution_id, '')",
  dialect: "dialect",
  none: "''",
};
const ROLLUP_KEYS: Record<GroupBy | "none", string> = {
  provider: "provider",
  model: "CASE WHEN provider = '' THEN '' ELSE provider || '/' || model END",
  day: "day",
  execution_id: "execution_id",
  dialect: "dialect",
  none: "''",
};

const RowSchema = z.object({
  key: z.string(),
  requests: z.number(),
  errors: z.number(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  cached_input_tokens: z.number(),
  cost_pico: z.number(),
  unpriced_requests: z.number(),
  estimated_requests: z.number(),
  estimated_cost_pico: z.number(),
  cache_hits: z.number(),
  cache_saved_pico: z.number(),
});

/**
 * Folded days count whole: a rollup day is included when it lies within [from, to) by UTC day, since its rows no
 * longer carry a time. Over whole days the answer is the same before and after folding.
 */
export async function queryUsage(
  d1: D1Database,
  filter: UsageFilter,
): Promise<{ totals: UsageAmounts; groups: UsageGroup[] }> {
  const dim = filter.groupBy ?? "none";
  const ws = filter.workspaceId;
  const requestWhere = `${ws === null ? "" : "workspace_id = ? AND "}created_at >= ? AND created_at < ?`;
  const rollupWhere = `${ws === null ? "" : "workspace_id = ? AND "}day >= ? AND day <= ?`;
  const byWorkspace = ws === null ? [] : [ws];
  const params = [...byWorkspace, filter.from, filter.to, ...byWorkspace, utcDay(filter.from), utcDay(filter.to - 1)];
  const { results: rows } = await d1
    .prepare(`
    SELECT key, SUM(requests) AS requests, SUM(errors) AS errors, SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens,
           SUM(cached_input_tokens) AS cached_input_tokens, SUM(cost_pico) AS cost_pico, SUM(unpriced_requests) AS unpriced_requests,
           SUM(estimated_requests) AS estimated_requests, SUM(estimated_cost_pico) AS estimated_cost_pico,
           SUM(cache_hits) AS cache_hits, SUM(cache_saved_pico) AS cache_saved_pico
    FROM (
      SELECT ${REQUEST_KEYS[dim]} AS key, COUNT(*) AS requests, SUM(status != 'ok') AS errors,
             SUM(input_tokens + cached_input_tokens + cache_write_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens,
             SUM(cached_input_tokens) AS cached_input_tokens, SUM(COALESCE(cost_pico, 0)) AS cost_pico, SUM(unpriced) AS unpriced_requests,
             SUM(usage_estimated) AS estimated_requests,
             SUM(CASE WHEN usage_estimated THEN COALESCE(cost_pico, 0) ELSE 0 END) AS estimated_cost_pico,
             SUM(cache_hit) AS cache_hits, SUM(COALESCE(cache_saved_pico, 0)) AS cache_saved_pico
      FROM requests WHERE ${requestWhere} GROUP BY 1
      UNION ALL
      SELECT ${ROLLUP_KEYS[dim]} AS key, SUM(requests), SUM(errors),
             SUM(input_tokens + cached_input_tokens + cache_write_tokens), SUM(output_tokens),
             SUM(cached_input_tokens), SUM(cost_pico), SUM(unpriced_requests), SUM(estimated_requests), SUM(estimated_cost_pico),
             SUM(cache_hits), SUM(cache_saved_pico)
      FROM daily_rollups WHERE ${rollupWhere} GROUP BY 1
    )
    GROUP BY key ORDER BY key`)
    .bind(...params)
    .all();
  const groups = z
    .array(RowSchema)
    .parse(rows)
    .map((r) => ({
      ...r,
      key: r.key === "" ? null : r.key,
      cost_usd: r.cost_pico / 1e12,
      estimated_cost_usd: r.estimated_cost_pico / 1e12,
      cache_saved_usd: r.cache_saved_pico / 1e12,
    }));
  const totals = groups.reduce<UsageAmounts>(
    (t, g) => ({
      requests: t.requests + g.requests,
      errors: t.errors + g.errors,
      input_tokens: t.input_tokens + g.input_tokens,
      output_tokens: t.output_tokens + g.output_tokens,
      cached_input_tokens: t.cached_input_tokens + g.cached_input_tokens,
      cost_pico: t.cost_pico + g.cost_pico,
      cost_usd: 0,
      unpriced_requests: t.unpriced_requests + g.unpriced_requests,
      estimated_requests: t.estimated_requests + g.estimated_requests,
      estimated_cost_pico: t.estimated_cost_pico + g.estimated_cost_pico,
      estimated_cost_usd: 0,
      cache_hits: t.cache_hits + g.cache_hits,
      cache_saved_pico: t.cache_saved_pico + g.cache_saved_pico,
      cache_saved_usd: 0,
    }),
    {
      requests: 0,
      errors: 0,
      input_tokens: 0,
      output_tokens: 0,
      cached_input_tokens: 0,
      cost_pico: 0,
      cost_usd: 0,
      unpriced_requests: 0,
      estimated_requests: 0,
      estimated_cost_pico: 0,
      estimated_cost_usd: 0,
      cache_hits: 0,
      cache_saved_pico: 0,
      cache_saved_usd: 0,
    },
  );
  totals.cost_usd = totals.cost_pico / 1e12;
  totals.estimated_cost_usd = totals.estimated_cost_pico / 1e12;
  totals.cache_saved_usd = totals.cache_saved_pico / 1e12;
  return { totals, groups: filter.groupBy === null ? [] : groups };
}

/** Pico-dollars already spent by a workspace since `from` (seeds a budget set mid-period). */
export async function spentSince(d1: D1Database, workspaceId: string, from: number, to: number): Promise<number> {
  const { totals } = await queryUsage(d1, { workspaceId, from, to, groupBy: null });
  return totals.cost_pico;
}
