// The D1 ledger: one request row and its attempt rows per finished request, written in batches after the responses.
import { flushDelayMs, type WriteBatcher } from "../core/write-batcher.ts";
import type { Row } from "../db/rows.ts";
import type { attempts, requests } from "../db/schema.ts";
import { utcDay } from "./budget-period.ts";
import type { AttemptRecord, CompletionRecord, RequestSink } from "./record.ts";

type RequestRow = Row<typeof requests>;
type AttemptRow = Row<typeof attempts>;

/** Every column of a request row and what it holds (the record's own value, or derived from it). */
const REQUEST_ROW: { [C in keyof RequestRow]: (r: CompletionRecord) => RequestRow[C] } = {
  id: (r) => r.request_id,
  created_at: (r) => r.created_at,
  day: (r) => utcDay(r.created_at),
  workspace_id: (r) => r.workspace_id,
  key_id: (r) => r.key_id ?? null,
  execution_id: (r) => r.execution_id,
  dialect: (r) => r.dialect ?? "chat",
  strategy: (r) => r.strategy,
  chain: (r) => r.chain,
  provider: (r) => r.provider,
  model: (r) => r.model,
  status: (r) => r.status,
  http_status: (r) => r.http_status,
  stream: (r) => (r.stream ? 1 : 0),
  attempt_count: (r) => r.attempts.filter((a) => a.status !== "skipped").length,
  input_tokens: (r) => r.usage?.input_tokens ?? 0,
  output_tokens: (r) => r.usage?.output_tokens ?? 0,
  cached_input_tokens: (r) => r.usage?.cached_input_tokens ?? 0,
  cache_write_tokens: (r) => r.usage?.cache_write_tokens ?? 0,
  cost_pico: (r) => r.cost_pico,
  unpriced: (r) => (r.usage !== null && r.cost_pico === null ? 1 : 0),
  usage_estimated: (r) => (r.usage_estimated === true ? 1 : 0),
  cache_hit: (r) => (r.cache === "hit" ? 1 : 0),
  cache_saved_pico: (r) => (r.cache === "hit" ? (r.saved_pico ?? null) : null),
  latency_ms: (r) => Math.round(r.latency_ms),
  ttft_ms: (r) => (r.ttft_ms === null ? null : Math.round(r.ttft_ms)),
  error: (r) => r.error,
  prompt: (r) => r.content?.prompt ?? null,
  completion: (r) => r.content?.completion ?? null,
};

/** Every column of an attempt row: the attempt, its place among the request's attempts, and the request. */
const ATTEMPT_ROW: {
  [C in keyof AttemptRow]: (a: AttemptRecord, seq: number, r: CompletionRecord) => AttemptRow[C];
} = {
  request_id: (_a, _seq, r) => r.request_id,
  seq: (_a, seq) => seq,
  created_at: (_a, _seq, r) => r.created_at,
  provider: (a) => a.provider,
  model: (a) => a.model,
  status: (a) => a.status,
  error: (a) => a.error,
  error_kind: (a) => a.error_kind,
  http_status: (a) => a.http_status,
  latency_ms: (a) => Math.round(a.latency_ms),
  ttft_ms: (a) => (a.ttft_ms === null ? null : Math.round(a.ttft_ms)),
};

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
const REQUEST_VALUES = Object.values(REQUEST_ROW);
const ATTEMPT_VALUES = Object.values(ATTEMPT_ROW);
const INSERT_REQUESTS = insertFromJson("requests", Object.keys(REQUEST_ROW));
const INSERT_ATTEMPTS = insertFromJson("attempts", Object.keys(ATTEMPT_ROW));

/** A statement's JSON parameter stays well under D1's limits (2 MB a value, 100 KB of SQL): stored prompts are long. */
const MAX_PARAM_CHARS = 256 * 1024;

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
    const requestRows: string[] = [];
    const attemptRows: string[] = [];
    for (const r of records) {
      requestRows.push(JSON.stringify(REQUEST_VALUES.map((value) => value(r))));
      r.attempts.forEach((a, seq) => {
        attemptRows.push(JSON.stringify(ATTEMPT_VALUES.map((value) => value(a, seq, r))));
      });
    }
    const statements: D1PreparedStatement[] = [];
    chunked(db, INSERT_REQUESTS, requestRows, statements);
    if (attemptRows.length > 0) chunked(db, INSERT_ATTEMPTS, attemptRows, statements);
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
 * Rows a batch holds at most before it is written without waiting out LEDGER_FLUSH_MS: about a second of a busy
 * isolate's requests. Fewer, larger batches cost D1 fewer commits: on local D1, 2,000 requests at 16 connections
 * made 2,544 SQLite page writes with batches of 50 and 968 with batches of 500 (`node bench/sqlite-writes.ts`,
 * 2026-12-03). A statement's JSON parameter is still split at MAX_PARAM_CHARS.
 */
export const MAX_BATCH_ROWS = 500;
/** Rows carrying stored prompts (features.store_prompts) are written 50 at a time: the isolate holds fewer of them. */
export const MAX_BATCH_ROWS_WITH_CONTENT = 50;

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
    const maxItems = record.content === undefined ? MAX_BATCH_ROWS : MAX_BATCH_ROWS_WITH_CONTENT;
    this.#batcher.add(this.#db, [record], this.#ctx, { delayMs: this.#delayMs, maxItems });
  }
}

/** LEDGER_FLUSH_MS as a number: 1 s by default, 0 writes every request at once. */
export function ledgerFlushDelay(value: string | undefined): number {
  return flushDelayMs(value);
}
