// The parts of the gateway's JSON answers that the page reads (the contract is docs/LLM_PROVIDERS.md). Fields the page
// treats defensively are optional here too, so a gateway that leaves one out renders "–" instead of failing.

export type Status = "healthy" | "degraded" | "down" | "unconfigured";
export type Circuit = "closed" | "open" | "half_open";
export type AttemptStatus = "ok" | "failed" | "skipped";

export interface Percentiles {
  p50: number;
  p95: number;
}

/** GET /v1/gateway */
export interface GatewayInfo {
  mode: "development" | "production";
  caller: { kind: "development" | "admin" | "workspace"; workspace_id: string | null };
  /** A workspace key's own limits (null: none), beside its workspace's; null for the admin key and development mode. */
  key?: KeyLimits | null;
  /**
   * Whether a workspace key's workspace has a budget or rate limits of its own (GET /v1/budgets/{id} is a 404 without
   * either); null for other callers, or while the gateway's budget list cannot say.
   */
  workspace_limited?: boolean | null;
  providers: { provider: string; configured: boolean; upstream: "emulator" | "local" | "remote" | null }[];
  emulated: boolean;
  notice: string | null;
  /** Whether this isolate could load the budget list (when not, budgeted requests may be refused for a moment). */
  budgets?: { state: "loaded" | "unavailable"; loaded_at: number | null; reason: string | null };
}

/** The caller's gateway key as GET /v1/gateway gives it: the limits it was made with (POST /v1/keys). */
export interface KeyLimits {
  id: string;
  prefix: string;
  rpm_limit: number | null;
  tpm_limit: number | null;
  budget_usd: number | null;
}

/** GET /v1/health/providers */
export interface ProviderHealth {
  provider: string;
  status: Status;
  circuit: Circuit;
  success_rate: number | null;
  /** `{p50: null, p95: null}` before the provider was measured. */
  latency_ms: Percentiles | { p50: null; p95: null } | null;
  ttft_ms: Percentiles | { p50: null; p95: null } | null;
  last_error: string | null;
  last_probe_at: string | null;
  models?: { model: string; circuit: Circuit }[];
  /** The price book against the provider's last model listing (health sweep). */
  price_book?: { listed_at: string | null; delisted: string[]; unpriced: number; stale_prices: string[] };
  /** A key pool's keys by masked id (never the key). */
  keys?: KeyHealth[];
}

export interface KeyHealth {
  id: string;
  weight: number;
  state: "active" | "cooling" | "refused";
  cooldown_until: string | null;
  requests: number;
  failures: number;
  rate_limited: number;
  last_error: string | null;
}

/** One rate window of GET /v1/budgets/{workspace_id}. */
export interface WindowUse {
  limit: number;
  used: number;
  remaining: number;
  reset: string;
}

/** GET /v1/budgets/{workspace_id}: the spending limit (null without one) and the rate limits with their use. */
export interface BudgetResponse {
  limit_usd: number | null;
  spent_usd: number | null;
  remaining_usd: number | null;
  period: string | null;
  rpm_limit: number | null;
  tpm_limit: number | null;
  rate_limits?: { requests: WindowUse | null; tokens: WindowUse | null };
}

export interface HealthResponse {
  providers?: ProviderHealth[];
}

/** GET /v1/stats/timeseries */
export interface TimeseriesResponse {
  from: number;
  to: number;
  series: {
    provider: string;
    points: { t: number; ok: number; failed: number; latency_ms: Percentiles | null; ttft_ms: Percentiles | null }[];
  }[];
}

/** GET /v1/usage?group_by=… */
export interface UsageAmounts {
  requests?: number;
  input_tokens?: number;
  output_tokens?: number;
  cost_usd?: number | null;
  /** Answered by the response cache at $0, and what those answers cost when they were made. */
  cache_hits?: number;
  cache_saved_usd?: number;
}

/** GET /v1/alerts */
export interface AlertsResponse {
  webhook_configured: boolean;
  data: {
    event: "budget.threshold" | "budget.limit";
    workspace_id: string;
    period: string;
    spent_usd: number;
    limit_usd: number;
    threshold: number;
    first_at: number;
    sent_at: number | null;
    attempts: number;
    last_error: string | null;
  }[];
}

export interface UsageResponse {
  totals?: UsageAmounts;
  groups?: (UsageAmounts & { key: string | null })[];
}

/** GET /v1/requests */
export interface RequestRow {
  id: string;
  created_at: number;
  workspace_id: string;
  /** chat, responses, messages or embeddings. */
  dialect: string;
  strategy: string;
  chain: string | null;
  provider: string | null;
  model: string | null;
  status: "ok" | "error" | "client_closed";
  http_status: number;
  stream: boolean;
  /** Every prompt token, cache reads and writes included. */
  input_tokens: number;
  output_tokens: number;
  cost_usd: number | null;
  /** Tokens and cost are the gateway's estimate: the provider never reported usage. */
  usage_estimated: boolean;
  /** Answered by the response cache at $0; what the answer cost when it was made. */
  cache_hit?: boolean;
  cache_saved_usd?: number | null;
  latency_ms: number;
  ttft_ms: number | null;
  attempts: {
    provider: string;
    model: string;
    status: AttemptStatus;
    error: string | null;
    http_status: number | null;
    latency_ms: number;
  }[];
}

export interface RequestsResponse {
  data: RequestRow[];
  /** The next page's query (`before`, `before_id`); null on the last page. */
  next?: { before: number; before_id: string } | null;
}

/** GET /v1/models items (a bare list or {data: [...]}). */
export interface ModelEntry {
  id: string;
  provider: string;
  available?: boolean;
  /** "chat" or "embedding": the playground chats, so it offers chat models only. */
  type?: string;
}

export type Listing<T> = T[] | { data?: T[] };

/** GET /v1/chains and /v1/strategies: {chains|strategies: [...]}, {data: [...]} or a bare list; names or {name}. */
export type NamedItem = string | { name?: string; id?: string };
export type NameListing = NamedItem[] | { [field: string]: NamedItem[] | undefined };

/** POST /v1/route */
export interface RoutePlan {
  strategy?: string;
  chain?: string | null;
  candidates?: {
    provider: string;
    model: string;
    score?: number;
    estimated_cost_usd?: number | null;
    reasons?: string[];
  }[];
  excluded?: { provider: string; model: string; reason: string }[];
}

/** x_router: the route report on an answer, its final stream chunk, or an error body. */
export interface RouteReport {
  provider?: string;
  model?: string;
  cost_usd?: number | null;
  attempts?: { provider: string; model: string; status: AttemptStatus; error?: string | null; latency_ms: number }[];
}

/** One chat.completion.chunk as the playground reads it (or an error event). */
export interface ChatChunk {
  choices?: { delta?: { content?: string | null } }[];
  x_router?: RouteReport;
  error?: { message: string };
}
