// BudgetObject: one per budget scope (a workspace, or a key with budget_usd); reserves worst cases, settles real costs.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";
import {
  ALERTS_TABLE,
  alertResult,
  type BudgetAlert,
  type BudgetAlertEvent,
  type BudgetAlertRecord,
  claimAlerts,
  recentAlerts,
  refusalReachesLimit,
} from "./budget-alerts.ts";
import { type BudgetPeriod, periodEnd, periodStart } from "./budget-period.ts";
import {
  type LimitAsk,
  type LimitScope,
  type LimitVerdict,
  RATE_WINDOW_MS,
  type WindowRow,
  type WorkspaceLimits,
  windowVerdict,
} from "./rate-window.ts";

export interface BudgetConfig {
  limit_pico: number;
  period: BudgetPeriod;
  /** Share of the limit (0..1] past which answers carry the alert header. */
  alert_threshold: number;
  on_limit: "reject" | "downgrade";
}

export interface BudgetStatus {
  config: BudgetConfig;
  period_start: number;
  period_end: number;
  spent_pico: number;
  /** Held by requests in flight: their worst case until they settle. */
  reserved_pico: number;
  /** limit - spent - reserved, never below zero. */
  remaining_pico: number;
  /** spent + reserved has reached alert_threshold × limit. */
  alert: boolean;
}

export type ReserveResult =
  /**
   * `fit`: indices of the amounts that fit (all of them under reject); `held`: what was reserved (their maximum).
   * `limits`: where the request and token windows stand after this request was counted (null: no limit applies).
   */
  | { ok: true; fit: number[]; held_pico: number; status: BudgetStatus | null; limits: LimitVerdict | null }
  /** Refused by the budget: nothing held or counted; `limits` is where the windows stand (null: no limit applies). */
  | { ok: false; status: BudgetStatus; limits: LimitVerdict | null }
  /** Over a rate limit: nothing was held or counted. */
  | { ok: false; status: BudgetStatus | null; limits: Extract<LimitVerdict, { ok: false }> };

/**
 * A reservation left by a request that never settled (an isolate that died mid-request) frees itself after this
 * long: well past the 120 s request deadline, so a live request never loses its hold.
 */
export const RESERVATION_TTL_MS = 15 * 60_000;

/**
 * Every method runs to completion on the object's single thread against synchronous SQLite, so a reserve can never
 * interleave with another: concurrent requests see each other's holds, and spend never passes the limit.
 */
