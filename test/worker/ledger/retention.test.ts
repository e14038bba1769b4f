// Retention: old request rows fold into daily rollups; /v1/usage answers the same before and after.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { utcDay } from "../../../src/ledger/budget-period.ts";
import { foldOldRequests, purgeExpiredResponses } from "../../../src/ledger/retention.ts";
import { call, newSession } from "../gateway.ts";
import { callFull, uniqueWorkspace } from "./ledger-helpers.ts";

const DAY = 86_400_000;

async function insertRequest(
  ws: string,
  id: string,
  at: number,
  row: {
    provider: string | null;
    model: string | null;
    status: string;
    input: number;
    cached: number;
    output: number;
    cost: number | null;
    execution: string | null;
    unpriced?: boolean;
  },
) {
  await env.DB.prepare(
    `INSERT INTO requests (id, created_at, day, workspace_id, execution_id, strategy, provider, model, status, http_status, stream, attempt_count, input_tokens, output_tokens, cached_input_tokens, cost_pico, unpriced, latency_ms)
     VALUES (?, ?, ?, ?, ?, 'balanced', ?, ?, ?, 200, 0, 1, ?, ?, ?, ?, ?, 10)`,
  )
    .bind(
      id,
      at,
      utcDay(at),
      ws,
      row.execution,
      row.provider,
      row.model,
      row.status,
      row.input,
      row.output,
      row.cached,
      row.cost,
      row.unpriced ? 1 : 0,
    )
    .run();
  await env.DB.prepare(
    `INSERT INTO attempts (request_id, seq, created_at, provider, model, status, latency_ms) VALUES (?, 0, ?, 'openai', 'gpt-4o-mini', 'ok', 10)`,
  )
    .bind(id, at)
    .run();
}

