// The D1 ledger: one request row and its attempt rows per finished request, written in batches after the responses.
import type { WriteBatcher } from "../core/write-batcher.ts";
import { utcDay } from "./budget-period.ts";
import type { CompletionRecord, RequestSink } from "./record.ts";

/**
 * The hot inserts are plain prepared SQL over the drizzle schema's tables (src/db/schema.ts, migrations/): building
 * them with drizzle's query builder cost more CPU per request than the rest of the gateway (docs/BENCHMARKS.md).
 */
const INSERT_REQUEST =
  "INSERT OR IGNORE INTO requests (id, created_at, day, workspace_id, key_id, execution_id, dialect, strategy, chain, provider, model, status, http_status, stream, attempt_count, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, cost_pico, unpriced, usage_estimated, cache_hit, cache_saved_pico, latency_ms, ttft_ms, error, prompt, completion) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
const INSERT_ATTEMPT =
  "INSERT OR IGNORE INTO attempts (request_id, seq, created_at, provider, model, status, error, error_kind, http_status, latency_ms, ttft_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

/**
 * Writes records in one D1 batch. Every failure is logged and swallowed here: a D1 outage loses ledger rows, never a
 * user's request. (The message only: records hold no keys, and prompts only when features.store_prompts is on.)
 */
export async function writeLedger(db: D1Database, records: CompletionRecord[]): Promise<void> {
  try {
    const request = db.prepare(INSERT_REQUEST);
    const attempt = db.prepare(INSERT_ATTEMPT);
    const statements: D1PreparedStatement[] = [];
    for (const r of records) {
      const usage = r.usage;
      statements.push(
        request.bind(
          r.request_id,
          r.created_at,
          utcDay(r.created_at),
          r.workspace_id,
          r.key_id ?? null,
          r.execution_id,
          r.dialect ?? "chat",
          r.strategy,
          r.chain,
          r.provider,
          r.model,
          r.status,
          r.http_status,
          r.stream ? 1 : 0,
          r.attempts.filter((a) => a.status !== "skipped").length,
          usage?.input_tokens ?? 0,
          usage?.output_tokens ?? 0,
          usage?.cached_input_tokens ?? 0,
          usage?.cache_write_tokens ?? 0,
          r.cost_pico,
          usage !== null && r.cost_pico === null ? 1 : 0,
          r.usage_estimated === true ? 1 : 0,
          r.cache === "hit" ? 1 : 0,
          r.cache === "hit" ? (r.saved_pico ?? null) : null,
          Math.round(r.latency_ms),
          r.ttft_ms === null ? null : Math.round(r.ttft_ms),
          r.error,
          r.content?.prompt ?? null,
          r.content?.completion ?? null,
        ),
      );
      r.attempts.forEach((a, seq) => {
        statements.push(
          attempt.bind(
            r.request_id,
            seq,
            r.created_at,
            a.provider,
            a.model,
            a.status,
            a.error,
            a.error_kind,
            a.http_status,
            Math.round(a.latency_ms),
            a.ttft_ms === null ? null : Math.round(a.ttft_ms),
          ),
        );
      });
    }
    await db.batch(statements);
  } catch (err) {
    console.error(
      "ledger write failed",
      records.map((r) => r.request_id).join(","),
      err instanceof Error ? err.message : String(err),
    );
  }
}

/**
 * Hands records to the isolate's ledger batcher: rows wait up to LEDGER_FLUSH_MS (default 1 s) to be written with
 * others, inside a live request's waitUntil, so a busy isolate makes one D1 batch a second instead of one a request.
 */
export class D1LedgerSink implements RequestSink {
  readonly #db: D1Database;
  readonly #batcher: WriteBatcher<D1Database, CompletionRecord>;
  readonly #delayMs: number;
  readonly #ctx: { waitUntil(promise: Promise<unknown>): void };

  constructor(
    db: D1Database,
    batcher: WriteBatcher<D1Database, CompletionRecord>,
    delayMs: number,
    ctx: { waitUntil(promise: Promise<unknown>): void },
  ) {
    this.#db = db;
    this.#batcher = batcher;
    this.#delayMs = delayMs;
    this.#ctx = ctx;
  }

  async complete(record: CompletionRecord): Promise<void> {
    this.#batcher.add(this.#db, [record], this.#ctx, { delayMs: this.#delayMs, maxItems: 50 });
  }
}

/** LEDGER_FLUSH_MS as a number: 1 s by default, 0 writes every request at once. */
export function ledgerFlushDelay(value: string | undefined): number {
  const ms = Number(value ?? 1000);
  return Number.isFinite(ms) && ms >= 0 ? ms : 1000;
}
