// Retention: request and attempt rows older than `retention.request_days` fold into daily rollups, and stored
// responses past their `retention.responses_days` are deleted, so D1 stays bounded.
import { utcDay } from "./budget-period.ts";

const DAY_MS = 86_400_000;
/** Days folded per run at most: each is one transaction, kept small for D1's per-query limits. */
const MAX_DAYS_PER_RUN = 31;

/**
 * Folds whole UTC days older than the retention age, oldest first, one D1 batch (a transaction) per day: the
 * rollup upsert and the deletes commit together, so a row is never counted twice or lost. Returns the folded days.
 */
export async function foldOldRequests(db: D1Database, now: number, requestDays: number): Promise<string[]> {
  const cutoffDay = utcDay(Date.parse(`${utcDay(now)}T00:00:00Z`) - requestDays * DAY_MS);
  const days = await db
    .prepare(`SELECT DISTINCT day FROM requests WHERE day < ? ORDER BY day LIMIT ?`)
    .bind(cutoffDay, MAX_DAYS_PER_RUN)
    .all<{ day: string }>();
  const folded: string[] = [];
  for (const { day } of days.results) {
    await db.batch([
      db
        .prepare(
          `INSERT INTO daily_rollups (workspace_id, day, provider, model, execution_id, dialect, requests, errors, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, cost_pico, unpriced_requests, estimated_requests, estimated_cost_pico, cache_hits, cache_saved_pico)
           SELECT workspace_id, day, COALESCE(provider, ''), COALESCE(model, ''), COALESCE(execution_id, ''), dialect, COUNT(*), SUM(status != 'ok'), SUM(input_tokens), SUM(output_tokens),
                  SUM(cached_input_tokens), SUM(cache_write_tokens), SUM(COALESCE(cost_pico, 0)), SUM(unpriced),
                  SUM(usage_estimated), SUM(CASE WHEN usage_estimated THEN COALESCE(cost_pico, 0) ELSE 0 END),
                  SUM(cache_hit), SUM(COALESCE(cache_saved_pico, 0))
           FROM requests WHERE day = ? GROUP BY 1, 2, 3, 4, 5, 6
           ON CONFLICT (workspace_id, day, provider, model, execution_id, dialect) DO UPDATE SET
             requests = requests + excluded.requests, errors = errors + excluded.errors, input_tokens = input_tokens + excluded.input_tokens,
             output_tokens = output_tokens + excluded.output_tokens, cached_input_tokens = cached_input_tokens + excluded.cached_input_tokens,
             cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens, cost_pico = cost_pico + excluded.cost_pico,
             unpriced_requests = unpriced_requests + excluded.unpriced_requests,
             estimated_requests = estimated_requests + excluded.estimated_requests,
             estimated_cost_pico = estimated_cost_pico + excluded.estimated_cost_pico,
             cache_hits = cache_hits + excluded.cache_hits, cache_saved_pico = cache_saved_pico + excluded.cache_saved_pico`,
        )
        .bind(day),
      db.prepare(`DELETE FROM attempts WHERE request_id IN (SELECT id FROM requests WHERE day = ?)`).bind(day),
      db.prepare(`DELETE FROM requests WHERE day = ?`).bind(day),
    ]);
    folded.push(day);
  }
  return folded;
}

/** Deletes stored responses whose retention ran out (their expiry was set from retention.responses_days at store). */
export async function purgeExpiredResponses(db: D1Database, now: number): Promise<number> {
  const result = await db.prepare(`DELETE FROM responses WHERE expires_at <= ?`).bind(now).run();
  return result.meta.changes ?? 0;
}
