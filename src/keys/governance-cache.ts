// The isolate's cache of keys and budgeted workspaces: read on the hot path, refreshed from the directory in the background.
import type { Env } from "../env.ts";
import { directoryOf, type GovernanceSnapshot, type OnLimit } from "./governance-directory.ts";
import type { KeyRecord } from "./key-record.ts";

/** A snapshot older than this is refreshed in the background (the request that notices goes on with the old one). */
export const REFRESH_AFTER_MS = 10_000;
/** An unknown hash is asked about again after this long, so a flood of wrong keys costs one directory read each. */
const MISS_TTL_MS = 5_000;
const MAX_MISSES = 10_000;

interface Waiter {
  waitUntil(promise: Promise<unknown>): void;
}

/**
 * Isolates are reused across requests, so this lives as long as the isolate. It holds plain data only (no stubs or
 * promises shared between requests). A key created after the last refresh is found by one directory read on a miss;
 * a key revoked elsewhere stops working here at the next refresh (within REFRESH_AFTER_MS); one revoked through this
 * isolate stops at once.
 */
export class GovernanceCache {
  #keys = new Map<string, KeyRecord>();
  #budgets = new Map<string, OnLimit>();
  #loadedAt = Number.NEGATIVE_INFINITY;
  #refreshing = false;
  #misses = new Map<string, number>();
  /** The last remaining amount (pico) a budget reported, per workspace: the planner's downgrade hint. */
  #remaining = new Map<string, number>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Makes sure a snapshot exists (the first request of an isolate waits for it), and refreshes a stale one in the background. */
  async ready(env: Env, ctx: Waiter): Promise<void> {
    const age = this.#now() - this.#loadedAt;
    if (age === Number.POSITIVE_INFINITY) {
      // An unreachable directory must not take every request down: keys still resolve one by one (and fail then),
      // and the next request tries the snapshot again.
      await this.#refresh(env).catch((err: unknown) =>
        console.error("governance snapshot failed", err instanceof Error ? err.message : String(err)),
      );
      return;
    }
    if (age > REFRESH_AFTER_MS && !this.#refreshing) {
      this.#refreshing = true;
      ctx.waitUntil(
        this.#refresh(env)
          .catch((err: unknown) =>
            console.error("governance refresh failed", err instanceof Error ? err.message : String(err)),
          )
          .finally(() => (this.#refreshing = false)),
      );
    }
  }

  /** The live key with this hash; a miss asks the directory once (a key created a moment ago must work). */
  async keyByHash(env: Env, hash: string): Promise<KeyRecord | null> {
    const known = this.#keys.get(hash);
    if (known !== undefined) return known;
    const missedUntil = this.#misses.get(hash);
    if (missedUntil !== undefined && missedUntil > this.#now()) return null;
    const found = await directoryOf(env).lookup(hash);
    if (found === null) {
      if (this.#misses.size >= MAX_MISSES) this.#misses.clear();
      this.#misses.set(hash, this.#now() + MISS_TTL_MS);
      return null;
    }
    this.#keys.set(hash, found);
    return found;
  }

  /** The workspace's budget mode, or null when it has none (then the request pays nothing for budgets). */
  budgetOf(workspaceId: string): OnLimit | null {
    return this.#budgets.get(workspaceId) ?? null;
  }

  remainingHint(workspaceId: string): number | null {
    return this.#remaining.get(workspaceId) ?? null;
  }

  noteRemaining(workspaceId: string, remainingPico: number): void {
    this.#remaining.set(workspaceId, remainingPico);
  }

  /** Applied at once by the isolate that made the change; others learn it from the directory. */
  rememberKey(record: KeyRecord): void {
    this.#misses.delete(record.hash);
    if (record.revoked_at === null) this.#keys.set(record.hash, record);
    else this.#keys.delete(record.hash);
  }

  rememberBudget(workspaceId: string, onLimit: OnLimit | null): void {
    if (onLimit === null) this.#budgets.delete(workspaceId);
    else this.#budgets.set(workspaceId, onLimit);
    this.#remaining.delete(workspaceId);
  }

  async #refresh(env: Env): Promise<void> {
    const snapshot: GovernanceSnapshot = await directoryOf(env).snapshot();
    this.#keys = new Map(snapshot.keys.map((k) => [k.hash, k]));
    this.#budgets = new Map(snapshot.budgets.map((b) => [b.workspace_id, b.on_limit]));
    this.#misses.clear();
    this.#loadedAt = this.#now();
  }
}
