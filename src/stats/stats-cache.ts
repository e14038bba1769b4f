// The isolate's view of live stats: a cached snapshot refreshed in the background, and writes that never block a request.
import type { Env } from "../env.ts";
import type { Outcome, ProbeResult } from "./health.ts";
import { asOf, emptySnapshot, type StatsSnapshot } from "./snapshot.ts";
import type { StatsObject } from "./stats-object.ts";

/** A snapshot older than this is refreshed in the background on the next read (seconds, not per request). */
export const REFRESH_MS = 5000;

interface WaitUntil {
  waitUntil(promise: Promise<unknown>): void;
}

interface Entry {
  snapshot: StatsSnapshot;
  fetchedAt: number;
  inflight: Promise<StatsSnapshot> | null;
}

type StatsEnv = Pick<Env, "STATS" | "STATS_INSTANCE">;

export function statsStub(env: StatsEnv): DurableObjectStub<StatsObject> | null {
  // A Worker deployed without the binding runs on static registry data.
  if (env.STATS === undefined) return null;
  return env.STATS.get(env.STATS.idFromName(env.STATS_INSTANCE ?? "global"));
}

/**
 * One per isolate, keyed by stats instance. Reads never wait on the Durable Object; a failed refresh or write is
 * logged and the last good snapshot (or the empty one: static registry data) stays in force.
 */
export class StatsCache {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;
  /** Told after each outcome reaches the stats object (the executor's probe claims are released then). */
  onRecorded: (outcomes: readonly Outcome[]) => void = () => undefined;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** The cached snapshot as of now; starts a background refresh when it is stale. Never awaits the Durable Object. */
  read(env: StatsEnv, ctx: WaitUntil): StatsSnapshot {
    const key = instanceOf(env);
    const entry = this.#entries.get(key);
    const now = this.#now();
    if (entry === undefined || (now - entry.fetchedAt > REFRESH_MS && entry.inflight === null)) {
      ctx.waitUntil(this.refresh(env));
    }
    return entry === undefined ? emptySnapshot() : asOf(entry.snapshot, now);
  }

  /** Reads a fresh snapshot from the stats object (off the hot path: the health endpoint, the sweep, tests). */
  refresh(env: StatsEnv): Promise<StatsSnapshot> {
    const key = instanceOf(env);
    const entry = this.#entry(key);
    if (entry.inflight !== null) return entry.inflight;
    const stub = statsStub(env);
    if (stub === null) return Promise.resolve(entry.snapshot);
    const started = this.#now();
    entry.fetchedAt = started;
    entry.inflight = (stub.snapshot() as Promise<StatsSnapshot>)
      .then((snapshot) => this.#put(key, snapshot, started))
      .catch((err: unknown) => {
        console.error("stats refresh failed; keeping the last snapshot", err);
        return entry.snapshot;
      })
      .finally(() => {
        entry.inflight = null;
      });
    return entry.inflight;
  }

  /** Records outcomes through waitUntil; the stats object's answer (a fresh snapshot) replaces the cached one. */
  record(env: StatsEnv, ctx: WaitUntil, outcomes: Outcome[]): void {
    if (outcomes.length === 0) return;
    const stub = statsStub(env);
    if (stub === null) return;
    const key = instanceOf(env);
    const started = this.#now();
    ctx.waitUntil(
      (stub.record(outcomes) as Promise<StatsSnapshot>)
        .then((snapshot) => {
          this.#put(key, snapshot, started);
        })
        .catch((err: unknown) => console.error("stats write failed", err))
        .finally(() => this.onRecorded(outcomes)),
    );
  }

  /** Records a health sweep (awaited: the sweep runs off the request path). */
  async recordProbes(env: StatsEnv, results: ProbeResult[], ollamaModels: string[] | null): Promise<StatsSnapshot | null> {
    const stub = statsStub(env);
    if (stub === null) return null;
    const started = this.#now();
    const snapshot = (await stub.recordProbes(results, ollamaModels)) as StatsSnapshot;
    return this.#put(instanceOf(env), snapshot, started);
  }

  #entry(key: string): Entry {
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      entry = { snapshot: emptySnapshot(), fetchedAt: 0, inflight: null };
      this.#entries.set(key, entry);
    }
    return entry;
  }

  /** Keeps the newer of two snapshots: a slow refresh must not overwrite what a later write returned. */
  #put(key: string, snapshot: StatsSnapshot, requestedAt: number): StatsSnapshot {
    const entry = this.#entry(key);
    if (snapshot.taken_at >= entry.snapshot.taken_at) {
      entry.snapshot = snapshot;
      entry.fetchedAt = Math.max(entry.fetchedAt, requestedAt);
    }
    return entry.snapshot;
  }
}

function instanceOf(env: StatsEnv): string {
  return env.STATS_INSTANCE ?? "global";
}
