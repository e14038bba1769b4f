// The D1 ledger: one request row and its attempt rows per finished request, written in one batch after the response.
import { drizzle } from "drizzle-orm/d1";
import { attempts, requests } from "../db/schema.ts";
import { utcDay } from "./budget-period.ts";
import type { CompletionRecord, RequestSink } from "./record.ts";

/**
 * Runs inside ctx.waitUntil, after the answer went out. Every failure is logged and swallowed here: a D1 outage
 * loses ledger rows, never a user's request. (The message only: records hold no keys, and prompts only when features.store_prompts is on.)
 */
export class D1LedgerSink implements RequestSink {
  readonly #db: D1Database;

  constructor(db: D1Database) {
    this.#db = db;
  }

  async complete(record: CompletionRecord): Promise<void> {
    try {
      const db = drizzle(this.#db);
      const usage = record.usage;
      const requestRow = db
        .insert(requests)
        .values({
          id: record.request_id,
          createdAt: record.created_at,
          day: utcDay(record.created_at),
          workspaceId: record.workspace_id,
          keyId: record.key_id ?? null,
          executionId: record.execution_id,
          strategy: record.strategy,
          chain: record.chain,
          provider: record.provider,
          model: record.model,
          status: record.status,
          httpStatus: record.http_status,
          stream: record.stream,
          attemptCount: record.attempts.filter((a) => a.status !== "skipped").length,
          inputTokens: usage?.input_tokens ?? 0,
          outputTokens: usage?.output_tokens ?? 0,
          cachedInputTokens: usage?.cached_input_tokens ?? 0,
          cacheWriteTokens: usage?.cache_write_tokens ?? 0,
          costPico: record.cost_pico,
          unpriced: usage !== null && record.cost_pico === null,
          latencyMs: Math.round(record.latency_ms),
          ttftMs: record.ttft_ms === null ? null : Math.round(record.ttft_ms),
          error: record.error,
          prompt: record.content?.prompt ?? null,
          completion: record.content?.completion ?? null,
        })
        .onConflictDoNothing();
      const attemptRows = record.attempts.map((a, seq) => ({
        requestId: record.request_id,
        seq,
        createdAt: record.created_at,
        provider: a.provider,
        model: a.model,
        status: a.status,
        error: a.error,
        errorKind: a.error_kind,
        httpStatus: a.http_status,
        latencyMs: Math.round(a.latency_ms),
        ttftMs: a.ttft_ms === null ? null : Math.round(a.ttft_ms),
      }));
      // D1 binds at most 100 parameters per statement: 11 columns a row, so 9 attempt rows an insert.
      const attemptInserts = [];
      for (let i = 0; i < attemptRows.length; i += 9) attemptInserts.push(db.insert(attempts).values(attemptRows.slice(i, i + 9)).onConflictDoNothing());
      await db.batch([requestRow, ...attemptInserts]);
    } catch (err) {
      console.error("ledger write failed", record.request_id, err instanceof Error ? err.message : String(err));
    }
  }
}
