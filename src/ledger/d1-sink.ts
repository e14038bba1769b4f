// The D1 ledger: one request row and its attempt rows per finished request, written in batches after the responses.
import type { WriteBatcher } from "../core/write-batcher.ts";
import { utcDay } from "./budget-period.ts";
import type { CompletionRecord, RequestSink } from "./record.ts";

const REQUEST_COLUMNS = [
  "id",
  "created_at",
  "day",
  "workspace_id",
  "key_id",
  "execution_id",
  "dialect",
  "strategy",
  "chain",
  "provider",
  "model",
  "status",
  "http_status",
  "stream",
  "attempt_count",
  "input_tokens",
  "output_tokens",
  "cached_input_tokens",
  "cache_write_tokens",
  "cost_pico",
  "unpriced",
  "usage_estimated",
  "cache_hit",
  "cache_saved_pico",
  "latency_ms",
  "ttft_ms",
  "error",
  "prompt",
  "completion",
] as const;
const ATTEMPT_COLUMNS = [
  "request_id",
  "seq",
  "created_at",
  "provider",
  "model",
  "status",
  "error",
  "error_kind",
  "http_status",
  "latency_ms",
  "ttft_ms",
] as const;

/**
 * The hot inserts are plain SQL over the drizzle schema's tables (src/db/schema.ts, migrations/): building them with
 * drizzle's query builder cost more CPU per request than the rest of the gateway (docs/BENCHMARKS.md). A batch of
 * rows goes in as one statement per table: the rows are one JSON parameter (an array of value arrays, in the column
 * order) that SQLite's json_each reads, instead of a statement per row, each bound and run on its own.
 */
function insertFromJson(table: string, columns: readonly string[]): string {
  const values = columns.map((_, i) => `json_extract(value, '$[${i}]')`).join(", ");
  return `INSERT OR IGNORE INTO ${table} (${columns.join(", ")}) SELECT ${values} FROM json_each(?) ORDER BY key`;
}
const INSERT_REQUESTS = insertFromJson("requests", REQUEST_COLUMNS);
const INSERT_ATTEMPTS = insertFromJson("attempts", ATTEMPT_COLUMNS);

/** A statement's JSON parameter stays well under D1's limits (2 MB a value, 100 KB of SQL): stored prompts are long. */
const MAX_PARAM_CHARS = 256 * 1024;

function requestRow(r: CompletionRecord): unknown[] {
  const usage = r.usage;
  return [
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
  ];
}

/** Binds rows (each already JSON) to `sql` in as few statements as MAX_PARAM_CHARS allows. */
function chunked(db: D1Database, sql: string, rows: string[], out: D1PreparedStatement[]): void {
  const statement = db.prepare(sql);
  let part: string[] = [];
  let size = 0;
  for (const row of rows) {
    if (part.length > 0 && size + row.length > MAX_PARAM_CHARS) {
      out.push(statement.bind(`[${part.join(",")}]`));
      part = [];
      size = 0;
    }
    part.push(row);
    size += row.length + 1;
  }
  if (part.length > 0) out.push(statement.bind(`[${part.join(",")}]`));
}

/**
 * Writes records in one D1 batch. Every failure is logged and swallowed here: a D1 outage loses ledger rows, never a
 * user's request. (The message only: records hold no keys, and prompts only when features.store_prompts is on.)
 */
export async function writeLedger(db: D1Database, records: CompletionRecord[]): Promise<void> {
  try {
    const requests: string[] = [];
    const attempts: string[] = [];
    for (const r of records) {
      requests.push(JSON.stringify(requestRow(r)));
      r.attempts.forEach((a, seq) => {
        attempts.push(
          JSON.stringify([
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
          ]),
        );
      });
    }
    const statements: D1PreparedStatement[] = [];
    chunked(db, INSERT_REQUESTS, requests, statements);
    if (attempts.length > 0) chunked(db, INSERT_ATTEMPTS, attempts, statements);
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
