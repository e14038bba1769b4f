// The stats Durable Object (SQLite-backed): live health per provider and per provider/model, circuits, percentiles.
import { DurableObject } from "cloudflare:workers";
import * as z from "zod/mini";
import { CONFIG } from "../config/index.ts";
import { type ProviderId, ProviderIdSchema } from "../config/names.ts";
import type { Env } from "../env.ts";
import { METRICS, MetricAggregate, type Series, seriesKey } from "../observability/metrics.ts";
import { type ListingReport, ListingReportSchema } from "../registry/listing.ts";
import { ModelRegistry } from "../registry/model-registry.ts";
import { buildSnapshot } from "./build-snapshot.ts";
import {
  applyOutcome,
  applyProbe,
  blame,
  type HealthTuning,
  type ModelHealth,
  newModelHealth,
  newProviderHealth,
  type Outcome,
  type ProbeResult,
  type ProviderHealth,
} from "./health.ts";
import {
  applyKeyEvent,
  type KeyEvent,
  KeyEventSchema,
  type KeyStats,
  keyStatsKey,
  MAX_KEYS,
  newKeyStats,
  withState,
} from "./key-health.ts";
import { modelKey, type StatsSnapshot } from "./snapshot.ts";
import { isListed, UNLISTED_MODELS_CAP, UnlistedModels } from "./unlisted-models.ts";

/** Percentiles cover the last 5 to 10 minutes: long enough for a quiet model to have samples, short enough to move. */
export const TUNING: HealthTuning = { circuit: CONFIG.fallback.circuit, sketch_generation_ms: 5 * 60_000 };
/** The static registry: which models have rows of right, and which share the bounded unlisted set. */
const REGISTRY = new ModelRegistry(CONFIG.models.models);

interface State {
  providers: Map<ProviderId, ProviderHealth>;
  models: Map<string, ModelHealth>;
  ollama: string[];
  /** The unlisted models among `models`, least recently seen first, at most UNLISTED_MODELS_CAP. */
  unlisted: UnlistedModels;
  /** Per-key health of the key pools, at most MAX_KEYS (least recently used forgotten first). */
  keys: Map<string, KeyStats>;
}

const KINDS = [
  "invalid_request",
  "context_length",
  "content_policy",
  "auth",
  "rate_limited",
  "server",
  "network",
  "timeout",
  "malformed",
  "stream",
] as const;
const ms = z.number().check(z.nonnegative());
const OutcomeSchema = z.object({
  provider: ProviderIdSchema,
  model: z.string().check(z.minLength(1), z.maxLength(200)),
  at: ms,
  ok: z.boolean(),
  kind: z.nullable(z.enum(KINDS)),
  http_status: z.nullable(z.int()),
  latency_ms: ms,
  ttft_ms: z.nullable(ms),
  error: z.nullable(z.string()),
  own_host: z.optional(z.literal(true)),
});
const ProbeSchema = z.object({
  provider: ProviderIdSchema,
  at: ms,
  ok: z.boolean(),
  kind: z.nullable(z.enum(KINDS)),
  latency_ms: ms,
  error: z.nullable(z.string()),
});

/** The local models a sweep found on Ollama (null: Ollama did not answer). */
const OllamaModelsSchema = z.nullable(
  z.array(z.string().check(z.minLength(1), z.maxLength(200))).check(z.maxLength(500)),
);

/** Probe claims held at once, at most: one per circuit, and circuits are bounded by the (bounded) rows. */
const MAX_CLAIMS = 1000;

/** Metrics whose first label is a provider id (anything else there is folded to "other"). */
const PROVIDER_LABELLED = new Set(
  Object.entries(METRICS)
    .filter(([, def]) => def.labels[0] === "provider")
    .map(([name]) => name),
);
/** Metrics whose second label is a model name (folded to "unlisted" outside the registry). */
const MODEL_LABELLED = new Set([
  "switchyard_requests_total",
  "switchyard_attempts_total",
  "switchyard_tokens_total",
  "switchyard_cost_usd_total",
  "switchyard_time_to_first_token_seconds",
]);

