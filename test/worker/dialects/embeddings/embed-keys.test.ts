// Embeddings and the gateway's own APIs, as a user of the official clients meets them: embeddings under a workspace key (rate limit, key budget, origins) and model naming.
import { describe, expect, it } from "vitest";
import { newSession, type Session } from "../../gateway.ts";
import { callFull, uniqueWorkspace } from "../../ledger/ledger-helpers.ts";

const ADMIN = "admin-key-for-embeddings-0123456789";
// biome-ignore lint/suspicious/noExplicitAny: the tests read answers field by field
type Json = Record<string, any>;
const deployed = () => newSession({}, { SWITCHYARD_ENV: "production", ADMIN_KEY: ADMIN });
async function req(
  s: Session,
  path: string,
  init: { method?: string; json?: unknown; key?: string; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { authorization: `Bearer ${init.key ?? ADMIN}`, ...init.headers };
  const { res, done } = await callFull(s.env, path, { method: init.method ?? "GET", json: init.json, headers });
  const text = await done();
  let json: Json = {};
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, text, json };
}
const E = { model: "openai/text-embedding-3-small", input: "hello" };

describe("embeddings under a workspace key", () => {
  it("rpm_limit 1: the second embeddings call is a 429 with Retry-After", async () => {
    const s = await deployed();
    const k = await req(s, "/v1/keys", {
      method: "POST",
      json: { workspace_id: uniqueWorkspace("erpm"), name: "k", rpm_limit: 1 },
    });
    const a = await req(s, "/v1/embeddings", { method: "POST", key: k.json.key, json: E });
    expect(a.status, a.text).toBe(200);
    const b = await req(s, "/v1/embeddings", { method: "POST", key: k.json.key, json: E });
    expect(b.status, b.text).toBe(429);
    expect(b.headers.get("retry-after")).not.toBeNull();
  });

  it("budget_usd 0: embeddings on a priced model are a 402 budget_exceeded", async () => {
    const s = await deployed();
    const k = await req(s, "/v1/keys", {
      method: "POST",
      json: { workspace_id: uniqueWorkspace("ebud"), name: "k", budget_usd: 0 },
    });
    const a = await req(s, "/v1/embeddings", { method: "POST", key: k.json.key, json: E });
    expect(a.status, a.text).toBe(402);
    expect(a.json.error.code).toBe("budget_exceeded");
  });

  it("allowed_origins: other origin 403, allowed gets CORS", async () => {
    const s = await deployed();
    const k = await req(s, "/v1/keys", {
      method: "POST",
      json: { workspace_id: uniqueWorkspace("eorg"), name: "k", allowed_origins: ["https://app.example.com"] },
    });
    const bad = await req(s, "/v1/embeddings", {
      method: "POST",
      key: k.json.key,
      json: E,
      headers: { origin: "https://evil.example.com" },
    });
    expect(bad.status).toBe(403);
    const ok = await req(s, "/v1/embeddings", {
      method: "POST",
      key: k.json.key,
      json: E,
      headers: { origin: "https://app.example.com" },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
  });

  it("a workspace key's embeddings are billed to its workspace even if x-router-workspace names another", async () => {
    const s = await deployed();
    const ws = uniqueWorkspace("ews");
    const k = await req(s, "/v1/keys", { method: "POST", json: { workspace_id: ws, name: "k" } });
    await req(s, "/v1/embeddings", {
      method: "POST",
      key: k.json.key,
      json: E,
      headers: { "x-router-workspace": "victim-" + ws },
    });
    const u = await req(s, `/v1/usage?workspace_id=victim-${ws}`);
    expect(u.json.totals.requests).toBe(0);
  });
});

describe("embeddings model naming", () => {
  it("bare registry id, alias, models-only body, mixed case", async () => {
    const s = await deployed();
    for (const body of [
      { model: "text-embedding-3-small", input: "x" },
      { models: ["openai/text-embedding-3-small"], input: "x" },
      { model: "ollama/nomic-embed-text:latest", input: "x" },
    ]) {
      const r = await req(s, "/v1/embeddings", { method: "POST", json: body });
      expect(r.status, `${JSON.stringify(body)} ${r.text}`).toBe(200);
    }
  });
});

describe("embeddings are held at their own size, not as chat messages", () => {
  it("tpm_limit 3000: a batch of 1000 one-token texts (~1000 tokens) is served", async () => {
    const s = await deployed();
    const k = await req(s, "/v1/keys", {
      method: "POST",
      json: { workspace_id: uniqueWorkspace("etpm"), name: "k", tpm_limit: 3000 },
    });
    const r = await req(s, "/v1/embeddings", {
      method: "POST",
      key: k.json.key,
      json: { model: "openai/text-embedding-3-small", input: Array.from({ length: 1000 }, () => "hi") },
    });
    expect(r.status, r.text.slice(0, 300)).toBe(200);
    expect(r.json.usage.prompt_tokens).toBeLessThanOrEqual(3000);
  });

  it("a TPM refusal on embeddings does not tell the caller to lower max_tokens (there is none)", async () => {
    const s = await deployed();
    const k = await req(s, "/v1/keys", {
      method: "POST",
      json: { workspace_id: uniqueWorkspace("etpm2"), name: "k", tpm_limit: 5 },
    });
    const r = await req(s, "/v1/embeddings", {
      method: "POST",
      key: k.json.key,
      json: { model: "openai/text-embedding-3-small", input: "alpha beta gamma delta epsilon zeta eta theta" },
    });
    expect(r.status).toBe(429);
    expect(r.json.error.message).not.toMatch(/max_tokens/);
  });
});
