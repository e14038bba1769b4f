// The ledger's reads and the admin writes, on rows seeded straight into D1 (migrations/): recent requests with their
// attempts (order, ties, the `before` cursor, booleans), attempt samples (window, workspace join, cap), usage
// (requests and rollups, every group_by), and the key and budget rows the admin routes write and read.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { attemptSamples, MAX_SAMPLES } from "../../../src/ledger/attempt-samples.ts";
import { utcDay } from "../../../src/ledger/budget-period.ts";
import { recentRequests } from "../../../src/ledger/recent-requests.ts";
import { queryUsage } from "../../../src/ledger/usage-query.ts";
import { newSession, type Session } from "../gateway.ts";
import { callFull, uniqueWorkspace } from "./ledger-helpers.ts";

const ADMIN = "admin-key-for-read-query-tests-0123456789";
const HOUR = 3_600_000;

interface SeedRequest {
  id: string;
  created_at: number;
  workspace_id: string;
  execution_id?: string | null;
  dialect?: string;
  chain?: string | null;
  provider?: string | null;
  model?: string | null;
  status?: string;
  http_status?: number;
  stream?: 0 | 1;
  input_tokens?: number;
  output_tokens?: number;
  cached_input_tokens?: number;
  cache_write_tokens?: number;
  cost_pico?: number | null;
  unpriced?: 0 | 1;
  usage_estimated?: 0 | 1;
  cache_hit?: 0 | 1;
  cache_saved_pico?: number | null;
  latency_ms?: number;
  ttft_ms?: number | null;
  error?: string | null;
}

async function seedRequest(r: SeedRequest): Promise<void> {
  await env.DB.prepare(
    `INSERT INTO requests (id, created_at, day, workspace_id, key_id, execution_id, dialect, strategy, chain, provider, model, status, http_status, stream, attempt_count, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, cost_pico, unpriced, usage_estimated, cache_hit, cache_saved_pico, latency_ms, ttft_ms, error, prompt, completion)
     VALUES (?, ?, ?, ?, NULL, ?, ?, 'balanced', ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', '{}')`,
  )
    .bind(
      r.id,
      r.created_at,
      utcDay(r.created_at),
      r.workspace_id,
      r.execution_id ?? null,
      r.dialect ?? "chat",
      r.chain ?? null,
      r.provider === undefined ? "openai" : r.provider,
      r.model === undefined ? "gpt-4o-mini" : r.model,
      r.status ?? "ok",
      r.http_status ?? 200,
      r.stream ?? 0,
      r.input_tokens ?? 0,
      r.output_tokens ?? 0,
      r.cached_input_tokens ?? 0,
      r.cache_write_tokens ?? 0,
      r.cost_pico === undefined ? 0 : r.cost_pico,
      r.unpriced ?? 0,
      r.usage_estimated ?? 0,
      r.cache_hit ?? 0,
      r.cache_saved_pico ?? null,
      r.latency_ms ?? 100,
      r.ttft_ms === undefined ? null : r.ttft_ms,
      r.error ?? null,
    )
    .run();
}

