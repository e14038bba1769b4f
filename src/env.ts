// The Worker's bindings and variables, as wrangler.toml, .dev.vars and secrets provide them.
import type { GovernanceDirectory } from "./keys/governance-directory.ts";
import type { BudgetObject } from "./ledger/budget-object.ts";
import type { WebhookEnv } from "./observability/budget-webhook.ts";
import type { TraceEnv } from "./observability/trace-sink.ts";
import type { ProviderEnv } from "./providers/specs.ts";
import type { StatsObject } from "./stats/stats-object.ts";

/** The provider variables (keys, key lists, base URLs, the Ollama Access token), typed from src/providers/specs.ts. */
export type { ProviderEnv };

/** OTEL_EXPORTER_OTLP_* and OTEL_SERVICE_NAME: where traces go (src/observability/otlp.ts); unset, tracing is off. */
/** BUDGET_ALERT_WEBHOOK_URL and _SECRET: where budget alerts are POSTed (src/observability/budget-webhook.ts). */
export interface Env extends ProviderEnv, TraceEnv, WebhookEnv {
  DB: D1Database;
  /** The dashboard's built files (wrangler.toml [assets]); served only through the Worker's dashboard route. */
  ASSETS: Fetcher;
  /** One per budget scope (a workspace, or a key with budget_usd): holds, settles and enforces spend. */
  BUDGETS: DurableObjectNamespace<BudgetObject>;
  /** The one directory of live keys and budgeted workspaces that isolates cache (src/keys/governance-directory.ts). */
  GOVERNANCE: DurableObjectNamespace<GovernanceDirectory>;
  /** Live provider and model health (circuits, outcomes, latency percentiles): src/stats/stats-object.ts. */
  STATS: DurableObjectNamespace<StatsObject>;
  /** Name of the stats object instance; default "global". One deployment shares one; tests give each session its own. */
  STATS_INSTANCE?: string;
  /** Milliseconds a successful outcome may wait to be written to the stats object with others (default 1000; 0: at once). */
  STATS_FLUSH_MS?: string;
  /** Milliseconds a ledger row may wait to be written to D1 with others (default 1000; 0: at once). */
  LEDGER_FLUSH_MS?: string;

  /** "development" turns on keyless local use; anything else (or unset) is a deployed environment. */
  SWITCHYARD_ENV?: string;
  ADMIN_KEY?: string;

  LLM_DEFAULT_PROVIDER?: string;
  LLM_ROUTING_STRATEGY?: string;
  LLM_ENABLE_FALLBACK?: string;
  LLM_PREFER_LOCAL?: string;
}

export function isDevelopment(env: Pick<Env, "SWITCHYARD_ENV">): boolean {
  return env.SWITCHYARD_ENV === "development";
}
