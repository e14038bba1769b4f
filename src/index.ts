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
import { emptySnapshot } from "./stats/snapshot.ts";

const registry = new ModelRegistry(CONFIG.models.models);

const app = createApp({
  config: CONFIG,
  deps: realDeps,
  sinks: (env) => [new D1LedgerSink(env.DB), new BudgetSettleSink(env, realDeps.now)],
  registry: () => registry,
  stats: async () => emptySnapshot(),
  governance: new GovernanceCache(realDeps.now),
  rateLimiter: new RateLimiter(),
});

export default {
  fetch: app.fetch,
  async scheduled(controller, env, ctx) {
    // Retention: fold request rows past retention.request_days into daily rollups (idempotent; a no-op most runs).
    ctx.waitUntil(foldOldRequests(env.DB, controller.scheduledTime, CONFIG.fallback.retention.request_days).catch((err: unknown) => console.error("retention failed", err instanceof Error ? err.message : String(err))));
  },
} satisfies ExportedHandler<Env>;

export { BudgetObject } from "./ledger/budget-object.ts";
export { GovernanceDirectory } from "./keys/governance-directory.ts";