async function seedAttempt(a: {
  request_id: string;
  seq: number;
  created_at: number;
  provider: string;
  model: string;
  status: "ok" | "failed" | "skipped";
  error?: string | null;
  error_kind?: string | null;
  http_status?: number | null;
  latency_ms: number;
  ttft_ms?: number | null;
}): Promise<void> {
  await env.DB.prepare(
    `INSERT INTO attempts (request_id, seq, created_at, provider, model, status, error, error_kind, http_status, latency_ms, ttft_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
    .bind(
      a.request_id,
      a.seq,
      a.created_at,
      a.provider,
      a.model,
      a.status,
      a.error ?? null,
      a.error_kind ?? null,
      a.http_status ?? null,
      a.latency_ms,
      a.ttft_ms ?? null,
    )
    .run();
}

describe("recentRequests", () => {
  it("newest first, ties by id, the before cursor exclusive, every column and attempt in order", async () => {
    const [a, b] = [uniqueWorkspace("recent-a"), uniqueWorkspace("recent-b")];
    const base = Date.UTC(2001, 2, 3, 4);
    await seedRequest({
      id: `${a}-1`,
      created_at: base + 100,
      workspace_id: a,
      execution_id: "run-1",
      dialect: "responses",
      chain: "BALANCED",
      stream: 1,
      input_tokens: 40,
      output_tokens: 13,
      cached_input_tokens: 10,
      cost_pico: 13_800_000,
      latency_ms: 120,
      ttft_ms: 30,
    });
    // Inserted out of order: the answer lists them by seq.
    await seedAttempt({
      request_id: `${a}-1`,
      seq: 1,
      created_at: base + 100,
      provider: "openai",
      model: "gpt-4o-mini",
      status: "ok",
      http_status: 200,
      latency_ms: 70,
      ttft_ms: 30,
    });
    await seedAttempt({
      request_id: `${a}-1`,
      seq: 0,
      created_at: base + 100,
      provider: "anthropic",
      model: "claude-haiku-4-5",
      status: "failed",
      error: "upstream 500",
      error_kind: "status",
      http_status: 500,
      latency_ms: 50,
    });
    await seedRequest({
      id: `${a}-2`,
      created_at: base + 200,
      workspace_id: a,
      provider: null,
      model: null,
      status: "error",
      http_status: 502,
      cost_pico: null,
      error: "every attempt failed",
    });
    await seedRequest({ id: `${a}-3c`, created_at: base + 300, workspace_id: a, cost_pico: 1_000_000 });
    await seedRequest({
      id: `${a}-3d`,
      created_at: base + 300,
      workspace_id: a,
      status: "client_closed",
      http_status: 499,
      stream: 1,
      usage_estimated: 1,
      cache_hit: 1,
      cost_pico: 0,
      cache_saved_pico: 5_000_000,
    });
    await seedRequest({ id: `${b}-1`, created_at: base + 250, workspace_id: b });

    const { data: all, next: none } = await recentRequests(env.DB, { workspaceId: a, limit: 10, before: null });
    expect(none).toBeNull();
    expect(all.map((r) => r.id)).toEqual([`${a}-3d`, `${a}-3c`, `${a}-2`, `${a}-1`]);
    expect(all[3]).toEqual({
      id: `${a}-1`,
      created_at: base + 100,
      workspace_id: a,
      execution_id: "run-1",
      dialect: "responses",
      strategy: "balanced",
      chain: "BALANCED",
      provider: "openai",
      model: "gpt-4o-mini",
      status: "ok",
      http_status: 200,
      stream: true,
      // Every prompt token: the 40 at the full price and the 10 read from the cache.
      input_tokens: 50,
      output_tokens: 13,
      cached_input_tokens: 10,
      cache_write_tokens: 0,
      cost_usd: 13_800_000 / 1e12,
      usage_estimated: false,
      cache_hit: false,
      cache_saved_usd: null,
      latency_ms: 120,
      ttft_ms: 30,
      error: null,
      attempts: [
        {
          provider: "anthropic",
          model: "claude-haiku-4-5",
          status: "failed",
          error: "upstream 500",
          error_kind: "status",
          http_status: 500,
          latency_ms: 50,
          ttft_ms: null,
        },
        {
          provider: "openai",
          model: "gpt-4o-mini",
          status: "ok",
          error: null,
          error_kind: null,
          http_status: 200,
          latency_ms: 70,
          ttft_ms: 30,
        },
      ],
    });
    expect(all[2]).toMatchObject({
      provider: null,
      model: null,
      status: "error",
      http_status: 502,
      stream: false,
      cost_usd: null,
      error: "every attempt failed",
      execution_id: null,
      chain: null,
      ttft_ms: null,
      attempts: [],
    });
    expect(all[0]).toMatchObject({
      status: "client_closed",
      stream: true,
      usage_estimated: true,
      cache_hit: true,
      cost_usd: 0,
      cache_saved_usd: 5_000_000 / 1e12,
    });
    // The JSON shape, in its order.
    expect(Object.keys(all[0] ?? {})).toEqual(Object.keys(all[3] ?? {}));
    expect(Object.keys(all[3] ?? {})).toEqual([
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
      "cost_usd",
      "usage_estimated",
      "cache_hit",
      "cache_saved_usd",
      "latency_ms",
      "ttft_ms",
      "error",
      "attempts",
    ]);
    expect(Object.keys(all[3]?.attempts[0] ?? {})).toEqual([
      "provider",
      "model",
      "status",
      "error",
      "error_kind",
      "http_status",
      "latency_ms",
      "ttft_ms",
    ]);

    const ids = async (opts: { workspaceId: string | null; limit: number; before: number | null }) =>
      (
        await recentRequests(env.DB, {
          ...opts,
          before: opts.before === null ? null : { created_at: opts.before, id: null },
        })
      ).data.map((r) => r.id);
    expect(await ids({ workspaceId: a, limit: 2, before: null })).toEqual([`${a}-3d`, `${a}-3c`]);
    // A created_at alone is exclusive: both rows of the tie are before the next page.
    expect(await ids({ workspaceId: a, limit: 10, before: base + 300 })).toEqual([`${a}-2`, `${a}-1`]);
    expect(await ids({ workspaceId: a, limit: 10, before: base + 200 })).toEqual([`${a}-1`]);
    expect(await ids({ workspaceId: a, limit: 10, before: base + 100 })).toEqual([]);
    expect(await ids({ workspaceId: null, limit: 10, before: base + 1000 })).toEqual([
      `${a}-3d`,
      `${a}-3c`,
      `${b}-1`,
      `${a}-2`,
      `${a}-1`,
    ]);
    expect(await ids({ workspaceId: null, limit: 3, before: base + 260 })).toEqual([`${b}-1`, `${a}-2`, `${a}-1`]);
  });

  it("the (created_at, id) cursor pages through rows of one millisecond without skipping or repeating any", async () => {
    const ws = uniqueWorkspace("recent-tie");
    const at = Date.UTC(2001, 2, 4);
    for (const [id, created_at] of [
      [`${ws}-a`, at],
      [`${ws}-b`, at + 1],
      [`${ws}-c`, at + 1],
      [`${ws}-d`, at + 1],
      [`${ws}-e`, at + 2],
    ] as const)
      await seedRequest({ id, created_at, workspace_id: ws });

    const pages: string[][] = [];
    let before: { created_at: number; id: string | null } | null = null;
    for (let i = 0; i < 10; i++) {
      const page: Awaited<ReturnType<typeof recentRequests>> = await recentRequests(env.DB, {
        workspaceId: ws,
        limit: 2,
        before,
      });
      pages.push(page.data.map((r) => r.id));
      if (page.next === null) break;
      // The cursor is the page's last row.
      expect(page.next).toEqual({ created_at: page.data.at(-1)?.created_at, id: page.data.at(-1)?.id });
      before = page.next;
    }
    // Each page ends inside the tie at +1 ms; the last is known to be the last (no empty page after it).
    expect(pages).toEqual([[`${ws}-e`, `${ws}-d`], [`${ws}-c`, `${ws}-b`], [`${ws}-a`]]);
    const exact = await recentRequests(env.DB, { workspaceId: ws, limit: 5, before: null });
    expect(exact.data).toHaveLength(5);
    expect(exact.next).toBeNull();
  });
});

describe("attemptSamples", () => {
  it("a window's attempts newest first, [from, to), a workspace's through its request rows, capped", async () => {
    const [a, b] = [uniqueWorkspace("samples-a"), uniqueWorkspace("samples-b")];
    const base = Date.UTC(2002, 4, 5, 6);
    await seedRequest({ id: `${a}-1`, created_at: base, workspace_id: a });
    await seedRequest({ id: `${b}-1`, created_at: base, workspace_id: b });
    const attempt = (request_id: string, seq: number, at: number, status: "ok" | "failed", ttft: number | null) =>
      seedAttempt({
        request_id,
        seq,
        created_at: at,
        provider: status === "ok" ? "openai" : "mistral",
        model: "m",
        status,
        latency_ms: 10 + seq,
        ttft_ms: ttft,
      });
    await attempt(`${a}-1`, 0, base, "failed", null);
    await attempt(`${a}-1`, 1, base + 10, "ok", 4);
    await attempt(`${b}-1`, 0, base + 5, "ok", 3);
    await attempt(`${b}-1`, 1, base + 20, "ok", 2);

    expect(await attemptSamples(env.DB, { workspaceId: a, from: base, to: base + 100 })).toEqual({
      samples: [
        { created_at: base + 10, provider: "openai", status: "ok", latency_ms: 11, ttft_ms: 4 },
        { created_at: base, provider: "mistral", status: "failed", latency_ms: 10, ttft_ms: null },
      ],
      truncated: false,
    });
    const global = await attemptSamples(env.DB, { workspaceId: null, from: base, to: base + 20 });
    expect(global.samples.map((s) => s.created_at)).toEqual([base + 10, base + 5, base]);
    expect(global.truncated).toBe(false);
    expect((await attemptSamples(env.DB, { workspaceId: b, from: base + 6, to: base + 21 })).samples).toEqual([
      { created_at: base + 20, provider: "openai", status: "ok", latency_ms: 11, ttft_ms: 2 },
    ]);

    // One past the cap: the newest MAX_SAMPLES are kept and the answer says it is truncated.
    const later = base + HOUR;
    await seedRequest({ id: `${a}-many`, created_at: later, workspace_id: a });
    await env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
       INSERT INTO attempts (request_id, seq, created_at, provider, model, status, latency_ms) SELECT ?, i, ? + i, 'openai', 'm', 'ok', 1 FROM n`,
    )
      .bind(MAX_SAMPLES, `${a}-many`, later)
      .run();
    for (const workspaceId of [a, null]) {
      const capped = await attemptSamples(env.DB, { workspaceId, from: later, to: later + HOUR });
      expect(capped.truncated).toBe(true);
      expect(capped.samples).toHaveLength(MAX_SAMPLES);
      expect(capped.samples[0]?.created_at).toBe(later + MAX_SAMPLES);
      expect(capped.samples.at(-1)?.created_at).toBe(later + 1);
    }
    const exact = await attemptSamples(env.DB, { workspaceId: a, from: later + 1, to: later + HOUR });
    expect(exact.truncated).toBe(false);
    expect(exact.samples).toHaveLength(MAX_SAMPLES);
  });
});

