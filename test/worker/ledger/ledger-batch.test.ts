// The ledger's batched write: many records in one D1 batch, each table's rows in as few statements as fit, every
// value landing exactly as it would from a statement per row (numbers, nulls, flags, long and non-ASCII text).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { WriteBatcher } from "../../../src/core/write-batcher.ts";
import { D1LedgerSink, MAX_BATCH_ROWS, MAX_BATCH_ROWS_WITH_CONTENT, writeLedger } from "../../../src/ledger/d1-sink.ts";
import type { CompletionRecord } from "../../../src/ledger/record.ts";

function record(i: number, ws: string, extra: Partial<CompletionRecord> = {}): CompletionRecord {
  return {
    request_id: `req_batch_${ws}_${i}`,
    created_at: Date.UTC(2026, 11, 2, 10, 0, 0) + i,
    workspace_id: ws,
    execution_id: i % 2 === 0 ? `exec_${i}` : null,
    dialect: i % 3 === 0 ? "messages" : "chat",
    strategy: "balanced",
    chain: i % 4 === 0 ? "HIGH_QUALITY" : null,
    provider: "openai",
    model: "gpt-4o-mini",
    status: "ok",
    http_status: 200,
    stream: i % 2 === 1,
    attempts: [
      {
        provider: "anthropic",
        model: "claude-3-5-haiku-20241022",
        status: "failed",
        error: "anthropic answered 529: overloaded",
        error_kind: "server",
        http_status: 529,
        latency_ms: 12.6,
        ttft_ms: null,
      },
      {
        provider: "openai",
        model: "gpt-4o-mini",
        status: "ok",
        error: null,
        error_kind: null,
        http_status: 200,
        latency_ms: 40.4,
        ttft_ms: 20.5,
      },
    ],
    usage: { input_tokens: 9 + i, output_tokens: 20, cached_input_tokens: 3, cache_write_tokens: 0 },
    cost_pico: 1_234_567_890_123 + i,
    usage_estimated: i % 5 === 0,
    latency_ms: 41.6,
    ttft_ms: i % 2 === 1 ? 20.4 : null,
    error: null,
    key_id: i % 2 === 0 ? "key_abc" : null,
    ...extra,
  };
}

describe("writeLedger", () => {
  it("writes a whole batch, rows and attempts, with every value as given", async () => {
    const ws = `batch-${crypto.randomUUID()}`;
    const records = Array.from({ length: 120 }, (_, i) => record(i, ws));
    await writeLedger(env.DB, records);
    const rows = await env.DB.prepare("SELECT * FROM requests WHERE workspace_id = ? ORDER BY created_at")
      .bind(ws)
      .all<Record<string, unknown>>();
    expect(rows.results).toHaveLength(120);
    const seven = rows.results[7];
    expect(seven).toMatchObject({
      id: `req_batch_${ws}_7`,
      created_at: Date.UTC(2026, 11, 2, 10, 0, 0) + 7,
      day: "2026-12-02",
      workspace_id: ws,
      key_id: null,
      execution_id: null,
      dialect: "chat",
      strategy: "balanced",
      chain: null,
      provider: "openai",
      model: "gpt-4o-mini",
      status: "ok",
      http_status: 200,
      stream: 1,
      attempt_count: 2,
      input_tokens: 16,
      output_tokens: 20,
      cached_input_tokens: 3,
      cache_write_tokens: 0,
      cost_pico: 1_234_567_890_130,
      unpriced: 0,
      usage_estimated: 0,
      cache_hit: 0,
      cache_saved_pico: null,
      latency_ms: 42,
      ttft_ms: 20,
      error: null,
      prompt: null,
      completion: null,
    });
    expect(rows.results[0]).toMatchObject({ execution_id: "exec_0", dialect: "messages", chain: "HIGH_QUALITY" });
    expect(rows.results[0]).toMatchObject({ key_id: "key_abc", usage_estimated: 1, ttft_ms: null, stream: 0 });
    const attempts = await env.DB.prepare("SELECT * FROM attempts WHERE request_id = ? ORDER BY seq")
      .bind(`req_batch_${ws}_7`)
      .all<Record<string, unknown>>();
    expect(attempts.results).toEqual([
      expect.objectContaining({
        seq: 0,
        provider: "anthropic",
        status: "failed",
        error: "anthropic answered 529: overloaded",
        error_kind: "server",
        http_status: 529,
        latency_ms: 13,
        ttft_ms: null,
      }),
      expect.objectContaining({ seq: 1, provider: "openai", status: "ok", error: null, http_status: 200, ttft_ms: 21 }),
    ]);
  });

  it("splits long stored prompts over several statements; text keeps every character", async () => {
    const ws = `batch-long-${crypto.randomUUID()}`;
    const long = JSON.stringify([
      { role: "user", content: `naïve 東京 “quotes” \\ back\nslash ${"x".repeat(400_000)}` },
    ]);
    const records = [
      record(0, ws),
      record(1, ws, { content: { prompt: long, completion: '{"content":"é"}' } }),
      record(2, ws, { error: 'upstream said "no" ☂', status: "error", usage: null, cost_pico: null }),
      record(3, ws, { content: { prompt: long, completion: null } }),
    ];
    await writeLedger(env.DB, records);
    const rows = await env.DB.prepare(
      "SELECT id, prompt, completion, error, unpriced, cost_pico FROM requests WHERE workspace_id = ? ORDER BY created_at",
    )
      .bind(ws)
      .all<Record<string, unknown>>();
    expect(rows.results.map((r) => r.id)).toEqual(records.map((r) => r.request_id));
    expect(rows.results[1]).toMatchObject({ prompt: long, completion: '{"content":"é"}' });
    expect(rows.results[2]).toMatchObject({ error: 'upstream said "no" ☂', cost_pico: null, unpriced: 0 });
    expect(rows.results[3]).toMatchObject({ prompt: long, completion: null });
  });

  it("a request id written twice keeps its first row (INSERT OR IGNORE), as before", async () => {
    const ws = `batch-dup-${crypto.randomUUID()}`;
    await writeLedger(env.DB, [record(0, ws)]);
    await writeLedger(env.DB, [record(0, ws, { http_status: 502 }), record(1, ws)]);
    const rows = await env.DB.prepare("SELECT id, http_status FROM requests WHERE workspace_id = ? ORDER BY created_at")
      .bind(ws)
      .all<Record<string, unknown>>();
    expect(rows.results).toEqual([
      { id: `req_batch_${ws}_0`, http_status: 200 },
      { id: `req_batch_${ws}_1`, http_status: 200 },
    ]);
  });
});

