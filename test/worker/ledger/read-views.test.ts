// The ledger's read views agree with its rows and with each other: /v1/requests shows a request's prompt as /v1/usage
// counts it, with the cache writes it bills; /metrics' cost counter is the ledger's integer sum, without float drift.
// Prices are worked by hand from configs/models.yml, token counts from test/fixtures/.
import { describe, expect, it } from "vitest";
import { call, newSession } from "../gateway.ts";
import { callFull, uniqueWorkspace } from "../ledger/ledger-helpers.ts";

describe("the ledger's read views agree with the row and with each other", () => {
  // anthropic/messages-prompt-cache-write-1h.json: input_tokens 17, cache_creation_input_tokens 2056 (all 1-hour),
  // output_tokens 100. claude-sonnet-4-5: $3 in, $6 1h write, $15 out per 1M -> 51 + 12,336 + 1,500 = 13,887 micro-$.
  // Both views say 2,073 prompt tokens, and /v1/requests names the 2,056 written apart: tokens x prices is the cost.
  it("GET /v1/requests shows the cache-write tokens it bills, and input_tokens means what /v1/usage means", async () => {
    const s = await newSession();
    const ws = uniqueWorkspace("read-views-writes");
    const { res, done } = await callFull(s.env, "/v1/messages", {
      method: "POST",
      headers: { "x-router-workspace": ws, "x-router-fallback": "false" },
      json: {
        model: "anthropic/claude-sonnet-4-5",
        max_tokens: 100,
        system: [{ type: "text", text: "A long guide.", cache_control: { type: "ephemeral", ttl: "1h" } }],
        messages: [{ role: "user", content: "hi" }],
      },
    });
    const answer = JSON.parse(await done()) as { x_router: { cost_usd: number } };
    expect(res.status).toBe(200);
    expect(answer.x_router.cost_usd).toBe(0.013887);

    const usage = JSON.parse(await (await callFull(s.env, `/v1/usage?workspace_id=${ws}`)).done()) as {
      totals: { requests: number; input_tokens: number; cost_usd: number };
    };
    expect(usage.totals).toMatchObject({ requests: 1, input_tokens: 2073, cost_usd: 0.013887 });

    const listed = JSON.parse(await (await callFull(s.env, `/v1/requests?workspace_id=${ws}`)).done()) as {
      data: Record<string, unknown>[];
    };
    expect(listed.data.length).toBe(1);
    const row = listed.data[0] as Record<string, number>;
    expect(row.cost_usd).toBe(0.013887);
    // The same request, the same figure: /v1/usage's input_tokens (all prompt tokens) ...
    expect(row.input_tokens, JSON.stringify(row)).toBe(2073);
    // ... and the billed cache writes are shown.
    expect(row.cache_write_tokens, JSON.stringify(row)).toBe(2056);
  });

  // gpt-6.1-sol: $2 in, $10 out per 1M; openai/chat-completion-text.json: 40 prompt, 13 completion tokens ->
  // 210,000,000 pico-dollars a call. Ten calls: 2,100,000,000 pico = $0.0021 exactly, which /v1/usage says.
  // Float dollars added per request would say 0.0021000000000000007.
  it("/metrics' cost counter equals the ledger's integer sum, without float drift", async () => {
    const s = await newSession();
    const ws = uniqueWorkspace("read-views-metrics");
    for (let i = 0; i < 10; i++) {
      const { res, done } = await callFull(s.env, "/v1/chat/completions", {
        method: "POST",
        headers: { "x-router-workspace": ws, "x-router-fallback": "false" },
        json: { model: "openai/gpt-6.1-sol", messages: [{ role: "user", content: "hi" }] },
      });
      await done();
      expect(res.status).toBe(200);
    }
    const usage = JSON.parse(await (await callFull(s.env, `/v1/usage?workspace_id=${ws}`)).done()) as {
      totals: { cost_usd: number; cost_pico: number };
    };
    expect(usage.totals.cost_pico).toBe(2_100_000_000);
    expect(usage.totals.cost_usd).toBe(0.0021);
    // The counters reach the stats object after the response: wait until all ten are in.
    const prefix = 'switchyard_cost_usd_total{provider="openai",model="gpt-6.1-sol"} ';
    let line: string | undefined;
    for (let i = 0; i < 30; i++) {
      const text = await (await call(s.env, "/metrics")).text();
      line = text.split("\n").find((l) => l.startsWith(prefix));
      if (line !== undefined && Number(line.slice(prefix.length)) > 0.00209) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(line).toBe('switchyard_cost_usd_total{provider="openai",model="gpt-6.1-sol"} 0.0021');
  });
});