describe("queryUsage", () => {
  it("sums request rows and rollups as integers, per group_by, for a workspace and for all", async () => {
    const [a, b] = [uniqueWorkspace("usage-a"), uniqueWorkspace("usage-b")];
    const day1 = Date.UTC(2003, 6, 7);
    const day2 = day1 + 24 * HOUR;
    await seedRequest({
      id: `${a}-1`,
      created_at: day2 + HOUR,
      workspace_id: a,
      execution_id: "run-1",
      input_tokens: 40,
      cached_input_tokens: 10,
      cache_write_tokens: 5,
      output_tokens: 13,
      cost_pico: 13_800_000,
      usage_estimated: 1,
    });
    await seedRequest({
      id: `${a}-2`,
      created_at: day2 + 2 * HOUR,
      workspace_id: a,
      dialect: "messages",
      provider: "anthropic",
      model: "claude-haiku-4-5",
      cost_pico: 0,
      cache_hit: 1,
      cache_saved_pico: 2_000_000,
    });
    await seedRequest({
      id: `${a}-3`,
      created_at: day2 + 3 * HOUR,
      workspace_id: a,
      provider: null,
      model: null,
      status: "error",
      cost_pico: null,
    });
    await seedRequest({
      id: `${a}-4`,
      created_at: day2 + 4 * HOUR,
      workspace_id: a,
      provider: "ollama",
      model: "llama3.2",
      input_tokens: 7,
      cost_pico: null,
      unpriced: 1,
    });
    await seedRequest({ id: `${b}-1`, created_at: day2 + HOUR, workspace_id: b, cost_pico: 1_000_000 });
    await env.DB.prepare(
      `INSERT INTO daily_rollups (workspace_id, day, provider, model, execution_id, dialect, requests, errors, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, cost_pico, unpriced_requests, estimated_requests, estimated_cost_pico, cache_hits, cache_saved_pico)
       VALUES (?, ?, 'openai', 'gpt-4o-mini', '', 'chat', 3, 1, 100, 30, 20, 0, 9000000, 0, 1, 4000000, 1, 3000000),
              (?, ?, '', '', 'run-1', 'chat', 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)`,
    )
      .bind(a, utcDay(day1), a, utcDay(day1))
      .run();

    const range = { from: day1, to: day2 + 24 * HOUR };
    const usage = (workspaceId: string | null, groupBy: Parameters<typeof queryUsage>[1]["groupBy"]) =>
      queryUsage(env.DB, { workspaceId, ...range, groupBy });
    const amounts = (
      requests: number,
      errors: number,
      input: number,
      output: number,
      cached: number,
      cost: number,
      unpriced: number,
      estimated: number,
      estimatedCost: number,
      hits: number,
      saved: number,
    ) => ({
      requests,
      errors,
      input_tokens: input,
      output_tokens: output,
      cached_input_tokens: cached,
      cost_pico: cost,
      cost_usd: cost / 1e12,
      unpriced_requests: unpriced,
      estimated_requests: estimated,
      estimated_cost_pico: estimatedCost,
      estimated_cost_usd: estimatedCost / 1e12,
      cache_hits: hits,
      cache_saved_pico: saved,
      cache_saved_usd: saved / 1e12,
    });

    const totals = amounts(9, 4, 55 + 7 + 120, 13 + 30, 10 + 20, 22_800_000, 1, 2, 17_800_000, 2, 5_000_000);
    expect(await usage(a, null)).toEqual({ totals, groups: [] });
    expect(await usage(a, "model")).toEqual({
      totals,
      groups: [
        { key: null, ...amounts(3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0) },
        { key: "anthropic/claude-haiku-4-5", ...amounts(1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2_000_000) },
        { key: "ollama/llama3.2", ...amounts(1, 0, 7, 0, 0, 0, 1, 0, 0, 0, 0) },
        {
          key: "openai/gpt-4o-mini",
          ...amounts(4, 1, 55 + 120, 43, 30, 22_800_000, 0, 2, 17_800_000, 1, 3_000_000),
        },
      ],
    });
    const keysOf = async (groupBy: Parameters<typeof usage>[1]) => (await usage(a, groupBy)).groups.map((g) => g.key);
    expect(await keysOf("provider")).toEqual([null, "anthropic", "ollama", "openai"]);
    expect(await keysOf("day")).toEqual([utcDay(day1), utcDay(day2)]);
    expect(await keysOf("execution_id")).toEqual([null, "run-1"]);
    expect(await keysOf("dialect")).toEqual(["chat", "messages"]);
    expect((await usage(a, "execution_id")).groups[1]).toMatchObject({ key: "run-1", requests: 3, errors: 2 });

    // Every workspace: b's row joins a's; a range that ends before day 2 sees the rollups only.
    expect((await usage(null, null)).totals).toMatchObject({ requests: 10, cost_pico: 23_800_000 });
    expect((await queryUsage(env.DB, { workspaceId: a, from: day1, to: day2, groupBy: null })).totals).toEqual(
      amounts(5, 3, 120, 30, 20, 9_000_000, 0, 1, 4_000_000, 1, 3_000_000),
    );
    // Request rows count by time, rollups by whole day: an hour of day 2 holds a-2 alone.
    expect(
      (await queryUsage(env.DB, { workspaceId: a, from: day2 + 2 * HOUR, to: day2 + 3 * HOUR, groupBy: null })).totals,
    ).toMatchObject({ requests: 1, cache_hits: 1, cache_saved_pico: 2_000_000 });
  });
});

