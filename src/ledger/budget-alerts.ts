// Budget alerts owed by one budget (kept in its BudgetObject's SQLite): crossing the alert threshold and reaching the
// limit are each one event per period, delivered once. A delivery is leased to one caller at a time; a failed one
// is offered again after a short backoff, by the next request or the cron (src/observability/budget-webhook.ts).
import type { BudgetStatus } from "./budget-object.ts";

export type BudgetAlertEvent = "budget.threshold" | "budget.limit";

/** The webhook's body (DESIGN.md, Observability). */
export interface BudgetAlert {
  event: BudgetAlertEvent;
  workspace_id: string;
  period: "day" | "month";
  /** Epoch ms the period started. */
  period_start: number;
  spent_usd: number;
  limit_usd: number;
  threshold: number;
}

/** An alert as the dashboard lists it: the event, and how its delivery went. */
export interface BudgetAlertRecord extends BudgetAlert {
  first_at: number;
  sent_at: number | null;
  attempts: number;
  last_error: string | null;
}

export const ALERTS_TABLE = `CREATE TABLE IF NOT EXISTS alerts (event TEXT NOT NULL, period_start INTEGER NOT NULL, first_at INTEGER NOT NULL, lease_until INTEGER NOT NULL, attempts INTEGER NOT NULL, sent_at INTEGER, last_error TEXT, body TEXT NOT NULL, PRIMARY KEY (event, period_start))`;

/** How long one caller holds a delivery before another may try it (longer than the webhook's timeout). */
export const ALERT_LEASE_MS = 30_000;
/** After the n-th failed delivery, the next waits 2^(n-1) s, at most 5 minutes. */
export const alertBackoffMs = (attempts: number) => Math.min(1000 * 2 ** Math.max(0, attempts - 1), 300_000);
/** At most this many alerts are kept per budget (the oldest periods' go first). */
const KEEP = 50;

const PICO = 1e12;

/**
 * The events this status has crossed (on settled spend, not on holds: a hold may still come back). `refusedAtLimit`:
 * the budget refused a request this period because of its spend (refusalReachesLimit), so its limit is reached for
 * its callers even though the worst-case hold kept spend below it; the threshold lies on the way there.
 */
export function crossed(status: BudgetStatus, refusedAtLimit = false): BudgetAlertEvent[] {
  const { limit_pico, alert_threshold } = status.config;
  const out: BudgetAlertEvent[] = [];
  if (limit_pico <= 0) return out;
  const reached = refusedAtLimit || status.spent_pico >= limit_pico;
  if (reached || status.spent_pico >= alert_threshold * limit_pico) out.push("budget.threshold");
  if (reached) out.push("budget.limit");
  return out;
}

/**
 * Whether refusing a request (worst cases `amounts`, one per candidate) means the budget has reached its limit: the
 * amount that decided the refusal (under `reject` the largest, as all must fit; under `downgrade` the smallest, as
 * none did) fits the whole limit but not what the period's settled spend left of it. A request too big for any
 * budget this size, or one refused only for holds in flight (they may still come back), has not reached it.
 */
export function refusalReachesLimit(status: BudgetStatus, amounts: readonly number[]): boolean {
  if (amounts.length === 0) return false;
  const deciding = status.config.on_limit === "reject" ? Math.max(...amounts) : Math.min(...amounts);
  const { limit_pico } = status.config;
  return deciding <= limit_pico && deciding > limit_pico - status.spent_pico;
}

/** Alerts owed now, each leased to the caller for ALERT_LEASE_MS: not yet delivered, and not held by another try. */
export function claimAlerts(
  sql: SqlStorage,
  status: BudgetStatus | null,
  workspaceId: string,
  now: number,
  refusedAtLimit = false,
): BudgetAlert[] {
  if (status === null) return [];
  const out: BudgetAlert[] = [];
  for (const event of crossed(status, refusedAtLimit)) {
    const row = sql
      .exec<{ lease_until: number; sent_at: number | null }>(
        `SELECT lease_until, sent_at FROM alerts WHERE event = ? AND period_start = ?`,
        event,
        status.period_start,
      )
      .toArray()[0];
    if (row !== undefined && (row.sent_at !== null || row.lease_until > now)) continue;
    const alert: BudgetAlert = {
      event,
      workspace_id: workspaceId,
      period: status.config.period,
      period_start: status.period_start,
      spent_usd: status.spent_pico / PICO,
      limit_usd: status.config.limit_pico / PICO,
      threshold: status.config.alert_threshold,
    };
    if (row === undefined)
      sql.exec(
        `INSERT INTO alerts (event, period_start, first_at, lease_until, attempts, sent_at, last_error, body) VALUES (?, ?, ?, ?, 1, NULL, NULL, ?)`,
        event,
        status.period_start,
        now,
        now + ALERT_LEASE_MS,
        JSON.stringify(alert),
      );
    else
      sql.exec(
        `UPDATE alerts SET lease_until = ?, attempts = attempts + 1, body = ? WHERE event = ? AND period_start = ?`,
        now + ALERT_LEASE_MS,
        JSON.stringify(alert),
        event,
        status.period_start,
      );
    out.push(alert);
  }
  if (out.length > 0)
    sql.exec(
      `DELETE FROM alerts WHERE rowid NOT IN (SELECT rowid FROM alerts ORDER BY period_start DESC, first_at DESC LIMIT ?)`,
      KEEP,
    );
  return out;
}

/** Records how a leased delivery went: delivered for good, or offered again after the backoff. */
export function alertResult(
  sql: SqlStorage,
  event: BudgetAlertEvent,
  periodStart: number,
  error: string | null,
  now: number,
): void {
  if (error === null) {
    sql.exec(
      `UPDATE alerts SET sent_at = ?, last_error = NULL WHERE event = ? AND period_start = ?`,
      now,
      event,
      periodStart,
    );
    return;
  }
  const row = sql
    .exec<{ attempts: number }>(`SELECT attempts FROM alerts WHERE event = ? AND period_start = ?`, event, periodStart)
    .toArray()[0];
  if (row === undefined) return;
  sql.exec(
    `UPDATE alerts SET lease_until = ?, last_error = ? WHERE event = ? AND period_start = ? AND sent_at IS NULL`,
    now + alertBackoffMs(row.attempts),
    error.slice(0, 300),
    event,
    periodStart,
  );
}

/** The budget's last alerts, newest first. */
export function recentAlerts(sql: SqlStorage, limit: number): BudgetAlertRecord[] {
  return sql
    .exec<{ body: string; first_at: number; sent_at: number | null; attempts: number; last_error: string | null }>(
      `SELECT body, first_at, sent_at, attempts, last_error FROM alerts ORDER BY first_at DESC LIMIT ?`,
      limit,
    )
    .toArray()
    .map((r) => ({
      ...(JSON.parse(r.body) as BudgetAlert),
      first_at: r.first_at,
      sent_at: r.sent_at,
      attempts: r.attempts,
      last_error: r.last_error,
    }));
}
