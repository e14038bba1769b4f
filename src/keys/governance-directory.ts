// GovernanceDirectory: the one Durable Object that knows every live key and which workspaces have budgets.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";
import type { KeyRecord } from "./key-record.ts";

export type OnLimit = "reject" | "downgrade";

/** A workspace's own requests and tokens per minute (its BudgetObject counts and enforces them). */
export interface WorkspaceLimitEntry {
  workspace_id: string;
  rpm_limit: number | null;
  tpm_limit: number | null;
}

/** What every isolate caches: the hot path's whole view of keys, budgets and workspace limits. */
export interface GovernanceSnapshot {
  keys: KeyRecord[];
  budgets: { workspace_id: string; on_limit: OnLimit }[];
  /** Absent from a directory older than the limits. */
  limits?: WorkspaceLimitEntry[];
}

/**
 * Why a Durable Object and not D1: the hot path may not read D1, yet a key created a moment ago must work in every
 * isolate at once. Isolates cache the snapshot and refresh it in the background; a key they have not seen yet is
 * one read here (`lookup`), never a D1 query. D1 keeps the same keys and budgets for listing and audit.
 */
export class GovernanceDirectory extends DurableObject<Env> {
  readonly #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec(
      `CREATE TABLE IF NOT EXISTS keys (id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, record TEXT NOT NULL, revoked_at INTEGER)`,
    );
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS budgets (workspace_id TEXT PRIMARY KEY, on_limit TEXT NOT NULL)`);
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS limits (workspace_id TEXT PRIMARY KEY, rpm INTEGER, tpm INTEGER)`);
  }

  /** Which workspaces have limits, so an isolate knows to ask their BudgetObject; both null removes the entry. */
  setLimits(entry: WorkspaceLimitEntry): void {
    if (entry.rpm_limit === null && entry.tpm_limit === null)
      this.#sql.exec(`DELETE FROM limits WHERE workspace_id = ?`, entry.workspace_id);
    else
      this.#sql.exec(
        `INSERT OR REPLACE INTO limits (workspace_id, rpm, tpm) VALUES (?, ?, ?)`,
        entry.workspace_id,
        entry.rpm_limit,
        entry.tpm_limit,
      );
  }

  putKey(record: KeyRecord): void {
    this.#sql.exec(
      `INSERT OR REPLACE INTO keys (id, hash, record, revoked_at) VALUES (?, ?, ?, ?)`,
      record.id,
      record.hash,
      JSON.stringify(record),
      record.revoked_at,
    );
  }

  /** Marks the key revoked; returns it, or null when there is no such key. */
  revokeKey(id: string, now: number): KeyRecord | null {
    const row = this.#sql.exec<{ record: string }>(`SELECT record FROM keys WHERE id = ?`, id).toArray()[0];
    if (row === undefined) return null;
    const record = JSON.parse(row.record) as KeyRecord;
    if (record.revoked_at === null) record.revoked_at = now;
    this.#sql.exec(
      `UPDATE keys SET record = ?, revoked_at = ? WHERE id = ?`,
      JSON.stringify(record),
      record.revoked_at,
      id,
    );
    return record;
  }

  /** The live key with this hash, or null (unknown or revoked). */
  lookup(hash: string): KeyRecord | null {
    const row = this.#sql
      .exec<{ record: string }>(`SELECT record FROM keys WHERE hash = ? AND revoked_at IS NULL`, hash)
      .toArray()[0];
    return row === undefined ? null : (JSON.parse(row.record) as KeyRecord);
  }

  setBudget(workspaceId: string, onLimit: OnLimit): void {
    this.#sql.exec(`INSERT OR REPLACE INTO budgets (workspace_id, on_limit) VALUES (?, ?)`, workspaceId, onLimit);
  }

  removeBudget(workspaceId: string): void {
    this.#sql.exec(`DELETE FROM budgets WHERE workspace_id = ?`, workspaceId);
  }

  snapshot(): GovernanceSnapshot {
    const keys = this.#sql
      .exec<{ record: string }>(`SELECT record FROM keys WHERE revoked_at IS NULL`)
      .toArray()
      .map((r) => JSON.parse(r.record) as KeyRecord);
    const budgets = this.#sql
      .exec<{ workspace_id: string; on_limit: string }>(`SELECT workspace_id, on_limit FROM budgets`)
      .toArray()
      .map((r) => ({ workspace_id: r.workspace_id, on_limit: r.on_limit as OnLimit }));
    const limits = this.#sql
      .exec<{ workspace_id: string; rpm: number | null; tpm: number | null }>(
        `SELECT workspace_id, rpm, tpm FROM limits`,
      )
      .toArray()
      .map((r) => ({ workspace_id: r.workspace_id, rpm_limit: r.rpm, tpm_limit: r.tpm }));
    return { keys, budgets, limits };
  }
}

/** The single directory instance. */
export function directoryOf(env: Pick<Env, "GOVERNANCE">): DurableObjectStub<GovernanceDirectory> {
  return env.GOVERNANCE.get(env.GOVERNANCE.idFromName("directory"));
}
