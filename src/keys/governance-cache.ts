// The isolate's cache of keys and budgeted workspaces: read on the hot path, refreshed from the directory in the background.
import type { Env } from "../env.ts";
import {
  directoryOf,
  type GovernanceSnapshot,
  type OnLimit,
  type WorkspaceLimitEntry,
} from "./governance-directory.ts";
import type { KeyRecord } from "./key-record.ts";

/** A snapshot older than this is refreshed in the background (the request that notices goes on with the old one). */
export const REFRESH_AFTER_MS = 5_000;
/**
 * A snapshot older than this is not trusted to say a key is live: the request that notices waits for a fresh one. A
 * key revoked through another isolate stops working here within this long, even on an isolate idle for a while (a
 * background refresh only starts when a request comes).
 */
export const STALE_AFTER_MS = 10_000;
/** An unknown hash is asked about again after this long, so a repeated wrong key costs one directory read. */
const MISS_TTL_MS = 5_000;
/** Unknown hashes remembered; past this the oldest are forgotten first. */
export const MAX_MISSES = 4096;
/**
 * Directory look-ups (keys this isolate has not seen) per second. Past it an unknown key is not looked up: a flood
 * of invented keys costs the one global directory at most this many reads a second per isolate, while keys in the
 * snapshot (every key older than REFRESH_AFTER_MS) never need a look-up and are never throttled.
 */
export const LOOKUPS_PER_SECOND = 50;

/** An unknown key arrived while this second's look-ups were spent: it may be valid, so the answer is "retry". */
export class LookupsThrottled extends Error {
  override name = "LookupsThrottled";
}
/**
 * A budget list older than this (its refreshes keep failing) is no longer trusted to say "no budget": the gate then
 * asks each workspace's BudgetObject itself, as it does before the first list loads.
 */
export const BUDGET_LIST_TRUST_MS = 60_000;
/** While the directory cannot be read, a request retries the first snapshot at most this often. */
export const SNAPSHOT_RETRY_MS = 1_000;

/** Whether this isolate's budget list can be trusted (for the gate and GET /v1/gateway). */
export interface BudgetListState {
  state: "loaded" | "unavailable";
  /** Epoch ms of the last good snapshot; null before any. */
  loaded_at: number | null;
  /** Why, while the list is unavailable (a fixed sentence: the directory's own error stays in the logs). */
  reason: string | null;
}

interface Waiter {
  waitUntil(promise: Promise<unknown>): void;
}

/**
 * Isolates are reused across requests, so this lives as long as the isolate. It holds plain data only (no stubs or
 * promises shared between requests). A key created after the last refresh is found by one directory read on a miss;
 * a key revoked elsewhere stops working here within STALE_AFTER_MS; one revoked through this
 * isolate stops at once.
 */
export class GovernanceCache {
  #keys = new Map<string, KeyRecord>();
  #budgets = new Map<string, OnLimit>();
  #limits = new Map<string, WorkspaceLimitEntry>();
  #loadedAt = Number.NEGATIVE_INFINITY;
  /** The snapshot being read, while one is. */
  #refreshing: Promise<void> | null = null;
  #failedAt = Number.NEGATIVE_INFINITY;
  /** The last snapshot attempt failed (cleared by the next good one). */
  #lastFailed = false;
  /** Unknown hash -> when to ask again; Map order is insertion order, so the first entry is the oldest. */
  #misses = new Map<string, number>();
  readonly #lookupsPerSecond: number;
  #window = { start: Number.NEGATIVE_INFINITY, used: 0 };
  #lookups = 0;
  /** The last remaining amount (pico) a budget reported, per workspace: the planner's downgrade hint. */
  #remaining = new Map<string, number>();
  readonly #now: () => number;

  constructor(now: () => number, opts: { lookupsPerSecond?: number } = {}) {
    this.#now = now;
    this.#lookupsPerSecond = opts.lookupsPerSecond ?? LOOKUPS_PER_SECOND;
  }

  /** Directory look-ups this cache has made for single keys (tests and diagnostics read it). */
  get directoryLookups(): number {
    return this.#lookups;
  }

