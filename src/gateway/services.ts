// The isolate's services: frozen config, the real outside world, and the isolate-level caches every transport shares.

import { CONFIG } from "../config/index.ts";
import type { Config } from "../config/validate.ts";
import { WriteBatcher } from "../core/write-batcher.ts";
import type { Env } from "../env.ts";
import type { ExecDeps } from "../execute/deps.ts";
import { realDeps } from "../execute/deps.ts";
import type { LiveStats } from "../execute/live-stats.ts";
import { createLiveStats } from "../execute/live-stats.ts";
import { GovernanceCache } from "../keys/governance-cache.ts";
import { BudgetSettleSink } from "../ledger/budget-sink.ts";
import { D1LedgerSink, ledgerFlushDelay, writeLedger } from "../ledger/d1-sink.ts";
import type { CompletionRecord, RequestSink } from "../ledger/record.ts";
import { BudgetAlertSink } from "../observability/budget-webhook.ts";
import { MetricsSink } from "../observability/metrics-sink.ts";
import { TraceExporter } from "../observability/trace-sink.ts";
import { ModelRegistry } from "../registry/model-registry.ts";
import { discoveredEntry } from "../stats/local-models.ts";
import type { StatsSnapshot } from "../stats/snapshot.ts";

/** What the app is built with: frozen configuration and the outside world, passed in. */
export interface AppServices {
  config: Config;
  deps: ExecDeps;
  /** Where finished requests go (stats, ledger); called per request with that request's env. */
  sinks: (env: Env, ctx: { waitUntil(promise: Promise<unknown>): void }) => RequestSink[];
  /** The registry in force for this env (static entries plus discovered local models). */
  registry: (env: Env, stats: StatsSnapshot) => ModelRegistry;
  /** Live stats from the isolate's cache (refreshed in the background); never awaits a Durable Object write. */
  stats: (env: Env, ctx: { waitUntil(promise: Promise<unknown>): void }) => Promise<StatsSnapshot>;
  /** Where outcomes are written and circuit probes claimed (absent: no live stats, every candidate is tried). */
  live?: LiveStats;
  /** The isolate's cache of gateway keys and budgeted workspaces (refreshed in the background). */
  governance: GovernanceCache;
}

const present = <T>(item: T | null): T[] => (item === null ? [] : [item]);

const registry = new ModelRegistry(CONFIG.models.models);
// The isolate's live stats: a snapshot cache refreshed in the background, and the circuit breaker's probe claims.
export const live = createLiveStats(realDeps.now);

/** The static registry plus the Ollama models the last health sweep found installed (rebuilt only when that list changes). */
let discovered: { names: readonly string[]; registry: ModelRegistry } = { names: [], registry };
function registryFor(stats: StatsSnapshot): ModelRegistry {
  if (stats.ollama_models === discovered.names || stats.ollama_models.join("\n") === discovered.names.join("\n"))
    return discovered.registry;
  discovered = {
    names: stats.ollama_models,
    registry: registry.withDiscovered(stats.ollama_models.map(discoveredEntry)),
  };
  return discovered.registry;
}

/** Ledger rows of this isolate waiting (at most LEDGER_FLUSH_MS) to be written to D1 together. */
const ledgerBatcher = new WriteBatcher<D1Database, CompletionRecord>(writeLedger);

/** This isolate's spans on their way to the OTLP collector (when OTEL_EXPORTER_OTLP_ENDPOINT is set). */
export const traces = new TraceExporter(realDeps.fetch);

export const SERVICES: AppServices = {
  config: CONFIG,
  deps: realDeps,
  sinks: (env, ctx) => [
    new D1LedgerSink(env.DB, ledgerBatcher, ledgerFlushDelay(env.LEDGER_FLUSH_MS), ctx),
    new BudgetAlertSink(new BudgetSettleSink(env, realDeps.now), env, realDeps.now, (increments) =>
      live.cache.recordMetrics(env, ctx, increments),
    ),
    ...present(traces.sink(env, ctx)),
    new MetricsSink(env, ctx, live.cache, traces),
  ],
  registry: (_env, stats) => registryFor(stats),
  stats: async (env, ctx) => live.cache.read(env, ctx),
  live,
  governance: new GovernanceCache(realDeps.now),
};
