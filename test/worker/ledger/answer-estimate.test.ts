// A whole (non-streamed) answer whose provider sent no usage (an OpenAI-compatible `usage: null`) is billed from an
// estimate like a stream cut before its usage: prompt tokens from the estimator, output tokens counted from the
// answer; the row says usage_estimated (so does GET /v1/requests), the budget is charged, and x_router reports the
// estimated cost as such.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Env } from "../../../src/env.ts";
import { budgetStub, workspaceScope } from "../../../src/ledger/budget-gate.ts";
import { newSession } from "../gateway.ts";
import { callFull, uniqueWorkspace } from "./ledger-helpers.ts";

interface Row {
  status: string;
  usage_estimated: number;
  input_tokens: number;
  output_tokens: number;
  cost_pico: number | null;
}

interface Answer {
  usage: unknown;
  x_router: { cost_usd: number | null; usage_estimated?: boolean };
}

async function rowsOf(ws: string): Promise<Row[]> {
  const r = await env.DB.prepare(
    "SELECT status, usage_estimated, input_tokens, output_tokens, cost_pico FROM requests WHERE workspace_id = ?",
  )
    .bind(ws)
    .all<Row>();
  return r.results;
}

async function budgetedAnswer(sessionEnv: Env, ws: string, json: Record<string, unknown>): Promise<Answer> {
  const put = await callFull(sessionEnv, `/v1/budgets/${ws}`, {
    method: "PUT",
    json: { limit_usd: 5, period: "month", on_limit: "reject" },
  });
  expect(put.res.status, await put.done()).toBe(200);
  const { res, done } = await callFull(sessionEnv, "/v1/chat/completions", {
    method: "POST",
    json,
    headers: { "x-router-workspace": ws },
  });
  const text = await done();
  expect(res.status, text).toBe(200);
  return JSON.parse(text) as Answer;
}

/** What GET /v1/requests says of the workspace's rows (the dashboard's recent requests). */
async function listedOf(sessionEnv: Env, ws: string): Promise<{ usage_estimated: boolean; cost_usd: number | null }[]> {
  const { res, done } = await callFull(sessionEnv, `/v1/requests?workspace_id=${ws}`);
  const text = await done();
  expect(res.status, text).toBe(200);
  return (JSON.parse(text) as { data: { usage_estimated: boolean; cost_usd: number | null }[] }).data;
}

const spentPico = async (ws: string) => (await budgetStub(env, workspaceScope(ws)).status(Date.now()))?.spent_pico;

describe("a JSON answer without usage is billed from an estimate", () => {
  for (const provider of ["openai", "mistral", "together"] as const) {
    it(`${provider} answers with usage: null: the row is estimated, the budget charged, x_router says so`, async () => {
      const s = await newSession({ faults: [{ provider, mode: "no_usage" }] });
      const ws = uniqueWorkspace(`no-usage-${provider}`);
      const model = {
        openai: "openai/gpt-4o-mini",
        mistral: "mistral/mistral-large-latest",
        together: "together/meta-llama/Llama-3.3-70B-Instruct-Turbo",
      };
      const answer = await budgetedAnswer(s.env, ws, {
        model: model[provider],
        messages: [{ role: "user", content: "What is the weather in San Francisco?" }],
        router: { fallback: false },
      });
      // The client sees what the provider sent; the gateway's estimate is reported as one.
      expect(answer.usage ?? null).toBeNull();
      expect(answer.x_router.usage_estimated).toBe(true);

      const rows = await rowsOf(ws);
      expect(rows).toHaveLength(1);
      const [row] = rows;
      expect(row).toMatchObject({ status: "ok", usage_estimated: 1 });
      expect(row!.input_tokens).toBeGreaterThan(0);
      expect(row!.output_tokens).toBeGreaterThan(0);
      expect(row!.cost_pico).toBeGreaterThan(0);
      expect(answer.x_router.cost_usd).toBe(row!.cost_pico! / 1e12);
      expect(await spentPico(ws)).toBe(row!.cost_pico);
      expect(await listedOf(s.env, ws)).toMatchObject([{ usage_estimated: true, cost_usd: row!.cost_pico! / 1e12 }]);
    });
  }

  it("the Responses dialect says the estimate it bills (a Response's usage is numbers), marked in x_router", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "no_usage" }] });
    const ws = uniqueWorkspace("no-usage-responses");
    const { res, done } = await callFull(s.env, "/v1/responses", {
      method: "POST",
      headers: { "x-router-workspace": ws },
      json: {
        model: "openai/gpt-4o-mini",
        input: "What is the weather in San Francisco?",
        router: { fallback: false },
      },
    });
    const text = await done();
    expect(res.status, text).toBe(200);
    const body = JSON.parse(text) as Answer;
    const usage = body.usage as { input_tokens: number; output_tokens: number; total_tokens: number };
    expect(usage.input_tokens).toBeGreaterThan(0);
    expect(usage.output_tokens).toBeGreaterThan(0);
    expect(usage.total_tokens).toBe(usage.input_tokens + usage.output_tokens);
    expect(body.x_router.usage_estimated).toBe(true);
    expect(body.x_router.cost_usd).toBeGreaterThan(0);
    // The row bills the same tokens.
    const [row] = await rowsOf(ws);
    expect(row).toMatchObject({ input_tokens: usage.input_tokens, output_tokens: usage.output_tokens });
  });

  it("reasoning tokens the provider counts come back in chat's completion_tokens_details", async () => {
    const s = await newSession();
    const { done } = await callFull(s.env, "/v1/chat/completions", {
      method: "POST",
      json: { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }] },
    });
    const body = JSON.parse(await done()) as { usage: { completion_tokens_details?: { reasoning_tokens: number } } };
    expect(body.usage.completion_tokens_details).toEqual({ reasoning_tokens: 0 });
  });

  it("an answer with usage is billed from it, not estimated", async () => {
    const s = await newSession();
    const ws = uniqueWorkspace("json-usage");
    const answer = await budgetedAnswer(s.env, ws, {
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "What is the weather in San Francisco?" }],
      router: { fallback: false },
    });
    expect(answer.usage).not.toBeNull();
    expect(answer.x_router).not.toHaveProperty("usage_estimated");
    expect(await rowsOf(ws)).toMatchObject([{ status: "ok", usage_estimated: 0 }]);
    expect(await listedOf(s.env, ws)).toMatchObject([{ usage_estimated: false }]);
  });
});