export class BudgetObject extends DurableObject<Env> {
  readonly #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec(
      `CREATE TABLE IF NOT EXISTS config (id INTEGER PRIMARY KEY CHECK (id = 1), limit_pico INTEGER NOT NULL, period TEXT NOT NULL, alert_threshold REAL NOT NULL, on_limit TEXT NOT NULL)`,
    );
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS spend (period_start INTEGER PRIMARY KEY, spent_pico INTEGER NOT NULL)`);
    this.#sql.exec(
      `CREATE TABLE IF NOT EXISTS reservations (hold_id TEXT PRIMARY KEY, amount_pico INTEGER NOT NULL, period_start INTEGER NOT NULL, expires_at INTEGER NOT NULL)`,
    );
    // When the budget was set (kept across re-configures, cleared by unconfigure): see charge(). And the period
    // in which it last refused a request for its spend (`limit_refused`): see claimAlerts().
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)`);
    // Rate limits: the workspace's own (set with its budget), and one row per request counted in the last minute
    // (its key, when, and its tokens: the reservation until it settles, then what it used). Rows older than the
    // window are deleted on every admission, so the table holds at most a minute of limited requests.
    this.#sql.exec(
      `CREATE TABLE IF NOT EXISTS limits (id INTEGER PRIMARY KEY CHECK (id = 1), rpm INTEGER, tpm INTEGER)`,
    );
    this.#sql.exec(
      `CREATE TABLE IF NOT EXISTS rate_window (hold_id TEXT PRIMARY KEY, key_id TEXT, at INTEGER NOT NULL, tokens INTEGER NOT NULL)`,
    );
    this.#sql.exec(`CREATE INDEX IF NOT EXISTS rate_window_key ON rate_window (key_id, at)`);
  }

  /** Sets the workspace's own limits (null: none); both null removes them. */
  setLimits(limits: WorkspaceLimits): WorkspaceLimits {
    if (limits.rpm_limit === null && limits.tpm_limit === null) this.#sql.exec(`DELETE FROM limits`);
    else
      this.#sql.exec(
        `INSERT OR REPLACE INTO limits (id, rpm, tpm) VALUES (1, ?, ?)`,
        limits.rpm_limit,
        limits.tpm_limit,
      );
    return this.#limits();
  }

  limits(): WorkspaceLimits {
    return this.#limits();
  }

  /**
   * Where the workspace's windows (and one key's, when given) stand now, without counting anything: the budgets
   * route and the dashboard show use against the limits with it.
   */
  limitUse(now: number, key: Omit<LimitAsk, "tokens"> | null = null): LimitVerdict | null {
    const scopes = this.#scopes(key === null ? null : { ...key, tokens: 0 });
    if (scopes.length === 0) return null;
    this.#sql.exec(`DELETE FROM rate_window WHERE at <= ?`, now - RATE_WINDOW_MS);
    return windowVerdict(scopes, 0, now, { count: false });
  }

  /**
   * Each key's own windows, without the workspace's (limitUse reports whichever binds): /metrics shows every limited
   * key's use. Null for a key without limits.
   */
  keyLimitUse(now: number, keys: Omit<LimitAsk, "tokens">[]): (LimitVerdict | null)[] {
    return keys.map((key) => {
      const own = this.#scopes({ ...key, tokens: 0 }).filter((scope) => scope.name === "key");
      return own.length === 0 ? null : windowVerdict(own, 0, now, { count: false });
    });
  }

  /** Sets (or replaces) the budget. `seedSpentPico` is what the ledger already shows for the current period. */
  configure(config: BudgetConfig, now: number, seedSpentPico = 0): BudgetStatus {
    const previous = this.#config();
    if (previous === null)
      this.#sql.exec(`INSERT OR REPLACE INTO meta (key, value) VALUES ('budgeted_since', ?)`, Math.round(now));
    // A refusal under another limit says nothing about this one.
    if (previous?.limit_pico !== config.limit_pico) this.#sql.exec(`DELETE FROM meta WHERE key = 'limit_refused'`);
    this.#sql.exec(
      `INSERT INTO config (id, limit_pico, period, alert_threshold, on_limit) VALUES (1, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET limit_pico = excluded.limit_pico, period = excluded.period, alert_threshold = excluded.alert_threshold, on_limit = excluded.on_limit`,
      config.limit_pico,
      config.period,
      config.alert_threshold,
      config.on_limit,
    );
    // The period's spend is the larger of this object's count and the ledger's: the ledger may lag the object's exact
    // count, and the object has not counted what came before the budget, or under another period (a daily budget made
    // monthly mid-month: the object counted days, one of which starts where the month does).
    this.#sql.exec(
      `INSERT INTO spend (period_start, spent_pico) VALUES (?, ?)
       ON CONFLICT (period_start) DO UPDATE SET spent_pico = MAX(spent_pico, excluded.spent_pico)`,
      periodStart(config.period, now),
      Math.max(0, Math.round(seedSpentPico)),
    );
    return this.#status(config, now);
  }

  /** Removes the budget; spend history stays, so setting it again in the same period counts what was spent. */
  unconfigure(): void {
    this.#sql.exec(`DELETE FROM config`);
    this.#sql.exec(`DELETE FROM meta WHERE key = 'budgeted_since'`);
  }

  status(now: number): BudgetStatus | null {
    const config = this.#config();
    return config === null ? null : this.#status(config, now);
  }

  /** Budget alerts owed now (threshold crossed, limit reached), leased to this caller to deliver (budget-alerts.ts). */
  claimAlerts(workspaceId: string, now: number): BudgetAlert[] {
    this.#sql.exec(ALERTS_TABLE);
    const status = this.status(now);
    const refusedIn = this.#sql
      .exec<{ value: number }>(`SELECT value FROM meta WHERE key = 'limit_refused'`)
      .toArray()[0]?.value;
    return claimAlerts(this.#sql, status, workspaceId, now, status !== null && refusedIn === status.period_start);
  }

  /** How a claimed alert's delivery went: null error is delivered (never sent again), else retried later. */
  alertResult(event: BudgetAlertEvent, periodStart: number, error: string | null, now: number): void {
    this.#sql.exec(ALERTS_TABLE);
    alertResult(this.#sql, event, periodStart, error, now);
  }

  /** The last alerts of this budget, newest first (the dashboard). */
  alerts(limit = 20): BudgetAlertRecord[] {
    this.#sql.exec(ALERTS_TABLE);
    return recentAlerts(this.#sql, Math.min(Math.max(1, limit), 50));
  }

  /**
   * Holds the worst case of a request before it is sent. `amounts` are the worst-case costs of the plan's candidates
   * (only one of them will answer; an unpriced one is Infinity, as its cost cannot be bounded). Under `reject` all must fit or nothing is held; under `downgrade` the ones that
   * fit are returned and their maximum is held. Without a budget everything fits and nothing is held.
   */
  reserve(holdId: string, amounts: number[], now: number, ask: LimitAsk | null = null): ReserveResult {
    const config = this.#config();
    // The rate windows first: a request over a limit is refused before anything is held.
    const scopes = this.#scopes(ask);
    let limits: LimitVerdict | null = null;
    if (scopes.length > 0) {
      this.#sql.exec(`DELETE FROM rate_window WHERE at <= ?`, now - RATE_WINDOW_MS);
      limits = windowVerdict(scopes, ask?.tokens ?? 0, now, { count: true });
      if (!limits.ok) return { ok: false, status: config === null ? null : this.#status(config, now), limits };
    }
    const count = () => {
      if (limits === null) return;
      this.#sql.exec(
        `INSERT OR REPLACE INTO rate_window (hold_id, key_id, at, tokens) VALUES (?, ?, ?, ?)`,
        holdId,
        ask?.key_id ?? null,
        now,
        Math.max(0, Math.round(ask?.tokens ?? 0)),
      );
    };
    if (config === null) {
      count();
      return { ok: true, fit: amounts.map((_, i) => i), held_pico: 0, status: null, limits };
    }
    this.#sql.exec(`DELETE FROM reservations WHERE expires_at <= ?`, now);
    const before = this.#status(config, now);
    const fit = amounts.flatMap((a, i) => (a <= before.remaining_pico ? [i] : []));
    // An empty plan is not the budget's business (the executor answers 503 for it).
    const refused =
      config.on_limit === "reject" ? fit.length !== amounts.length : amounts.length > 0 && fit.length === 0;
    // Refused by the budget: not counted in the windows, which are reported as they stand (the caller's x-ratelimit-*).
    if (refused) {
      // Its spend stops requests short of the limit (the worst case is held): the limit's alert is owed from now on.
      if (refusalReachesLimit(before, amounts))
        this.#sql.exec(`INSERT OR REPLACE INTO meta (key, value) VALUES ('limit_refused', ?)`, before.period_start);
      return {
        ok: false,
        status: before,
        limits: scopes.length > 0 ? windowVerdict(scopes, ask?.tokens ?? 0, now, { count: false }) : null,
      };
    }
    count();
    const held = Math.max(0, ...fit.map((i) => amounts[i] as number));
    this.#sql.exec(
      `INSERT INTO reservations (hold_id, amount_pico, period_start, expires_at) VALUES (?, ?, ?, ?)`,
      holdId,
      held,
      before.period_start,
      now + RESERVATION_TTL_MS,
    );
    return { ok: true, fit, held_pico: held, status: this.#status(config, now), limits };
  }

  /**
   * Takes back a request that was refused after its hold here (a key's own budget refused it): the hold goes and so
   * does its place in the rate windows, as if it had never been counted. Returns the windows as they then stand.
   */
  release(holdId: string, now: number, key: Omit<LimitAsk, "tokens"> | null = null): LimitVerdict | null {
    this.#sql.exec(`DELETE FROM reservations WHERE hold_id = ?`, holdId);
    this.#sql.exec(`DELETE FROM rate_window WHERE hold_id = ?`, holdId);
    return this.limitUse(now, key);
  }

  /**
   * Frees a request's hold and charges what it really cost (0 for a failure) to the period it was reserved in.
   * A request that reserved nothing (an isolate that had not yet heard of the budget) is still charged.
   */
  settle(holdId: string, costPico: number, now: number, tokens: number | null = null): void {
    // The token window keeps what the request really used (its reservation was an upper bound); a failure used none.
    if (tokens !== null && Number.isFinite(tokens))
      this.#sql.exec(`UPDATE rate_window SET tokens = ? WHERE hold_id = ?`, Math.max(0, Math.round(tokens)), holdId);
    const row = this.#sql
      .exec<{ period_start: number }>(`SELECT period_start FROM reservations WHERE hold_id = ?`, holdId)
      .toArray()[0];
    this.#sql.exec(`DELETE FROM reservations WHERE hold_id = ?`, holdId);
    if (costPico <= 0) return;
    const config = this.#config();
    // A hold taken only for the rate limits, in a workspace without a budget, has no spend to keep here.
    if (row === undefined && config === null) return;
    const start = row?.period_start ?? periodStart(config?.period ?? "month", now);
    this.#sql.exec(
      `INSERT INTO spend (period_start, spent_pico) VALUES (?, ?) ON CONFLICT (period_start) DO UPDATE SET spent_pico = spent_pico + excluded.spent_pico`,
      start,
      Math.round(costPico),
    );
  }

  /**
   * Charges requests that held nothing here: admitted by an isolate whose budget list had not yet heard of this
   * budget (it refreshes every few seconds). Each isolate sends what its workspace's priced requests cost after the
   * fact, and only a configured budget counts them: a request that finished before the budget was set is already in
   * the spend the ledger seeded at configure(), so it is not counted twice. Returns what was charged (pico).
   */
  charge(charges: { finished_at: number; cost_pico: number; tokens?: number }[], now: number): number {
    // The rate windows count them too: a workspace limit set a moment ago (its isolates learn it within seconds)
    // still sees what the requests admitted meanwhile used.
    const limits = this.#limits();
    if (limits.rpm_limit !== null || limits.tpm_limit !== null) {
      for (const c of charges) {
        if (!(c.finished_at > now - RATE_WINDOW_MS)) continue;
        this.#sql.exec(
          `INSERT OR IGNORE INTO rate_window (hold_id, key_id, at, tokens) VALUES (?, NULL, ?, ?)`,
          `unheld_${crypto.randomUUID()}`,
          Math.min(c.finished_at, now),
          Math.max(0, Math.round(Number.isFinite(c.tokens) ? (c.tokens as number) : 0)),
        );
      }
    }
    const config = this.#config();
    if (config === null) return 0;
    const since =
      this.#sql.exec<{ value: number }>(`SELECT value FROM meta WHERE key = 'budgeted_since'`).toArray()[0]?.value ?? 0;
    let total = 0;
    for (const c of charges) {
      if (!(c.cost_pico > 0) || !Number.isFinite(c.cost_pico) || c.finished_at < since) continue;
      const start = periodStart(config.period, Math.min(c.finished_at, now));
      const pico = Math.round(c.cost_pico);
      this.#sql.exec(
        `INSERT INTO spend (period_start, spent_pico) VALUES (?, ?) ON CONFLICT (period_start) DO UPDATE SET spent_pico = spent_pico + excluded.spent_pico`,
        start,
        pico,
      );
      total += pico;
    }
    return total;
  }

  #limits(): WorkspaceLimits {
    const row = this.#sql.exec<{ rpm: number | null; tpm: number | null }>(`SELECT rpm, tpm FROM limits`).toArray()[0];
    return { rpm_limit: row?.rpm ?? null, tpm_limit: row?.tpm ?? null };
  }

  /** The limits that apply to a request: the workspace's, and its key's; each with the window rows it counts. */
  #scopes(ask: LimitAsk | null): LimitScope[] {
    const scopes: LimitScope[] = [];
    const ws = this.#limits();
    const rows = (keyId: string | null): WindowRow[] =>
      (keyId === null
        ? this.#sql.exec<WindowRow>(`SELECT at, tokens FROM rate_window ORDER BY at`)
        : this.#sql.exec<WindowRow>(`SELECT at, tokens FROM rate_window WHERE key_id = ? ORDER BY at`, keyId)
      ).toArray();
    if (ws.rpm_limit !== null || ws.tpm_limit !== null)
      scopes.push({ name: "workspace", rpm: ws.rpm_limit, tpm: ws.tpm_limit, rows: () => rows(null) });
    if (ask?.key_id != null && (ask.rpm_limit !== null || ask.tpm_limit !== null)) {
      const keyId = ask.key_id;
      scopes.push({ name: "key", rpm: ask.rpm_limit, tpm: ask.tpm_limit, rows: () => rows(keyId) });
    }
    return scopes;
  }

  #config(): BudgetConfig | null {
    const row = this.#sql
      .exec<{ limit_pico: number; period: string; alert_threshold: number; on_limit: string }>(
        `SELECT limit_pico, period, alert_threshold, on_limit FROM config`,
      )
      .toArray()[0];
    if (row === undefined) return null;
    return {
      limit_pico: row.limit_pico,
      period: row.period as BudgetPeriod,
      alert_threshold: row.alert_threshold,
      on_limit: row.on_limit as BudgetConfig["on_limit"],
    };
  }

  #status(config: BudgetConfig, now: number): BudgetStatus {
    const start = periodStart(config.period, now);
    const spent = this.#sql
      .exec<{ s: number }>(`SELECT COALESCE(SUM(spent_pico), 0) AS s FROM spend WHERE period_start = ?`, start)
      .one().s;
    const reserved = this.#sql
      .exec<{ s: number }>(
        `SELECT COALESCE(SUM(amount_pico), 0) AS s FROM reservations WHERE period_start = ? AND expires_at > ?`,
        start,
        now,
      )
      .one().s;
    return {
      config,
      period_start: start,
      period_end: periodEnd(config.period, now),
      spent_pico: spent,
      reserved_pico: reserved,
      remaining_pico: Math.max(0, config.limit_pico - spent - reserved),
      alert: spent + reserved >= config.alert_threshold * config.limit_pico,
    };
  }
}