describe("retention", () => {
  it("folds rows older than request_days into daily rollups; totals and groups are identical before and after", async () => {
    const s = await newSession();
    const ws = uniqueWorkspace("retention");
    const now = Date.UTC(2026, 10, 25, 15);
    const old1 = now - 40 * DAY;
    const old2 = now - 35 * DAY;
    const recent = now - 2 * DAY;
    let n = 0;
    const add = (at: number, row: Parameters<typeof insertRequest>[3]) => insertRequest(ws, `${ws}-${n++}`, at, row);
    await add(old1, {
      provider: "openai",
      model: "gpt-4o-mini",
      status: "ok",
      input: 40,
      cached: 10,
      output: 13,
      cost: 13_800_000,
      execution: "run-1",
    });
    await add(old1 + 1000, {
      provider: "openai",
      model: "gpt-4o-mini",
      status: "ok",
      input: 23,
      cached: 0,
      output: 8,
      cost: 8_250_000,
      execution: null,
    });
    await add(old1 + 2000, {
      provider: null,
      model: null,
      status: "error",
      input: 0,
      cached: 0,
      output: 0,
      cost: null,
      execution: "run-1",
    });
    await add(old2, {
      provider: "anthropic",
      model: "claude-haiku-4-5",
      status: "ok",
      input: 22,
      cached: 0,
      output: 15,
      cost: 97_000_000,
      execution: "run-2",
    });
    await add(old2 + 5, {
      provider: "openai",
      model: "some-new-model",
      status: "ok",
      input: 5,
      cached: 0,
      output: 5,
      cost: null,
      execution: null,
      unpriced: true,
    });
    await add(recent, {
      provider: "mistral",
      model: "mistral-large-latest",
      status: "ok",
      input: 9,
      cached: 0,
      output: 100,
      cost: 154_500_000,
      execution: "run-2",
    });

    const range = `from=${new Date(now - 60 * DAY).toISOString()}&to=${new Date(now).toISOString()}`;
    const read = async (groupBy: string) => {
      const { res, done } = await callFull(
        s.env,
        `/v1/usage?workspace_id=${ws}&${range}${groupBy ? `&group_by=${groupBy}` : ""}`,
      );
      const text = await done();
      expect(res.status, text).toBe(200);
      const json = JSON.parse(text) as { totals: unknown; groups: unknown };
      return { totals: json.totals, groups: json.groups };
    };
    const dims = ["", "provider", "model", "day", "execution_id"];
    const before = await Promise.all(dims.map(read));
    expect(before[0]?.totals).toMatchObject({
      requests: 6,
      errors: 1,
      cost_pico: 13_800_000 + 8_250_000 + 97_000_000 + 154_500_000,
      unpriced_requests: 1,
      input_tokens: 40 + 10 + 23 + 22 + 5 + 9,
    });

    const folded = await foldOldRequests(env.DB, now, 30);
    expect(folded).toEqual([utcDay(old1), utcDay(old2)]);
    const left = await env.DB.prepare(`SELECT COUNT(*) AS n FROM requests WHERE workspace_id = ?`)
      .bind(ws)
      .first<{ n: number }>();
    expect(left?.n).toBe(1);
    const attemptsLeft = await env.DB.prepare(`SELECT COUNT(*) AS n FROM attempts WHERE request_id LIKE ?`)
      .bind(`${ws}-%`)
      .first<{ n: number }>();
    expect(attemptsLeft?.n).toBe(1);

    const after = await Promise.all(dims.map(read));
    expect(after).toEqual(before);
    // Running again folds nothing and changes nothing.
    expect(await foldOldRequests(env.DB, now, 30)).toEqual([]);
    expect(await Promise.all(dims.map(read))).toEqual(before);
  });

  it("the Worker's scheduled handler runs the fold", async () => {
    const { createScheduledController, createExecutionContext, waitOnExecutionContext } = await import(
      "cloudflare:test"
    );
    const worker = (await import("../../../src/index.ts")).default;
    const ws = uniqueWorkspace("cron");
    const old = Date.now() - 400 * DAY;
    await insertRequest(ws, `${ws}-x`, old, {
      provider: "openai",
      model: "gpt-4o-mini",
      status: "ok",
      input: 1,
      cached: 0,
      output: 1,
      cost: 750_000,
      execution: null,
    });
    const s = await newSession();
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/1 * * * *" }), s.env, ctx);
    await waitOnExecutionContext(ctx);
    expect(
      await env.DB.prepare(`SELECT COUNT(*) AS n FROM requests WHERE workspace_id = ?`).bind(ws).first<{ n: number }>(),
    ).toEqual({ n: 0 });
    expect(
      await env.DB.prepare(`SELECT requests, cost_pico FROM daily_rollups WHERE workspace_id = ?`).bind(ws).first(),
    ).toEqual({ requests: 1, cost_pico: 750_000 });
  });

  it("stored responses live retention.responses_days (30), then the scheduled handler deletes them", async () => {
    const s = await newSession();
    const ws = uniqueWorkspace("resp-retention");
    const headers = { "x-router-workspace": ws };
    const made = await call(s.env, "/v1/responses", {
      method: "POST",
      headers,
      json: { model: "openai/gpt-4o-mini", input: "hi" },
    });
    const { id } = (await made.json()) as { id: string };
    const row = await env.DB.prepare(`SELECT created_at, expires_at FROM responses WHERE id = ?`)
      .bind(id)
      .first<{ created_at: number; expires_at: number }>();
    expect(row!.expires_at - row!.created_at).toBe(30 * DAY);
    // Not yet due: kept; due: deleted, and GET is a 404.
    await purgeExpiredResponses(env.DB, row!.expires_at - 1);
    expect((await call(s.env, `/v1/responses/${id}`, { headers })).status).toBe(200);
    expect(await purgeExpiredResponses(env.DB, row!.expires_at)).toBeGreaterThanOrEqual(1);
    expect((await call(s.env, `/v1/responses/${id}`, { headers })).status).toBe(404);

    // The cron does the same: a response whose retention ran out is gone after the scheduled handler.
    const { createScheduledController, createExecutionContext, waitOnExecutionContext } = await import(
      "cloudflare:test"
    );
    const worker = (await import("../../../src/index.ts")).default;
    const now = Date.now();
    await env.DB.prepare(
      `INSERT INTO responses (id, workspace_id, created_at, expires_at, response, conversation) VALUES (?, ?, ?, ?, '{}', '[]')`,
    )
      .bind(`${ws}-old`, ws, now - 31 * DAY, now - DAY)
      .run();
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: now, cron: "*/1 * * * *" }), s.env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await env.DB.prepare(`SELECT id FROM responses WHERE id = ?`).bind(`${ws}-old`).first()).toBeNull();
  });
});