/** Stored as one row per provider and per provider/model, each a JSON document of its health. */
export class StatsObject extends DurableObject<Env> {
  readonly #sql: SqlStorage;
  /**
   * The rows, parsed once per object lifetime: SQLite is the durable copy (written through on every change), memory
   * saves re-parsing every row on every call. Only this object writes its rows, so the two cannot drift.
   */
  #state: State | null = null;
  /** The deployment's metric series (GET /metrics), loaded once like the health rows and written through. */
  #metrics: MetricAggregate | null = null;
  /**
   * Half-open probe claims shared by every isolate: key (`model:provider/model`, `provider:provider`) -> epoch ms the
   * claim lapses. In memory: a claim lives seconds, and an object that restarts only allows one more probe. Bounded
   * by the circuits (rows are bounded) and pruned as claims lapse.
   */
  readonly #claims = new Map<string, number>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec("CREATE TABLE IF NOT EXISTS health (key TEXT PRIMARY KEY, kind TEXT NOT NULL, body TEXT NOT NULL)");
    this.#sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    this.#sql.exec("CREATE TABLE IF NOT EXISTS metrics (key TEXT PRIMARY KEY, body TEXT NOT NULL)");
  }

  /**
   * Claims a circuit's half-open probe for one request of the whole deployment: true for the first caller, false while
   * that claim holds (until its outcome is recorded, or `ttlMs` passes).
   */
  claimProbe(key: string, ttlMs: number): boolean {
    if (typeof key !== "string" || key.length > 300 || !/^(model|provider):/.test(key)) return false;
    const now = Date.now();
    for (const [k, until] of this.#claims) if (until <= now) this.#claims.delete(k);
    if ((this.#claims.get(key) ?? 0) > now) return false;
    if (this.#claims.size >= MAX_CLAIMS) return false;
    this.#claims.set(key, now + Math.min(Math.max(0, Number(ttlMs) || 0), 300_000));
    return true;
  }

  /** Lets go of a probe claim whose request will record no outcome (its client left, its caller's clock ran out). */
  releaseProbe(key: string): void {
    if (typeof key === "string") this.#claims.delete(key);
  }

  /** Records finished calls; returns the fresh snapshot so the caller's isolate cache learns at once. */
  record(outcomes: Outcome[]): StatsSnapshot {
    const parsed = validOnly(OutcomeSchema, outcomes.slice(0, 100), "outcome");
    // An outcome ends its circuit's probe: the state it leads to (closed, or open again) says what comes next.
    for (const o of parsed) {
      this.#claims.delete(`model:${modelKey(o.provider, o.model)}`);
      this.#claims.delete(`provider:${o.provider}`);
    }

    const { providers, models, ollama, unlisted } = this.#load();
    // A batch may hold many outcomes of one model: each touched row is written once, at the end.
    const touchedModels = new Set<string>();
    const evicted: string[] = [];
    const touchedProviders = new Set<ProviderId>();
    for (const o of parsed) {
      // Caller errors say nothing about health: not even a row for the model.
      if (!o.ok && blame(o.kind, o.http_status, o.own_host === true) === "none") continue;
      const key = modelKey(o.provider, o.model);
      const model = models.get(key) ?? newModelHealth(o.provider, o.model, o.at);
      const provider = providers.get(o.provider) ?? newProviderHealth(o.provider);
      const listed = isListed(REGISTRY, ollama, o.provider, o.model);
      // The provider's other models matter only to a failure (are most of them down?): a success skips the walk. Only
      // the ones it serves count: ids callers made up say nothing of the provider.
      const siblings = o.ok
        ? []
        : [...models.values()].filter(
            (m) => m.provider === o.provider && m.model !== o.model && isListed(REGISTRY, ollama, m.provider, m.model),
          );
      const next = applyOutcome(model, provider, siblings, o, TUNING, listed);
      models.set(key, next.model);
      providers.set(o.provider, next.provider);
      touchedModels.add(key);
      touchedProviders.add(o.provider);
      // Invented names (`openai/<anything>`) share a bounded set: the least recently seen one makes room.
      if (!listed) {
        for (const old of unlisted.touch(key)) {
          models.delete(old);
          touchedModels.delete(old);
          evicted.push(old);
        }
      }
    }
    for (const key of evicted) this.#sql.exec("DELETE FROM health WHERE key = ? AND kind = 'model'", key);
    for (const key of touchedModels) this.#save(key, "model", models.get(key) as ModelHealth);
    for (const p of touchedProviders) this.#save(p, "provider", providers.get(p) as ProviderHealth);
    return this.#snapshot(providers, models);
  }

  /** Records what calls with pooled keys came to (cooldowns, refusals, use); returns the fresh snapshot. */
  recordKeys(events: KeyEvent[]): StatsSnapshot {
    const parsed = validOnly(KeyEventSchema, events.slice(0, 100), "key event");
    const { keys, providers, models } = this.#load();
    const touched = new Set<string>();
    for (const e of parsed) {
      const key = keyStatsKey(e.provider, e.key_id);
      const prev = keys.get(key) ?? newKeyStats(e.provider, e.key_id);
      keys.delete(key);
      keys.set(key, applyKeyEvent(prev, e));
      touched.add(key);
    }
    // Map order is insertion order: the first entries are the least recently used.
    while (keys.size > MAX_KEYS) {
      const oldest = keys.keys().next().value as string;
      keys.delete(oldest);
      touched.delete(oldest);
      this.#sql.exec("DELETE FROM health WHERE key = ? AND kind = 'key'", oldest);
    }
    for (const key of touched) this.#save(key, "key", keys.get(key) as KeyStats);
    return this.#snapshot(providers, models);
  }

  /** Records a health sweep; `ollamaModels` (when Ollama answered) replaces the discovered local models. */
  recordProbes(results: ProbeResult[], ollamaModels: string[] | null): StatsSnapshot {
    const parsed = validOnly(ProbeSchema, results.slice(0, 20), "probe");
    const names = OllamaModelsSchema.safeParse(ollamaModels);
    const local = names.success ? names.data : null;
    const { providers, models } = this.#load();
    for (const r of parsed) {
      const next = applyProbe(providers.get(r.provider) ?? newProviderHealth(r.provider), r, TUNING);
      providers.set(r.provider, next);
      this.#save(r.provider, "provider", next);
    }
    if (local !== null) {
      this.#sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('ollama_models', ?)", JSON.stringify(local));
      const state = this.#load();
      state.ollama = local;
      // Installed models leave the unlisted set; models no longer installed join it (and may make others leave).
      for (const [key, m] of state.models) {
        if (isListed(REGISTRY, local, m.provider, m.model)) state.unlisted.forget(key);
        else if (!state.unlisted.has(key)) state.unlisted.add(key);
      }
      for (const old of state.unlisted.trim()) {
        state.models.delete(old);
        this.#sql.exec("DELETE FROM health WHERE key = ? AND kind = 'model'", old);
      }
    }
    return this.#snapshot(providers, models);
  }

  /**
   * Stores the sweep's comparison of each provider's model listing with the registry (src/registry/listing.ts),
   * replacing that provider's previous report; providers not in this sweep keep theirs.
   */
  recordListings(reports: ListingReport[]): ListingReport[] {
    const parsed = validOnly(ListingReportSchema, reports.slice(0, 20), "listing report");
    const byProvider = new Map(this.listings().map((r) => [r.provider, r]));
    for (const r of parsed) byProvider.set(r.provider, r);
    const all = [...byProvider.values()];
    this.#sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('listings', ?)", JSON.stringify(all));
    return all;
  }

  /** The last listing report of each provider the sweep could list (GET /v1/models, the health view). */
  listings(): ListingReport[] {
    const row = this.#sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'listings'").toArray()[0];
    return row === undefined ? [] : (JSON.parse(row.value) as ListingReport[]);
  }

  /** Every metric series, the increments the series cap refused, and the live snapshot (circuits) for GET /metrics. */
  metricsReport(): { series: Series[]; dropped: number; snapshot: StatsSnapshot } {
    const metrics = this.#loadMetrics();
    return { series: [...metrics.series.values()], dropped: metrics.dropped, snapshot: this.snapshot() };
  }

  /**
   * Folds finished requests' metric increments (batched per isolate by the stats cache) into the deployment's series.
   * Never throws: a malformed increment is skipped.
   */
  recordMetrics(increments: unknown[]): void {
    if (!Array.isArray(increments)) return;
    const batch = increments.slice(0, 10_000);
    const metrics = this.#loadMetrics();
    const { ollama } = this.#load();
    // Model names outside the registry (and the discovered local models) share one label: cardinality stays bounded.
    const folded = batch.map((inc) => {
      if (!Array.isArray(inc) || !Array.isArray(inc[1])) return inc;
      const labels = [...(inc[1] as unknown[])];
      const name = String(inc[0]);
      if (!PROVIDER_LABELLED.has(name)) return inc;
      const provider = ProviderIdSchema.safeParse(labels[0]);
      if (labels[0] !== "none" && !provider.success) labels[0] = "other";
      if (MODEL_LABELLED.has(name) && typeof labels[1] === "string" && labels[1] !== "none") {
        if (!provider.success || !isListed(REGISTRY, ollama, provider.data, labels[1])) labels[1] = "unlisted";
      }
      return [inc[0], labels, ...inc.slice(2)];
    });
    const before = metrics.dropped;
    for (const key of metrics.apply(folded)) {
      const series = metrics.series.get(key);
      if (series !== undefined)
        this.#sql.exec("INSERT OR REPLACE INTO metrics (key, body) VALUES (?, ?)", key, JSON.stringify(series));
    }
    if (metrics.dropped !== before)
      this.#sql.exec(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('metrics_dropped', ?)",
        JSON.stringify(metrics.dropped),
      );
  }

  #loadMetrics(): MetricAggregate {
    if (this.#metrics !== null) return this.#metrics;
    const metrics = new MetricAggregate();
    for (const row of this.#sql.exec<{ key: string; body: string }>("SELECT key, body FROM metrics")) {
      const series = JSON.parse(row.body) as Series;
      if (seriesKey(series.name, series.labels) === row.key) metrics.series.set(row.key, series);
    }
    const dropped = this.#sql
      .exec<{ value: string }>("SELECT value FROM meta WHERE key = 'metrics_dropped'")
      .toArray()[0];
    metrics.dropped = dropped === undefined ? 0 : Number(JSON.parse(dropped.value));
    this.#metrics = metrics;
    return metrics;
  }

  snapshot(): StatsSnapshot {
    const { providers, models } = this.#load();
    return this.#snapshot(providers, models);
  }

  #snapshot(providers: Map<ProviderId, ProviderHealth>, models: Map<string, ModelHealth>): StatsSnapshot {
    const now = Date.now();
    const { ollama, keys } = this.#load();
    const snapshot = buildSnapshot([...providers.values()], [...models.values()], ollama, now, TUNING);
    if (keys.size === 0) return snapshot;
    return { ...snapshot, keys: Object.fromEntries([...keys].map(([k, s]) => [k, withState(s, now)])) };
  }

  #load(): State {
    if (this.#state !== null) return this.#state;
    const providers = new Map<ProviderId, ProviderHealth>();
    const models = new Map<string, ModelHealth>();
    const keys = new Map<string, KeyStats>();
    for (const row of this.#sql.exec<{ key: string; kind: string; body: string }>(
      "SELECT key, kind, body FROM health",
    )) {
      if (row.kind === "key") {
        const stats = JSON.parse(row.body) as KeyStats;
        if (ProviderIdSchema.safeParse(stats.provider).success) keys.set(row.key, stats);
      } else if (row.kind === "provider") {
        // A provider dropped from the registry leaves its row behind: it is not a provider any more.
        const provider = ProviderIdSchema.safeParse(row.key);
        if (provider.success) providers.set(provider.data, JSON.parse(row.body) as ProviderHealth);
      } else models.set(row.key, JSON.parse(row.body) as ModelHealth);
    }
    const meta = this.#sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'ollama_models'").toArray()[0];
    const ollama = meta === undefined ? [] : (JSON.parse(meta.value) as string[]);
    const rows = [...models].filter(([, m]) => !isListed(REGISTRY, ollama, m.provider, m.model));
    const unlisted = UnlistedModels.from(
      UNLISTED_MODELS_CAP,
      rows.map(([key, health]) => ({ key, health })),
    );
    // Rows stored before the set was bounded (or under a larger cap) are trimmed on the first load.
    for (const old of unlisted.trim()) {
      models.delete(old);
      this.#sql.exec("DELETE FROM health WHERE key = ? AND kind = 'model'", old);
    }
    // Least recently used first, as recordKeys keeps them.
    const byUse = [...keys].sort(([, a], [, b]) => (a.last_used_at ?? 0) - (b.last_used_at ?? 0));
    this.#state = { providers, models, ollama, unlisted, keys: new Map(byUse) };
    return this.#state;
  }

  #save(key: string, kind: "model" | "provider" | "key", body: ModelHealth | ProviderHealth | KeyStats): void {
    this.#sql.exec("INSERT OR REPLACE INTO health (key, kind, body) VALUES (?, ?, ?)", key, kind, JSON.stringify(body));
  }
}

/** Keeps the items that parse; a bad one is logged and dropped, never thrown: a stats write must not fail anything. */
function validOnly<T>(schema: z.ZodMiniType<T>, items: unknown[], what: string): T[] {
  const ok: T[] = [];
  for (const item of items) {
    const parsed = schema.safeParse(item);
    if (parsed.success) ok.push(parsed.data);
    else console.warn(`stats: dropped a malformed ${what}: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  }
  return ok;
}
