// One workspace, every dialect (chat JSON and stream, Responses, Messages, embeddings, a failure, a
// hedge): /v1/usage totals and each group_by equal the sums of the D1 rows; /v1/requests lists each row at its cost.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newSession } from "../gateway.ts";
import { callFull, uniqueWorkspace } from "../ledger/ledger-helpers.ts";

interface Row {
  id: string;
  dialect: string;
  provider: string | null;
  model: string | null;
  execution_id: string | null;
  day: string;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  cache_write_tokens: number;
  cost_pico: number | null;
  attempt_count: number;
}

describe("the ledger adds up across dialects", () => {
  it("/v1/usage totals and groups = sums of rows; /v1/requests = rows", async () => {
    const s = await newSession({ faults: [{ provider: "together", mode: "status", status: 401 }] });
    const ws = uniqueWorkspace("adds-up");
    const h = { "x-router-workspace": ws, "x-router-fallback": "false" };
    const calls: [string, unknown, Record<string, string>?][] = [
      ["/v1/chat/completions", { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }],
      [
        "/v1/chat/completions",
        {
          model: "anthropic/claude-haiku-4-5",
          stream: true,
          messages: [{ role: "user", content: "hi" }],
        },
        { "x-router-execution": "run-1" },
      ],
      ["/v1/responses", { model: "openai/gpt-4o-mini", input: "hi", store: false }, { "x-router-execution": "run-1" }],
      [
        "/v1/messages",
        {
          model: "anthropic/claude-sonnet-4-5",
          max_tokens: 100,
          system: [{ type: "text", text: "guide", cache_control: { type: "ephemeral", ttl: "1h" } }],
          messages: [{ role: "user", content: "hi" }],
        },
      ],
      ["/v1/embeddings", { model: "openai/text-embedding-3-small", input: ["a", "b"] }],
      [
        "/v1/chat/completions",
        { model: "together/meta-llama/Llama-3.3-70B-Instruct-Turbo", messages: [{ role: "user", content: "hi" }] },
      ],
    ];
    for (const [path, json, extra] of calls) {
      const { res, done } = await callFull(s.env, path, { method: "POST", json, headers: { ...h, ...extra } });
      await done();
      void res;
    }
    const rows = (await env.DB.prepare("SELECT * FROM requests WHERE workspace_id = ?").bind(ws).all<Row>()).results;
    expect(rows.length).toBe(calls.length);
    const sum = (rs: Row[]) => ({
      requests: rs.length,
      input_tokens: rs.reduce((t, r) => t + r.input_tokens + r.cached_input_tokens + r.cache_write_tokens, 0),
      output_tokens: rs.reduce((t, r) => t + r.output_tokens, 0),
      cost_pico: rs.reduce((t, r) => t + (r.cost_pico ?? 0), 0),
    });
    const keyOf: Record<string, (r: Row) => string | null> = {
      provider: (r) => r.provider,
      model: (r) => (r.provider === null ? null : `${r.provider}/${r.model}`),
      day: (r) => r.day,
      execution_id: (r) => r.execution_id,
      dialect: (r) => r.dialect,
    };
    for (const [group, key] of Object.entries(keyOf)) {
      const { res, done } = await callFull(s.env, `/v1/usage?workspace_id=${ws}&group_by=${group}`);
      const body = JSON.parse(await done()) as {
        totals: Record<string, number>;
        groups: ({ key: string | null } & Record<string, number>)[];
      };
      expect(res.status).toBe(200);
      expect(body.totals).toMatchObject(sum(rows));
      expect(body.totals.cost_usd).toBe(sum(rows).cost_pico / 1e12);
      const keys = [...new Set(rows.map(key))];
      expect(body.groups.map((g) => g.key).sort()).toEqual(keys.sort());
      for (const g of body.groups)
        expect(g, `${group}=${g.key}`).toMatchObject(sum(rows.filter((r) => key(r) === g.key)));
    }
    const { done } = await callFull(s.env, `/v1/requests?workspace_id=${ws}&limit=100`);
    const listed = JSON.parse(await done()) as { data: { id: string; cost_usd: number | null; dialect: string }[] };
    expect(listed.data.length).toBe(rows.length);
    for (const r of rows) {
      const l = listed.data.find((d) => d.id === r.id);
      expect(l).toMatchObject({ dialect: r.dialect, cost_usd: r.cost_pico === null ? null : r.cost_pico / 1e12 });
    }
    // An empty range answers zeros, not an error.
    const empty = await callFull(s.env, `/v1/usage?workspace_id=${ws}&from=2020-01-01&to=2020-01-02&group_by=day`);
    expect(JSON.parse(await empty.done())).toMatchObject({ totals: { requests: 0, cost_usd: 0 }, groups: [] });
  });
});
