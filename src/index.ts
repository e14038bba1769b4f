// The Worker's entry: the HTTP app, the cron, the Durable Objects and the RPC entrypoint, over shared services.

import { CONFIG } from "./config/index.ts";
import type { Env } from "./env.ts";
import { realDeps } from "./execute/deps.ts";
import { live, SERVICES } from "./gateway/services.ts";
import { createApp } from "./http/app.ts";
import { foldOldRequests, purgeExpiredResponses } from "./ledger/retention.ts";
import { deliverAllOwed } from "./observability/budget-webhook.ts";
import { healthSweep } from "./stats/health-sweep.ts";

const app = createApp(SERVICES);

export default {
  fetch: app.fetch,
  async scheduled(controller, env, ctx) {
    // Health sweep: free listing calls only; results feed the same circuits as live traffic (src/stats/health-sweep.ts).
    ctx.waitUntil(
      healthSweep(env, live.cache, {
        fetch: realDeps.fetch,
        now: realDeps.now,
        timeoutMs: CONFIG.fallback.timeouts.headers_ms,
      }).catch((err: unknown) =>
        console.error("health sweep failed", err instanceof Error ? err.message : String(err)),
      ),
    );
    // Retention: fold request rows past retention.request_days into daily rollups (idempotent; a no-op most runs).
    ctx.waitUntil(
      foldOldRequests(env.DB, controller.scheduledTime, CONFIG.fallback.retention.request_days).catch((err: unknown) =>
        console.error("retention failed", err instanceof Error ? err.message : String(err)),
      ),
    );
    // Budget alerts a webhook did not take yet are offered again (src/observability/budget-webhook.ts).
    ctx.waitUntil(
      deliverAllOwed(env, realDeps.now).catch((err: unknown) =>
        console.error("budget alerts failed", err instanceof Error ? err.message : String(err)),
      ),
    );
    ctx.waitUntil(
      purgeExpiredResponses(env.DB, controller.scheduledTime).catch((err: unknown) =>
        console.error("response retention failed", err instanceof Error ? err.message : String(err)),
      ),
    );
  },
} satisfies ExportedHandler<Env>;

export { GovernanceDirectory } from "./keys/governance-directory.ts";
export { BudgetObject } from "./ledger/budget-object.ts";
export { SwitchyardRpc } from "./rpc/entrypoint.ts";
export { StatsObject } from "./stats/stats-object.ts";