async function admin(s: Session, path: string, init: { method?: string; json?: unknown } = {}) {
  const { res, done } = await callFull(s.env, path, {
    method: init.method ?? "GET",
    json: init.json,
    headers: { authorization: `Bearer ${ADMIN}` },
  });
  const text = await done();
  return { status: res.status, text, json: <T = KeyJson>() => JSON.parse(text) as T };
}

/** A key as the keys routes answer it (the fields these tests read by name). */
interface KeyJson {
  id: string;
  prefix: string;
  name: string;
  created_at: string;
  revoked_at: string | null;
  [field: string]: unknown;
}

describe("the keys table", () => {
  it("POST writes every column, GET lists a workspace's keys newest first, DELETE sets revoked_at", async () => {
    const s = await newSession({}, { SWITCHYARD_ENV: "production", ADMIN_KEY: ADMIN });
    const ws = uniqueWorkspace("keys-table");
    const created = await admin(s, "/v1/keys", {
      method: "POST",
      json: {
        workspace_id: ws,
        name: "full",
        allowed_origins: ["https://app.example.com", "*"],
        rpm_limit: 60,
        tpm_limit: 9000,
        budget_usd: 1.5,
      },
    });
    expect(created.status, created.text).toBe(201);
    const full = created.json();
    const row = await env.DB.prepare("SELECT * FROM keys WHERE id = ?").bind(full.id).first();
    expect(row).toEqual({
      id: full.id,
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      prefix: full.prefix,
      name: "full",
      workspace_id: ws,
      allowed_origins: '["https://app.example.com","*"]',
      rpm_limit: 60,
      tpm_limit: 9000,
      budget_pico: 1_500_000_000_000,
      created_at: Date.parse(full.created_at),
      revoked_at: null,
    });
    const bare = (await admin(s, "/v1/keys", { method: "POST", json: { workspace_id: ws, name: "bare" } })).json();
    expect(await env.DB.prepare("SELECT * FROM keys WHERE id = ?").bind(bare.id).first()).toMatchObject({
      allowed_origins: null,
      rpm_limit: null,
      tpm_limit: null,
      budget_pico: null,
      revoked_at: null,
    });

    // Rows written elsewhere (another deployment's admin) list by created_at, newest first.
    const at = Date.UTC(2004, 8, 9);
    for (const [id, createdAt] of [
      ["key_seeded_old", at],
      ["key_seeded_new", at + 1000],
    ] as const) {
      await env.DB.prepare(
        `INSERT INTO keys (id, hash, prefix, name, workspace_id, allowed_origins, rpm_limit, tpm_limit, budget_pico, created_at, revoked_at)
         VALUES (?, ?, 'sy_seed', 'seeded', ?, '["https://seed.example"]', NULL, 5, NULL, ?, ?)`,
      )
        .bind(id, `hash-${ws}-${id}`, ws, createdAt, id === "key_seeded_old" ? at + 5000 : null)
        .run();
    }
    const listed = (await admin(s, `/v1/keys?workspace_id=${ws}`)).json<{ object: string; data: KeyJson[] }>();
    expect(listed.object).toBe("list");
    // The two made now come first (in either order if they share a millisecond), then the older seeded rows.
    expect(
      listed.data
        .slice(0, 2)
        .map((k) => k.id)
        .sort(),
    ).toEqual([full.id, bare.id].sort());
    const seeded = listed.data.slice(2);
    expect(seeded).toEqual([
      {
        id: "key_seeded_new",
        object: "key",
        prefix: "sy_seed",
        name: "seeded",
        workspace_id: ws,
        allowed_origins: ["https://seed.example"],
        rpm_limit: null,
        tpm_limit: 5,
        budget_usd: null,
        created_at: new Date(at + 1000).toISOString(),
        revoked_at: null,
      },
      expect.objectContaining({ id: "key_seeded_old", revoked_at: new Date(at + 5000).toISOString() }),
    ]);
    const fullListed = listed.data.find((k) => k.id === full.id);
    expect(fullListed).toMatchObject({
      allowed_origins: ["https://app.example.com", "*"],
      rpm_limit: 60,
      tpm_limit: 9000,
      budget_usd: 1.5,
    });
    expect(listed.data.find((k) => k.id === bare.id)).toMatchObject({ allowed_origins: null });
    for (const k of listed.data) expect(k).not.toHaveProperty("hash");
    const everyone = (await admin(s, "/v1/keys")).json<{ data: KeyJson[] }>().data;
    expect(everyone.map((k) => k.id)).toEqual(expect.arrayContaining([full.id, bare.id, "key_seeded_new"]));
    const times = everyone.map((k) => Date.parse(k.created_at));
    expect(times).toEqual([...times].sort((x, y) => y - x));

    const revoked = await admin(s, `/v1/keys/${full.id}`, { method: "DELETE" });
    expect(revoked.status, revoked.text).toBe(200);
    const revokedAt = Date.parse(String(revoked.json().revoked_at));
    expect(await env.DB.prepare("SELECT revoked_at FROM keys WHERE id = ?").bind(full.id).first()).toEqual({
      revoked_at: revokedAt,
    });
    expect(await env.DB.prepare("SELECT revoked_at FROM keys WHERE id = ?").bind(bare.id).first()).toEqual({
      revoked_at: null,
    });
  });
});

