// A stream cut after the commit point and continued on another candidate is billed for both legs: the cut leg from
// its estimate (it never reported usage), the continuation from its own usage (here a free local model, so the row's
// cost is the cut leg's); the row says usage_estimated and the budget is charged what the row says.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Env } from "../../../src/env.ts";
import { budgetStub, workspaceScope } from "../../../src/ledger/budget-gate.ts";
import { newSession } from "../gateway.ts";
import { callFull, uniqueWorkspace } from "./ledger-helpers.ts";

const CUT = { provider: "openai" as const, model: "gpt-4o-mini", mode: "cut" as const, after_chunks: 4 };
/** Local and free: whatever the row costs is the cut leg's. */
const CONTINUATION = "ollama/llama3";

interface Row {
  usage_estimated: number;
  cost_pico: number | null;
}

async function rowOf(ws: string): Promise<Row> {
  const r = await env.DB.prepare("SELECT usage_estimated, cost_pico FROM requests WHERE workspace_id = ?")
    .bind(ws)
    .all<Row>();
  expect(r.results).toHaveLength(1);
  return r.results[0]!;
}

async function budgetedStream(sessionEnv: Env, ws: string, models: string[]): Promise<string> {
  const put = await callFull(sessionEnv, `/v1/budgets/${ws}`, {
    method: "PUT",
    json: { limit_usd: 5, period: "month", on_limit: "reject" },
  });
  expect(put.res.status, await put.done()).toBe(200);
  const { res, done } = await callFull(sessionEnv, "/v1/chat/completions", {
    method: "POST",
    json: {
      model: models[0],
      models,
      messages: [{ role: "user", content: "What is 10 + 5?" }],
      stream: true,
      stream_options: { include_usage: true },
      router: { timeouts: { headers_ms: 1000, idle_ms: 300, total_ms: 8000 } },
    },
    headers: { "x-router-workspace": ws },
  });
  const text = await done();
  expect(res.status, text).toBe(200);
  return text;
}

describe("a cut stream continued on another candidate", () => {
  it("bills the cut leg from its estimate and the continuation from its usage, and charges the budget", async () => {
    const alone = uniqueWorkspace("continuation-alone");
    await budgetedStream((await newSession()).env, alone, [CONTINUATION]);
    expect(await rowOf(alone)).toMatchObject({ usage_estimated: 0, cost_pico: 0 });

    const s = await newSession({ faults: [CUT] });
    const ws = uniqueWorkspace("continued");
    const text = await budgetedStream(s.env, ws, ["openai/gpt-4o-mini", CONTINUATION]);
    expect(text).toContain("[DONE]");
    expect(text).not.toContain("stream_interrupted");

    const row = await rowOf(ws);
    expect(row.usage_estimated).toBe(1);
    // The continuation is free: what the row costs is the cut leg's tokens, billed from its estimate.
    expect(row.cost_pico).toBeGreaterThan(0);
    expect((await budgetStub(env, workspaceScope(ws)).status(Date.now()))?.spent_pico).toBe(row.cost_pico);
  });
});