  /**
   * Makes sure a snapshot exists and is at most STALE_AFTER_MS old (the request that finds it older waits for a fresh
   * one: the first request of an isolate, or one after the isolate sat idle), and refreshes one older than
   * REFRESH_AFTER_MS in the background, so under steady traffic no request waits.
   */
  async ready(env: Env, ctx: Waiter): Promise<void> {
    const now = this.#now();
    const age = now - this.#loadedAt;
    if (age === Number.POSITIVE_INFINITY) {
      // An unreachable directory must not take every request down: keys still resolve one by one (and fail then),
      // budgets are asked of each workspace's BudgetObject (budgetsKnown() is false), and a request a second later
      // tries the snapshot again.
      if (now - this.#failedAt < SNAPSHOT_RETRY_MS) return;
      await this.#refresh(env).catch((err: unknown) => this.#failed("governance snapshot failed", err));
      return;
    }
    if (age > STALE_AFTER_MS && now - this.#failedAt >= SNAPSHOT_RETRY_MS) {
      // Too old to vouch for a key. When the directory cannot answer, the old snapshot goes on serving (keys revoked
      // since are then accepted until it answers again) rather than every request failing with it.
      await this.#refresh(env).catch((err: unknown) => this.#failed("governance refresh failed", err));
      return;
    }
    if (age > REFRESH_AFTER_MS && this.#refreshing === null) {
      ctx.waitUntil(this.#refresh(env).catch((err: unknown) => this.#failed("governance refresh failed", err)));
    }
  }

  /**
   * The live key with this hash; a miss asks the directory once (a key created a moment ago must work), unless this
   * second's look-ups are spent (then LookupsThrottled).
   */
  async keyByHash(env: Env, hash: string): Promise<KeyRecord | null> {
    const known = this.#keys.get(hash);
    if (known !== undefined) return known;
    const now = this.#now();
    const missedUntil = this.#misses.get(hash);
    if (missedUntil !== undefined && missedUntil > now) return null;
    if (now - this.#window.start >= 1000) this.#window = { start: now, used: 0 };
    if (this.#window.used >= this.#lookupsPerSecond) throw new LookupsThrottled("too many key look-ups this second");
    this.#window.used++;
    this.#lookups++;
    const found = await directoryOf(env).lookup(hash);
    if (found === null) {
      this.#misses.delete(hash);
      this.#misses.set(hash, this.#now() + MISS_TTL_MS);
      if (this.#misses.size > MAX_MISSES) this.#misses.delete(this.#misses.keys().next().value as string);
      return null;
    }
    this.#misses.delete(hash);
    this.#keys.set(hash, found);
    return found;
  }

  /**
   * Whether budgetOf()'s null means "no budget": only with a budget list loaded within BUDGET_LIST_TRUST_MS. Before
   * the first snapshot, or after a minute of failed refreshes, the list cannot say so.
   */
  budgetsKnown(): boolean {
    return this.#now() - this.#loadedAt <= BUDGET_LIST_TRUST_MS;
  }

  budgetListState(): BudgetListState {
    const known = this.budgetsKnown();
    return {
      state: known ? "loaded" : "unavailable",
      loaded_at: Number.isFinite(this.#loadedAt) ? this.#loadedAt : null,
      reason: known
        ? null
        : this.#lastFailed
          ? "the key directory could not be read; budgets are checked with each workspace's budget directly"
          : "not loaded yet",
    };
  }

  /** The workspace's budget mode, or null when the list has none for it (see budgetsKnown() for whether to trust it). */
  budgetOf(workspaceId: string): OnLimit | null {
    return this.#budgets.get(workspaceId) ?? null;
  }

  /**
   * The workspace's own rpm/tpm limits, or null when the list has none (while the list is unknown the budget gate
   * asks the workspace's object anyway, and it enforces them).
   */
  limitsOf(workspaceId: string): WorkspaceLimitEntry | null {
    return this.#limits.get(workspaceId) ?? null;
  }

  rememberLimits(entry: WorkspaceLimitEntry): void {
    if (entry.rpm_limit === null && entry.tpm_limit === null) this.#limits.delete(entry.workspace_id);
    else this.#limits.set(entry.workspace_id, entry);
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

  /** Reads a snapshot; requests that need one while it is read share the same read. */
  #refresh(env: Env): Promise<void> {
    if (this.#refreshing === null) {
      this.#refreshing = this.#read(env).finally(() => {
        this.#refreshing = null;
      });
    }
    return this.#refreshing;
  }

  async #read(env: Env): Promise<void> {
    // The snapshot is as old as the moment it was asked for: a key revoked while it was read may be in it.
    const askedAt = this.#now();
    const snapshot: GovernanceSnapshot = await directoryOf(env).snapshot();
    this.#keys = new Map(snapshot.keys.map((k) => [k.hash, k]));
    this.#budgets = new Map(snapshot.budgets.map((b) => [b.workspace_id, b.on_limit]));
    this.#limits = new Map((snapshot.limits ?? []).map((l) => [l.workspace_id, l]));
    this.#misses.clear();
    this.#loadedAt = askedAt;
    this.#lastFailed = false;
  }

  #failed(what: string, err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    console.error(what, message);
    this.#failedAt = this.#now();
    this.#lastFailed = true;
  }
}