describe("D1LedgerSink", () => {
  /** A sink over its own batcher, whose delay never runs out in a test: only a full batch is written. */
  function sink() {
    const batches: number[] = [];
    const batcher = new WriteBatcher<D1Database, CompletionRecord>(async (db, records) => {
      batches.push(records.length);
      await writeLedger(db, records);
    });
    const waiting: Promise<unknown>[] = [];
    const ctx = { waitUntil: (p: Promise<unknown>) => void waiting.push(p.catch(() => undefined)) };
    // The delayed flush sleeps 60 s: the test ends long before, and only what a full batch wrote is awaited.
    const s = new D1LedgerSink(env.DB, batcher, 60_000, ctx);
    return { s, batches, batcher, written: () => Promise.all(waiting.slice(1)) };
  }
  const count = async (ws: string) =>
    (await env.DB.prepare("SELECT count(*) AS n FROM requests WHERE workspace_id = ?").bind(ws).first<{ n: number }>())
      ?.n;

  it(`writes ${MAX_BATCH_ROWS} rows as one batch, and not before, when they carry no stored prompt`, async () => {
    const ws = `sink-${crypto.randomUUID()}`;
    const { s, batches, batcher, written } = sink();
    for (let i = 0; i < MAX_BATCH_ROWS - 1; i++) await s.complete(record(i, ws));
    expect(batches).toEqual([]);
    expect(batcher.waiting(env.DB)).toBe(MAX_BATCH_ROWS - 1);
    await s.complete(record(MAX_BATCH_ROWS - 1, ws));
    await written();
    expect(batches).toEqual([MAX_BATCH_ROWS]);
    expect(await count(ws)).toBe(MAX_BATCH_ROWS);
  });

  it(`writes rows with stored prompts ${MAX_BATCH_ROWS_WITH_CONTENT} at a time`, async () => {
    const ws = `sink-content-${crypto.randomUUID()}`;
    const { s, batches, written } = sink();
    const content = { prompt: JSON.stringify([{ role: "user", content: "x".repeat(2_000) }]), completion: null };
    for (let i = 0; i < MAX_BATCH_ROWS_WITH_CONTENT; i++) await s.complete(record(i, ws, { content }));
    await written();
    expect(batches).toEqual([MAX_BATCH_ROWS_WITH_CONTENT]);
    expect(await count(ws)).toBe(MAX_BATCH_ROWS_WITH_CONTENT);
  });
});
