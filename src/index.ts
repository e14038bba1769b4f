// The Worker's entry: the HTTP app over the real world (fetch, clock, config).
import { createApp } from "./app.ts";
import { CONFIG } from "./config/index.ts";
import type { Env } from "./env.ts";
import { realDeps } from "./execute/deps.ts";
import { GovernanceCache } from "./keys/governance-cache.ts";
import { RateLimiter } from "./keys/rate-limit.ts";
import { BudgetSettleSink } from "./ledger/budget-sink.ts";
import { D1LedgerSink } from "./ledger/d1-sink.ts";
import { foldOldRequests } from "./ledger/retention.ts";
import { ModelRegistry } from "./registry/model-registry.ts";
import { healthSweep } from "./scheduled.ts";
import { createLiveStats } from "./stats/live-stats.ts";
import { discoveredEntry } from "./stats/local-models.ts";
import type { StatsSnapshot } from "./stats/snapshot.ts";

const registry = new ModelRegistry(CONFIG.models.models);
// The isolate's live stats: a snapshot cache refreshed in the background, and the circuit breaker's probe claims.
const live = createLiveStats(realDeps.now);

/** The static registry plus the Ollama models the last health sweep found installed (rebuilt only when that list changes). */
let discovered: { names: readonly string[]; registry: ModelRegistry } = { names: [], registry };
function registryFor(stats: StatsSnapshot): ModelRegistry {
  if (stats.ollama_models === discovered.names || stats.ollama_models.join("\n") === discovered.names.join("\n")) return discovered.registry;
  discovered = { names: stats.ollama_models, registry: registry.withDiscovered(stats.ollama_models.map(discoveredEntry)) };
  return discovered.registry;
}

const app = createApp({
  config: CONFIG,
  deps: realDeps,
  sinks: (env) => [new D1LedgerSink(env.DB), new BudgetSettleSink(env, realDeps.now)],
  registry: (_env, stats) => registryFor(stats),
  stats: async (env, ctx) => live.cache.read(env, ctx),
  live,
  governance: new GovernanceCache(realDeps.now),
  rateLimiter: new RateLimiter(),
});

export default {
  fetch: app.fetch,
  async scheduled(controller, env, ctx) {
    // Health sweep: free listing calls only; results feed the same circuits as live traffic (src/scheduled.ts).
    ctx.waitUntil(
      healthSweep(env, live.cache, { fetch: realDeps.fetch, now: realDeps.now, timeoutMs: CONFIG.fallback.timeouts.headers_ms }).catch((err: unknown) =>
        console.error("health sweep failed", err instanceof Error ? err.message : String(err)),
      ),
    );
    // Retention: fold request rows past retention.request_days into daily rollups (idempotent; a no-op most runs).
    ctx.waitUntil(foldOldRequests(env.DB, controller.scheduledTime, CONFIG.fallback.retention.request_days).catch((err: unknown) => console.error("retention failed", err instanceof Error ? err.message : String(err))));
  },
} satisfies ExportedHandler<Env>;

export { BudgetObject } from "./ledger/budget-object.ts";
export { GovernanceDirectory } from "./keys/governance-directory.ts";
export { StatsObject } from "./stats/stats-object.ts";
