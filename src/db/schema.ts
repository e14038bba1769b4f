// The D1 schema (drizzle): one row per request and per attempt, daily rollups, budgets and gateway keys.
import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * One row per request that reached the router. Money is an integer count of pico-dollars (1e-12 USD): a cheap call
 * costs a few millionths of a cent, and integers sum exactly in SQL where floats drift.
 */
export const requests = sqliteTable(
  "requests",
  {
    id: text("id").primaryKey(),
    /** Epoch ms when the request arrived. */
    createdAt: integer("created_at").notNull(),
    /** UTC day of createdAt (YYYY-MM-DD): the unit of rollups and of group_by=day. */
    day: text("day").notNull(),
    workspaceId: text("workspace_id").notNull(),
    keyId: text("key_id"),
    executionId: text("execution_id"),
    /** The API the client spoke: chat (completions), responses, messages or embeddings. */
    dialect: text("dialect", { enum: ["chat", "responses", "messages", "embeddings"] })
      .notNull()
      .default("chat"),
    strategy: text("strategy").notNull(),
    chain: text("chain"),
    /** The provider and model that answered; null when none did. */
    provider: text("provider"),
    model: text("model"),
    status: text("status", { enum: ["ok", "error", "client_closed"] }).notNull(),
    httpStatus: integer("http_status").notNull(),
    stream: integer("stream", { mode: "boolean" }).notNull(),
    attemptCount: integer("attempt_count").notNull(),
    /** Prompt tokens billed at the full input price (cache reads and writes excluded). */
    inputTokens: integer("input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    cachedInputTokens: integer("cached_input_tokens").notNull().default(0),
    cacheWriteTokens: integer("cache_write_tokens").notNull().default(0),
    /** Null when tokens were used but the model has no price (flagged by `unpriced`), or nothing was used. */
    costPico: integer("cost_pico"),
    /** 1 when the answering model reported usage but is not priced: its cost is unknown, never invented. */
    unpriced: integer("unpriced", { mode: "boolean" }).notNull().default(false),
    /**
     * 1 when the provider never reported usage (a stream cut off, stalled, or left by its client): the tokens are the
     * gateway's estimate (prompt from the estimator, output from what was streamed) and the cost is billed from them.
     */
    usageEstimated: integer("usage_estimated", { mode: "boolean" }).notNull().default(false),
    /** 1 when the response cache answered (src/cache/): no provider was called and cost_pico is 0. */
    cacheHit: integer("cache_hit", { mode: "boolean" }).notNull().default(false),
    /** A cache hit: what the cached answer cost when it was made (the spend this hit saved); null otherwise. */
    cacheSavedPico: integer("cache_saved_pico"),
    latencyMs: integer("latency_ms").notNull(),
    ttftMs: integer("ttft_ms"),
    error: text("error"),
    /** The messages sent (JSON), only when features.store_prompts is on; null otherwise. */
    prompt: text("prompt"),
    /** The answer (JSON: content and tool calls), only when features.store_prompts is on; null otherwise. */
    completion: text("completion"),
  },
  (t) => [
    index("requests_workspace_created").on(t.workspaceId, t.createdAt),
    index("requests_created").on(t.createdAt),
  ],
);

/** Every attempt of a request, failed and skipped ones included; only the one that answered is billed. */
export const attempts = sqliteTable(
  "attempts",
  {
    requestId: text("request_id").notNull(),
    /** Position in the request's attempt list, from 0. */
    seq: integer("seq").notNull(),
    createdAt: integer("created_at").notNull(),
    provider: text("provider").notNull(),
    model: text("model").notNull(),
    status: text("status", { enum: ["ok", "failed", "skipped"] }).notNull(),
    error: text("error"),
    errorKind: text("error_kind"),
    httpStatus: integer("http_status"),
    latencyMs: integer("latency_ms").notNull(),
    ttftMs: integer("ttft_ms"),
  },
  (t) => [primaryKey({ columns: [t.requestId, t.seq] }), index("attempts_created").on(t.createdAt)],
);

/**
 * Request rows older than the retention age, folded per day and per usage dimension. Empty strings stand for
 * "none" (no provider answered, no execution id) because SQLite treats NULLs as distinct in a primary key.
 */
export const dailyRollups = sqliteTable(
  "daily_rollups",
  {
    workspaceId: text("workspace_id").notNull(),
    day: text("day").notNull(),
    provider: text("provider").notNull(),
    model: text("model").notNull(),
    executionId: text("execution_id").notNull(),
    dialect: text("dialect").notNull().default("chat"),
    requests: integer("requests").notNull(),
    errors: integer("errors").notNull(),
    inputTokens: integer("input_tokens").notNull(),
    outputTokens: integer("output_tokens").notNull(),
    cachedInputTokens: integer("cached_input_tokens").notNull(),
    cacheWriteTokens: integer("cache_write_tokens").notNull(),
    costPico: integer("cost_pico").notNull(),
    unpricedRequests: integer("unpriced_requests").notNull(),
    /** Of requests and cost_pico: those billed from estimated usage (requests.usage_estimated). */
    estimatedRequests: integer("estimated_requests").notNull().default(0),
    estimatedCostPico: integer("estimated_cost_pico").notNull().default(0),
    /** Of requests: those the response cache answered, and what they saved (requests.cache_hit, cache_saved_pico). */
    cacheHits: integer("cache_hits").notNull().default(0),
    cacheSavedPico: integer("cache_saved_pico").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.day, t.provider, t.model, t.executionId, t.dialect] })],
);

/**
 * Stored Responses API answers (`store`, true by default): what `previous_response_id` continues and
 * `GET /v1/responses/{id}` returns, for the workspace that made them, until `expires_at` (retention.responses_days).
 */
export const responses = sqliteTable(
  "responses",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    /** The Response object as the client got it (JSON). */
    response: text("response").notNull(),
    /** The conversation so far in canonical messages (JSON): the inputs and outputs a continuation builds on. */
    conversation: text("conversation").notNull(),
  },
  (t) => [
    index("responses_workspace_created").on(t.workspaceId, t.createdAt),
    index("responses_expires").on(t.expiresAt),
  ],
);

/** A workspace's budget as last set by an admin; the BudgetObject holds the live spend and enforces it. */
export const budgets = sqliteTable("budgets", {
  workspaceId: text("workspace_id").primaryKey(),
  limitPico: integer("limit_pico").notNull(),
  period: text("period", { enum: ["day", "month"] }).notNull(),
  alertThreshold: real("alert_threshold").notNull(),
  onLimit: text("on_limit", { enum: ["reject", "downgrade"] }).notNull(),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/** Gateway keys: only the SHA-256 of the key is stored; the visible prefix lets a person tell keys apart. */
export const keys = sqliteTable(
  "keys",
  {
    id: text("id").primaryKey(),
    hash: text("hash").notNull().unique(),
    prefix: text("prefix").notNull(),
    name: text("name").notNull(),
    workspaceId: text("workspace_id").notNull(),
    /** JSON array of origins, or null: no browser origin other than the gateway's own. */
    allowedOrigins: text("allowed_origins", { mode: "json" }).$type<string[]>(),
    rpmLimit: integer("rpm_limit"),
    tpmLimit: integer("tpm_limit"),
    budgetPico: integer("budget_pico"),
    createdAt: integer("created_at").notNull(),
    revokedAt: integer("revoked_at"),
  },
  (t) => [index("keys_workspace").on(t.workspaceId)],
);
