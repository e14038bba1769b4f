// The Worker's bindings and variables, as wrangler.toml, .dev.vars and secrets provide them.
import type { GovernanceDirectory } from "./keys/governance-directory.ts";
import type { BudgetObject } from "./ledger/budget-object.ts";
import type { StatsObject } from "./stats/stats-object.ts";

export interface Env {
  DB: D1Database;
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

  OPENAI_API_KEY?: string;
  ANTHROPIC_API_KEY?: string;
  MISTRAL_API_KEY?: string;
  TOGETHER_API_KEY?: string;
  OPENAI_BASE_URL?: string;
  ANTHROPIC_BASE_URL?: string;
  MISTRAL_BASE_URL?: string;
  TOGETHER_BASE_URL?: string;
  OLLAMA_BASE_URL?: string;
  OLLAMA_ACCESS_CLIENT_ID?: string;
  OLLAMA_ACCESS_CLIENT_SECRET?: string;
}

/** The subset of Env an adapter reads. */
export type ProviderEnv = Pick<
  Env,
  | "OPENAI_API_KEY"
  | "ANTHROPIC_API_KEY"
  | "MISTRAL_API_KEY"
  | "TOGETHER_API_KEY"
  | "OPENAI_BASE_URL"
  | "ANTHROPIC_BASE_URL"
  | "MISTRAL_BASE_URL"
  | "TOGETHER_BASE_URL"
  | "OLLAMA_BASE_URL"
  | "OLLAMA_ACCESS_CLIENT_ID"
  | "OLLAMA_ACCESS_CLIENT_SECRET"
>;

export function isDevelopment(env: Pick<Env, "SWITCHYARD_ENV">): boolean {
  return env.SWITCHYARD_ENV === "development";
}
