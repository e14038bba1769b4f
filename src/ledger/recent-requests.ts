// The latest request rows with their attempts, from the D1 ledger (read-only; the page's "recent requests" table).
import { and, asc, desc, eq, inArray, lt } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { attempts, requests } from "../db/schema.ts";
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
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
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

/** Newest first; `workspaceId` null reads every workspace (admin and development callers only). */
export async function recentRequests(
  d1: D1Database,
  opts: { workspaceId: string | null; limit: number; before: number | null },
): Promise<RecentRequest[]> {
  const db = drizzle(d1);
  const where = and(
    opts.workspaceId === null ? undefined : eq(requests.workspaceId, opts.workspaceId),
    opts.before === null ? undefined : lt(requests.createdAt, opts.before),
  );
  const rows = await db
    .select()
    .from(requests)
    .where(where)
    .orderBy(desc(requests.createdAt), desc(requests.id))
    .limit(opts.limit);
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  // One query for every row's attempts; ids are request ids (the limit keeps the list under D1's 100 bound parameters).
  const tries = await db
    .select()
    .from(attempts)
    .where(inArray(attempts.requestId, ids))
    .orderBy(asc(attempts.requestId), asc(attempts.seq));
  const byRequest = new Map<string, RecentRequest["attempts"]>();
  for (const a of tries) {
    const list = byRequest.get(a.requestId) ?? [];
    list.push({
      provider: a.provider,
      model: a.model,
      status: a.status,
      error: a.error,
      error_kind: a.errorKind,
      http_status: a.httpStatus,
      latency_ms: a.latencyMs,
      ttft_ms: a.ttftMs,
    });
    byRequest.set(a.requestId, list);
  }
  return rows.map((r) => ({
    id: r.id,
    created_at: r.createdAt,
    workspace_id: r.workspaceId,
    execution_id: r.executionId,
    dialect: r.dialect,
    strategy: r.strategy,
    chain: r.chain,
    provider: r.provider,
    model: r.model,
    status: r.status,
    http_status: r.httpStatus,
    stream: r.stream,
    input_tokens: r.inputTokens,
    output_tokens: r.outputTokens,
    cached_input_tokens: r.cachedInputTokens,
    cost_usd: r.costPico === null ? null : picoToUsd(r.costPico),
    usage_estimated: r.usageEstimated,
    cache_hit: r.cacheHit,
    cache_saved_usd: r.cacheSavedPico === null ? null : picoToUsd(r.cacheSavedPico),
    latency_ms: r.latencyMs,
    ttft_ms: r.ttftMs,
    error: r.error,
    attempts: byRequest.get(r.id) ?? [],
  }));
}
