// Embeddings and the gateway's own APIs, as a user of the official clients meets them: what the ledger bills for an embeddings call matches what the response says was used.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, newSession } from "../../gateway.ts";

// biome-ignore lint/suspicious/noExplicitAny: the tests read answers field by field
type Json = Record<string, any>;

describe("embeddings ledger", () => {
  it("Together (no usage upstream): the ledger's input_tokens equal the response's prompt_tokens", async () => {
    const s = await newSession();
    const res = await call(s.env, "/v1/embeddings", {
      method: "POST",
      json: { model: "together/BAAI/bge-base-en-v1.5", input: ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"] },
    });
    const json = (await res.json()) as Json;
    const row = await env.DB.prepare("SELECT input_tokens, cost_pico FROM requests WHERE id = ?")
      .bind(res.headers.get("x-request-id"))
      .first<Json>();
    // Every text costs at least one token at the provider.
    expect(json.usage.prompt_tokens).toBeGreaterThanOrEqual(10);
    expect(row?.input_tokens).toBe(json.usage.prompt_tokens);
    // BGE base on Together: $0.008 per 1M input tokens.
    expect(row?.cost_pico).toBe(json.usage.prompt_tokens * 0.008 * 1e6);
  });
});

describe("embeddings budget hold", () => {
  it("a workspace budget with room for the real cost admits a batch of short texts", async () => {
    const s = await newSession();
    const ws = `ehold-${crypto.randomUUID()}`;
    // 1000 one-token texts on text-embedding-3-small: ~1000 tokens = $0.00002. Room for ~2000 tokens.
    const put = await call(s.env, `/v1/budgets/${ws}`, { method: "PUT", json: { limit_usd: 0.00004, period: "day" } });
    expect(put.status).toBe(200);
    const res = await call(s.env, "/v1/embeddings", {
      method: "POST",
      headers: { "x-router-workspace": ws },
      json: { model: "openai/text-embedding-3-small", input: Array.from({ length: 1000 }, () => "hi") },
    });
    expect(res.status, (await res.clone().text()).slice(0, 300)).toBe(200);
  });
});
