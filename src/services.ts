// The isolate's services: frozen config, the real outside world, and the isolate-level caches every transport shares.
import { CONFIG } from "./config/index.ts";
import { WriteBatcher } from "./core/write-batcher.ts";
import { realDeps } from "./execute/deps.ts";
import type { AppServices } from "./http/app-env.ts";
import { GovernanceCache } from "./keys/governance-cache.ts";
import { RateLimiter } from "./keys/rate-limit.ts";
import { BudgetSettleSink } from "./ledger/budget-sink.ts";
import { D1LedgerSink, ledgerFlushDelay, writeLedger } from "./ledger/d1-sink.ts";
import type { CompletionRecord } from "./ledger/record.ts";
import { ModelRegistry } from "./registry/model-registry.ts";
import { createLiveStats } from "./stats/live-stats.ts";
import { discoveredEntry } from "./stats/local-models.ts";
import type { StatsSnapshot } from "./stats/snapshot.ts";

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

export const SERVICES: AppServices = {
  config: CONFIG,
  deps: realDeps,
  sinks: (env, ctx) => [
    new D1LedgerSink(env.DB, ledgerBatcher, ledgerFlushDelay(env.LEDGER_FLUSH_MS), ctx),
    new BudgetSettleSink(env, realDeps.now),
  ],
  registry: (_env, stats) => registryFor(stats),
  stats: async (env, ctx) => live.cache.read(env, ctx),
  live,
  governance: new GovernanceCache(realDeps.now),
  rateLimiter: new RateLimiter(),
};
