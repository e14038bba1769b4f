// The isolate's view of live stats: a cached snapshot refreshed in the background, and writes that never block a request.

import { flushDelayMs, WriteBatcher } from "../core/write-batcher.ts";
import type { Env } from "../env.ts";
import { foldIncrements, type MetricIncrement } from "../observability/metrics.ts";
import type { Outcome, ProbeResult } from "./health.ts";
import type { KeyEvent } from "./key-health.ts";
import { asOf, emptySnapshot, modelKey, type StatsSnapshot } from "./snapshot.ts";
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

type StatsEnv = Pick<Env, "STATS" | "STATS_INSTANCE" | "STATS_FLUSH_MS">;

/** How long a success may wait to be written with others: STATS_FLUSH_MS, 1 s by default, 0 = at once. */
function flushDelay(env: StatsEnv): number {
  return flushDelayMs(env.STATS_FLUSH_MS);
}

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
  /** The latest env seen per stats instance: a batch is sent with its binding (bindings outlive requests; stubs do not). */
  readonly #envs = new Map<string, StatsEnv>();
  readonly #batcher = new WriteBatcher<string, Outcome>((key, outcomes) => this.#send(key, outcomes));
  readonly #metricBatcher = new WriteBatcher<string, MetricIncrement>((key, incs) => this.#sendMetrics(key, incs));
  readonly #keyBatcher = new WriteBatcher<string, KeyEvent>((key, events) => this.#sendKeys(key, events));
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

  /**
   * Records outcomes through waitUntil; the stats object's answer (a fresh snapshot) replaces the cached one.
   * Successes on healthy models wait up to STATS_FLUSH_MS (default 1 s) for company, so a busy isolate makes one
   * stats call a second, not one per request. Failures, and any outcome on a model or provider whose circuit is
   * not closed (a probe), are written at once with everything that waited: circuits react without delay.
   */
  record(env: StatsEnv, ctx: WaitUntil, outcomes: Outcome[]): void {
    if (outcomes.length === 0 || env.STATS === undefined) return;
    const key = instanceOf(env);
    this.#envs.set(key, env);
    const urgent = outcomes.some((o) => !o.ok || !this.#settled(key, o));
    this.#batcher.add(key, outcomes, ctx, { delayMs: flushDelay(env), maxItems: 100 }, urgent);
  }

  /**
   * Adds finished requests' metric increments to the deployment's series in the stats object: batched per isolate
   * like successes (up to STATS_FLUSH_MS, one call for many requests), never urgent, never awaited by a request.
   * A batch goes with each counter series summed into one increment (foldIncrements): the object that every isolate
   * of the deployment writes to gets a few increments per series, not nine per request.
   */
  recordMetrics(env: StatsEnv, ctx: WaitUntil, increments: MetricIncrement[]): void {
    if (increments.length === 0 || env.STATS === undefined) return;
    const key = instanceOf(env);
    this.#envs.set(key, env);
    this.#metricBatcher.add(key, increments, ctx, { delayMs: flushDelay(env), maxItems: 2000 });
  }

  /** Writes this isolate's waiting increments now (a scrape counts them before it reads). */
  flushMetrics(env: StatsEnv): Promise<void> {
    return this.#metricBatcher.flush(instanceOf(env));
  }

  async #sendMetrics(key: string, increments: MetricIncrement[]): Promise<void> {
    const env = this.#envs.get(key);
    const stub = env === undefined ? null : statsStub(env);
    if (stub === null) return;
    try {
      await stub.recordMetrics(foldIncrements(increments));
    } catch (err) {
      console.error("stats metrics write failed", err instanceof Error ? err.message : String(err));
    }
  }

  /**
   * Records what calls with pooled keys came to. A key's cooldown or refusal is written at once (other isolates must
   * stop using it); successes wait up to STATS_FLUSH_MS for company, like outcomes.
   */
  recordKeys(env: StatsEnv, ctx: WaitUntil, events: KeyEvent[]): void {
    if (events.length === 0 || env.STATS === undefined) return;
    const key = instanceOf(env);
    this.#envs.set(key, env);
    const urgent = events.some((e) => e.outcome !== "ok");
    this.#keyBatcher.add(key, events, ctx, { delayMs: flushDelay(env), maxItems: 100 }, urgent);
  }

  /** Records a sweep's key probes (awaited: the sweep runs off the request path). */
  async recordKeysNow(env: StatsEnv, events: KeyEvent[]): Promise<void> {
    const stub = statsStub(env);
    if (stub === null || events.length === 0) return;
    const started = this.#now();
    this.#put(instanceOf(env), (await stub.recordKeys(events)) as StatsSnapshot, started);
  }

  async #sendKeys(key: string, events: KeyEvent[]): Promise<void> {
    const env = this.#envs.get(key);
    const stub = env === undefined ? null : statsStub(env);
    if (stub === null) return;
    const started = this.#now();
    try {
      this.#put(key, (await stub.recordKeys(events)) as StatsSnapshot, started);
    } catch (err) {
      console.error("stats key write failed", err instanceof Error ? err.message : String(err));
    }
  }

  /** One call to the stats object with a batch of outcomes (inside some request's waitUntil). */
  async #send(key: string, outcomes: Outcome[]): Promise<void> {
    const env = this.#envs.get(key);
    const stub = env === undefined ? null : statsStub(env);
    if (stub === null) return;
    const started = this.#now();
    try {
      this.#put(key, (await stub.record(outcomes)) as StatsSnapshot, started);
    } catch (err) {
      console.error("stats write failed", err);
    } finally {
      this.onRecorded(outcomes);
    }
  }

  /** Whether this outcome's model and provider are plainly healthy in the cached snapshot (nothing to decide). */
  #settled(key: string, o: Outcome): boolean {
    const snapshot = this.#entries.get(key)?.snapshot;
    if (snapshot === undefined) return true;
    const provider = snapshot.providers[o.provider];
    const model = snapshot.models[modelKey(o.provider, o.model)];
    return (
      (model?.circuit ?? "closed") === "closed" &&
      (provider?.circuit ?? "closed") === "closed" &&
      provider?.misconfigured !== true
    );
  }

  /**
   * Claims a half-open probe in the stats object, for every isolate at once; true without a stats object (the
   * isolate's own claim is then all there is).
   */
  async claimProbe(env: StatsEnv, key: string, ttlMs: number): Promise<boolean> {
    const stub = statsStub(env);
    if (stub === null) return true;
    return (await stub.claimProbe(key, ttlMs)) as boolean;
  }

  /** Lets go of a shared probe claim, after the response. */
  releaseProbe(env: StatsEnv, ctx: { waitUntil(p: Promise<unknown>): void }, key: string): void {
    const stub = statsStub(env);
    if (stub === null) return;
    ctx.waitUntil(
      (async () => {
        try {
          await stub.releaseProbe(key);
        } catch {
          // The claim lapses on its own when its time is up.
        }
      })(),
    );
  }

  /** Records a health sweep (awaited: the sweep runs off the request path). */
  async recordProbes(
    env: StatsEnv,
    results: ProbeResult[],
    ollamaModels: string[] | null,
  ): Promise<StatsSnapshot | null> {
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