describe("the budgets table", () => {
  it("PUT inserts then updates the workspace's row (created_at kept), DELETE removes it", async () => {
    const s = await newSession({}, { SWITCHYARD_ENV: "production", ADMIN_KEY: ADMIN });
    const ws = uniqueWorkspace("budgets-table");
    const rowOf = () => env.DB.prepare("SELECT * FROM budgets WHERE workspace_id = ?").bind(ws).first();
    const first = await admin(s, `/v1/budgets/${ws}`, {
      method: "PUT",
      json: { limit_usd: 2.5, period: "day", alert_threshold: 0.5 },
    });
    expect(first.status, first.text).toBe(200);
    const inserted = (await rowOf()) as Record<string, unknown>;
    expect(inserted).toEqual({
      workspace_id: ws,
      limit_pico: 2_500_000_000_000,
      period: "day",
      alert_threshold: 0.5,
      on_limit: "reject",
      created_at: expect.any(Number),
      updated_at: inserted.created_at,
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await admin(s, `/v1/budgets/${ws}`, {
      method: "PUT",
      json: { limit_usd: 4, period: "month", alert_threshold: 0.75, on_limit: "downgrade" },
    });
    expect(second.status, second.text).toBe(200);
    const updated = (await rowOf()) as Record<string, unknown>;
    expect(updated).toEqual({
      workspace_id: ws,
      limit_pico: 4_000_000_000_000,
      period: "month",
      alert_threshold: 0.75,
      on_limit: "downgrade",
      created_at: inserted.created_at,
      updated_at: expect.any(Number),
    });
    expect(updated.updated_at as number).toBeGreaterThan(inserted.created_at as number);
    // Rate limits alone write no row of their own.
    const other = uniqueWorkspace("budgets-limits-only");
    expect((await admin(s, `/v1/budgets/${other}`, { method: "PUT", json: { rpm_limit: 5 } })).status).toBe(200);
    expect(await env.DB.prepare("SELECT * FROM budgets WHERE workspace_id = ?").bind(other).first()).toBeNull();

    const deleted = await admin(s, `/v1/budgets/${ws}`, { method: "DELETE" });
    expect(deleted.json()).toEqual({ workspace_id: ws, deleted: true });
    expect(await rowOf()).toBeNull();
  });
});
