// A stream that ends without usage (the client left, the connection was cut, the upstream stalled) is billed from an
// estimate: prompt tokens from the estimator, output tokens from what was streamed; the row says usage_estimated, the
// budget is charged, and /v1/usage shows the estimated spend apart.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Env } from "../../../src/env.ts";
import worker from "../../../src/index.ts";
import { budgetStub, workspaceScope } from "../../../src/ledger/budget-gate.ts";
import { completionCalls, eventually } from "../failover/helpers.ts";
import { newSession } from "../gateway.ts";
import { callFull, uniqueWorkspace } from "./ledger-helpers.ts";

const body = {
  model: "openai/gpt-4o-mini",
  messages: [{ role: "user", content: "What is the weather in San Francisco?" }],
  max_tokens: 500,
  stream: true,
  stream_options: { include_usage: true },
  router: { fallback: false },
};

interface Row {
  status: string;
  usage_estimated: number;
  input_tokens: number;
  output_tokens: number;
  cost_pico: number | null;
}

async function rowsOf(ws: string): Promise<Row[]> {
  const r = await env.DB.prepare(
    "SELECT status, usage_estimated, input_tokens, output_tokens, cost_pico FROM requests WHERE workspace_id = ?",
  )
    .bind(ws)
    .all<Row>();
  return r.results;
}

async function putBudget(sessionEnv: Env, ws: string) {
  const { res, done } = await callFull(sessionEnv, `/v1/budgets/${ws}`, {
    method: "PUT",
    json: { limit_usd: 5, period: "month", on_limit: "reject" },
  });
  expect(res.status, await done()).toBe(200);
}

const spentPico = async (ws: string) => (await budgetStub(env, workspaceScope(ws)).status(Date.now()))?.spent_pico;

async function usageOf(sessionEnv: Env, ws: string) {
  const { res, done } = await callFull(sessionEnv, `/v1/usage?workspace_id=${ws}&group_by=model`);
  expect(res.status).toBe(200);
  return JSON.parse(await done()) as {
    totals: { cost_pico: number; estimated_cost_pico: number; estimated_cost_usd: number; estimated_requests: number };
    groups: { key: string; estimated_cost_usd: number; estimated_requests: number }[];
  };
}

/** A workspace key (as a tenant would hold it). */
async function workspaceKey(sessionEnv: Env, ws: string): Promise<string> {
  const { res, done } = await callFull(sessionEnv, "/v1/keys", {
    method: "POST",
    json: { workspace_id: ws, name: "streams then leaves" },
  });
  const text = await done();
  expect(res.status, text).toBe(201);
  return (JSON.parse(text) as { key: string }).key;
}

/** Streams with a key, reads `chunks` content chunks, then goes away as a client would; waits for the after-work. */
async function streamThenLeave(sessionEnv: Env, key: string, chunks: number): Promise<string> {
  const request = new Request("http://127.0.0.1:8787/v1/chat/completions", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  const ctx = createExecutionContext();
  const res = await worker.fetch(request, sessionEnv, ctx);
  expect(res.status).toBe(200);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let seen = "";
  while ((seen.match(/"content":"/g) ?? []).length < chunks) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the stream ended before ${chunks} content chunks: ${seen}`);
    seen += decoder.decode(value, { stream: true });
  }
  await reader.cancel("the client went away");
  await waitOnExecutionContext(ctx);
  return seen;
}

describe("streams that end without usage are billed from an estimate", () => {
  it("a budgeted key streams a paid model, then leaves mid-answer: the budget is charged, the row is estimated", async () => {
    const s = await newSession({ chunk_delay_ms: 40 });
    const ws = uniqueWorkspace("leave");
    await putBudget(s.env, ws);
    await streamThenLeave(s.env, await workspaceKey(s.env, ws), 3);

    const [row] = await eventually(
      () => rowsOf(ws),
      (r) => r.length === 1,
    );
    expect(row).toMatchObject({ status: "client_closed", usage_estimated: 1 });
    expect(row!.input_tokens).toBeGreaterThan(0);
    expect(row!.output_tokens).toBeGreaterThan(0);
    expect(row!.cost_pico).toBeGreaterThan(0);
    expect(await spentPico(ws)).toBe(row!.cost_pico);

    // The upstream call was aborted when the client left.
    const calls = await eventually(
      () => completionCalls(s, "openai"),
      (c) => c[0]?.aborted === true,
    );
    expect(calls[0]!.aborted).toBe(true);

    const usage = await usageOf(s.env, ws);
    expect(usage.totals).toMatchObject({ estimated_requests: 1, estimated_cost_pico: row!.cost_pico });
    expect(usage.totals.cost_pico).toBe(row!.cost_pico);
    expect(usage.groups.find((g) => g.key === "openai/gpt-4o-mini")).toMatchObject({
      estimated_requests: 1,
      estimated_cost_usd: row!.cost_pico! / 1e12,
    });
  });

  for (const fault of [
    { provider: "openai" as const, mode: "stall" as const, after_chunks: 3 },
    { provider: "openai" as const, mode: "cut" as const, after_chunks: 3 },
    { provider: "openai" as const, mode: "midstream_error" as const, after_chunks: 3 },
  ]) {
    it(`a ${fault.mode} after the commit point: an error row, billed from the estimate and charged`, async () => {
      const s = await newSession({ faults: [fault] });
      const ws = uniqueWorkspace(fault.mode);
      await putBudget(s.env, ws);
      const { res, done } = await callFull(s.env, "/v1/chat/completions", {
        method: "POST",
        json: body,
        headers: { "x-router-workspace": ws, "x-router-timeout-idle-ms": "300" },
      });
      expect(res.status).toBe(200);
      const text = await done();
      expect(text).toContain("stream_interrupted");
      const rows = await rowsOf(ws);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ status: "error", usage_estimated: 1 });
      expect(rows[0]!.output_tokens).toBeGreaterThan(0);
      expect(rows[0]!.cost_pico).toBeGreaterThan(0);
      expect(await spentPico(ws)).toBe(rows[0]!.cost_pico);
      expect((await usageOf(s.env, ws)).totals.estimated_requests).toBe(1);
      // The failure event's route report says what was billed: the estimate, as such.
      const failure = text
        .split("\n")
        .filter((line) => line.startsWith("data: ") && line.includes("stream_interrupted"))
        .map(
          (line) => JSON.parse(line.slice(6)) as { x_router?: { cost_usd: number | null; usage_estimated?: boolean } },
        );
      expect(failure).toHaveLength(1);
      expect(failure[0]!.x_router).toMatchObject({ cost_usd: rows[0]!.cost_pico! / 1e12, usage_estimated: true });
    });
  }

  it("a stream that reports its usage is billed from it, not estimated", async () => {
    const s = await newSession();
    const ws = uniqueWorkspace("reported");
    await putBudget(s.env, ws);
    const { res, done } = await callFull(s.env, "/v1/chat/completions", {
      method: "POST",
      json: body,
      headers: { "x-router-workspace": ws },
    });
    expect(res.status).toBe(200);
    expect(await done()).toContain("[DONE]");
    const rows = await rowsOf(ws);
    expect(rows).toMatchObject([{ status: "ok", usage_estimated: 0 }]);
    expect((await usageOf(s.env, ws)).totals).toMatchObject({ estimated_requests: 0, estimated_cost_pico: 0 });
  });
});
