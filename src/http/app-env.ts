// Hono's type parameters for this app: bindings, and what middleware puts on the context.
import type { Config } from "../config/validate.ts";
import type { Env } from "../env.ts";
import type { ExecDeps } from "../execute/deps.ts";
import type { GovernanceCache } from "../keys/governance-cache.ts";
import type { RateLimiter } from "../keys/rate-limit.ts";
import type { RequestSink } from "../ledger/record.ts";
import type { ModelRegistry } from "../registry/model-registry.ts";
import type { LiveStats } from "../stats/live-stats.ts";
import type { StatsSnapshot } from "../stats/snapshot.ts";
import type { Caller } from "./auth.ts";

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
  /** Per-key requests-per-minute counts, kept in the isolate. */
  rateLimiter: RateLimiter;
}

export interface AppEnv {
  Bindings: Env;
  Variables: {
    app: AppServices;
    requestId: string;
    caller: Caller;
    /** The cross-origin caller's origin once it was allowed: the response gets CORS headers for it. */
    corsOrigin: string | null;
    registry: ModelRegistry;
    stats: StatsSnapshot;
  };
}
