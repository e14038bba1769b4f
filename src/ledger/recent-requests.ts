// The latest request rows with their attempts, from the D1 ledger (read-only; the page's "recent requests" table).
import type { Row } from "../db/rows.ts";
import type { attempts, requests } from "../db/schema.ts";
import { picoToUsd } from "./cost.ts";

export interface RecentRequest {
  id: string;
  created_at: number;
  workspace_id: string;
  execution_id: string | null;
  /** The API the client spoke: chat, responses, messages or embeddings. */
  dialect: string;
  strategy: string;
  chain: string | null;
  provider: string | null;
  model: string | null;
  status: "ok" | "error" | "client_closed";
  http_status: number;
  stream: boolean;
  /** Every prompt token, cache reads and writes included (as /v1/usage and OpenAI's prompt_tokens count them). */
  input_tokens: number;
  output_tokens: number;
  /** Of input_tokens, those read from the provider's prompt cache, and those written to it (each its own price). */
  cached_input_tokens: number;
  cache_write_tokens: number;
  /** Null when the model that answered is unpriced, or nothing answered. */
  cost_usd: number | null;
  /** The provider never reported usage (a stream cut before it, an answer without it): estimated tokens and cost. */
  usage_estimated: boolean;
  /** Answered by the response cache ($0, no attempts); `cache_saved_usd` is what the answer cost when it was made. */
  cache_hit: boolean;
  cache_saved_usd: number | null;
  latency_ms: number;
  ttft_ms: number | null;
  error: string | null;
  attempts: {
    provider: string;
    model: string;
    status: "ok" | "failed" | "skipped";
    error: string | null;
    error_kind: string | null;
    http_status: number | null;
    latency_ms: number;
    ttft_ms: number | null;
  }[];
}

// Plain prepared SQL over the tables of src/db/schema.ts (migrations/), with its column names.
const REQUEST_COLUMNS = [
  "id",
  "created_at",
  "workspace_id",
  "execution_id",
  "dialect",
  "strategy",
  "chain",
  "provider",
  "model",
  "status",
  "http_status",
  "stream",
  "input_tokens",
  "output_tokens",
  "cached_input_tokens",
  "cache_write_tokens",
  "cost_pico",
  "usage_estimated",
  "cache_hit",
  "cache_saved_pico",
  "latency_ms",
  "ttft_ms",
  "error",
] as const;
type RequestRow = Pick<Row<typeof requests>, (typeof REQUEST_COLUMNS)[number]>;
const ATTEMPT_COLUMNS = [
  "request_id",
  "provider",
  "model",
  "status",
  "error",
  "error_kind",
  "http_status",
  "latency_ms",
  "ttft_ms",
] as const;
type AttemptRow = Pick<Row<typeof attempts>, (typeof ATTEMPT_COLUMNS)[number]>;

/**
 * Where a page ends, in the list's own order (created_at, then id, both descending): the next page is the rows after
 * it. A created_at alone is not enough, since requests share a millisecond.
 */
export interface RequestCursor {
  created_at: number;
  /** Null: every row of that millisecond is after the cursor (the older `before=<ms>` alone). */
  id: string | null;
}

export interface RecentRequestsPage {
  data: RecentRequest[];
  /** The last row's cursor when more rows follow it; null on the last page. */
  next: { created_at: number; id: string } | null;
}

/** Newest first (ties by id); `workspaceId` null reads every workspace (admin and development callers only). */
export async function recentRequests(
  d1: D1Database,
  opts: { workspaceId: string | null; limit: number; before: RequestCursor | null },
): Promise<RecentRequestsPage> {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (opts.workspaceId !== null) {
    where.push("workspace_id = ?");
    params.push(opts.workspaceId);
  }
  const { before } = opts;
  if (before !== null && before.id === null) {
    where.push("created_at < ?");
    params.push(before.created_at);
  }
  if (before !== null && before.id !== null) {
    where.push("(created_at < ? OR (created_at = ? AND id < ?))");
    params.push(before.created_at, before.created_at, before.id);
  }
  // One row more than asked says whether another page follows.
  const { results: found } = await d1
    .prepare(
      `SELECT ${REQUEST_COLUMNS.join(", ")} FROM requests${where.length === 0 ? "" : ` WHERE ${where.join(" AND ")}`}
       ORDER BY created_at DESC, id DESC LIMIT ?`,
    )
    .bind(...params, opts.limit + 1)
    .all<RequestRow>();
  const rows = found.slice(0, opts.limit);
  const last = rows.at(-1);
  const next = found.length > opts.limit && last !== undefined ? { created_at: last.created_at, id: last.id } : null;
  return { data: await withAttempts(d1, rows), next };
}

/** The rows as the API lists them, each with its attempts in order. */
async function withAttempts(d1: D1Database, rows: RequestRow[]): Promise<RecentRequest[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  // One query for every row's attempts; ids are request ids (the limit keeps the list under D1's 100 bound parameters).
  const { results: tries } = await d1
    .prepare(
      `SELECT ${ATTEMPT_COLUMNS.join(", ")} FROM attempts
       WHERE request_id IN (${ids.map(() => "?").join(", ")}) ORDER BY request_id, seq`,
    )
    .bind(...ids)
    .all<AttemptRow>();
  const byRequest = new Map<string, RecentRequest["attempts"]>();
  for (const a of tries) {
    const list = byRequest.get(a.request_id) ?? [];
    list.push({
      provider: a.provider,
      model: a.model,
      status: a.status,
      error: a.error,
      error_kind: a.error_kind,
      http_status: a.http_status,
      latency_ms: a.latency_ms,
      ttft_ms: a.ttft_ms,
    });
    byRequest.set(a.request_id, list);
  }
  // SQLite's booleans are 0 and 1.
  return rows.map((r) => ({
    id: r.id,
    created_at: r.created_at,
    workspace_id: r.workspace_id,
    execution_id: r.execution_id,
    dialect: r.dialect,
    strategy: r.strategy,
    chain: r.chain,
    provider: r.provider,
    model: r.model,
    status: r.status,
    http_status: r.http_status,
    stream: r.stream === 1,
    input_tokens: r.input_tokens + r.cached_input_tokens + r.cache_write_tokens,
    output_tokens: r.output_tokens,
    cached_input_tokens: r.cached_input_tokens,
    cache_write_tokens: r.cache_write_tokens,
    cost_usd: r.cost_pico === null ? null : picoToUsd(r.cost_pico),
    usage_estimated: r.usage_estimated === 1,
    cache_hit: r.cache_hit === 1,
    cache_saved_usd: r.cache_saved_pico === null ? null : picoToUsd(r.cache_saved_pico),
    latency_ms: r.latency_ms,
    ttft_ms: r.ttft_ms,
    error: r.error,
    attempts: byRequest.get(r.id) ?? [],
  }));
}
