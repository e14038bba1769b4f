// Embeddings and the gateway's own APIs, as a user of the official clients meets them: keys, budgets, usage and count_tokens edges.

import { createExecutionContext } from "cloudflare:test";
import Anthropic from "@anthropic-ai/sdk";
import { describe, expect, it } from "vitest";
import worker from "../../../../src/index.ts";
import { newSession, type Session } from "../../gateway.ts";
import { callFull, uniqueWorkspace } from "../../ledger/ledger-helpers.ts";

const ADMIN = "admin-key-for-embeddings-0123456789";
// biome-ignore lint/suspicious/noExplicitAny: the tests read answers field by field
type Json = Record<string, any>;
const deployed = () => newSession({}, { SWITCHYARD_ENV: "production", ADMIN_KEY: ADMIN });
async function req(
  s: Session,
  path: string,
  init: { method?: string; json?: unknown; key?: string | null; headers?: Record<string, string>; body?: string } = {},
) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.key !== null) headers.authorization = `Bearer ${init.key ?? ADMIN}`;
  const { res, done } = await callFull(s.env, path, {
    method: init.method ?? "GET",
    json: init.json,
    headers,
    body: init.body,
  } as never);
  const text = await done();
  let json: Json = {};
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, text, json };
}
const shape = (j: Json) => {
  expect(j.error).toBeTypeOf("object");
  expect(Object.keys(j.error).sort()).toEqual(["code", "message", "param", "type"]);
};

describe("keys API edges", () => {
  it("unknown field / wrong types on POST /v1/keys are 400 naming the param", async () => {
    const s = await deployed();
    for (const [body, param] of [
      [{ workspace_id: "w", name: "x", extra: 1 }, null],
      [{ workspace_id: 5, name: "x" }, "workspace_id"],
      [{ workspace_id: "w", name: "x", rpm_limit: "10" }, "rpm_limit"],
      [{ workspace_id: "w", name: "x", rpm_limit: 1.5 }, "rpm_limit"],
      [{ workspace_id: "w", name: "x", budget_usd: 1e300 }, "budget_usd"],
      [{ workspace_id: "w", name: "x", allowed_origins: "https://a.example.com" }, "allowed_origins"],
    ] as const) {
      const r = await req(s, "/v1/keys", { method: "POST", json: body });
      expect(r.status, `${JSON.stringify(body)} ${r.text}`).toBe(400);
      shape(r.json);
      if (param !== null) expect(r.json.error.param).toBe(param);
    }
  });

  it("a workspace key cannot list, create or delete keys (any workspace)", async () => {
    const s = await deployed();
    const ws = uniqueWorkspace("kscope");
    const a = await req(s, "/v1/keys", { method: "POST", json: { workspace_id: ws, name: "a" } });
    const b = await req(s, "/v1/keys", { method: "POST", json: { workspace_id: "other-" + ws, name: "b" } });
    expect(a.status).toBe(201);
    const key = a.json.key as string;
    expect((await req(s, "/v1/keys", { key })).status).toBe(403);
    expect((await req(s, `/v1/keys?workspace_id=${ws}`, { key })).status).toBe(403);
    expect((await req(s, "/v1/keys", { method: "POST", key, json: { workspace_id: ws, name: "c" } })).status).toBe(403);
    expect((await req(s, `/v1/keys/${b.json.id}`, { method: "DELETE", key })).status).toBe(403);
    expect((await req(s, `/v1/keys/${b.json.id}/`, { method: "DELETE", key })).status).not.toBe(200);
    expect((await req(s, `/v1/budgets/other-${ws}`, { method: "PUT", key, json: { limit_usd: 1 } })).status).toBe(403);
    expect((await req(s, `/v1/budgets/other-${ws}`, { method: "DELETE", key })).status).toBe(403);
    expect((await req(s, `/v1/budgets/${ws}`, { method: "DELETE", key })).status).toBe(403);
    expect((await req(s, `/v1/budgets/other-${ws}`, { key })).status).toBe(403);
    expect((await req(s, `/v1/usage?workspace_id=other-${ws}`, { key })).status).toBe(403);
  });

  it("GET /v1/keys never shows the key or hash; DELETE twice is idempotent (revoked_at kept)", async () => {
    const s = await deployed();
    const ws = uniqueWorkspace("klist");
    const a = await req(s, "/v1/keys", { method: "POST", json: { workspace_id: ws, name: "a" } });
    const list = await req(s, `/v1/keys?workspace_id=${ws}`);
    expect(list.status).toBe(200);
    expect(list.text).not.toContain(a.json.key);
    expect(list.json.data[0]).not.toHaveProperty("hash");
    expect(list.json.data[0]).not.toHaveProperty("key");
    const d1 = await req(s, `/v1/keys/${a.json.id}`, { method: "DELETE" });
    expect(d1.status).toBe(200);
    const d2 = await req(s, `/v1/keys/${a.json.id}`, { method: "DELETE" });
    expect(d2.status, d2.text).toBe(200);
    expect(d2.json.revoked_at).toBe(d1.json.revoked_at);
  });
});

describe("budgets API edges", () => {
  it("PUT validates types and sizes", async () => {
    const s = await deployed();
    const ws = uniqueWorkspace("bval");
    for (const [bad, param] of [
      [{ limit_usd: "10" }, "limit_usd"],
      [{ limit_usd: 1e308 }, "limit_usd"],
      [{ limit_usd: 1, alert_threshold: 0 }, "alert_threshold"],
      [{ limit_usd: 1, alert_threshold: -0.5 }, "alert_threshold"],
      [{ limit_usd: 1, extra: true }, null],
      [{ limit_usd: null }, "limit_usd"],
    ] as const) {
      const r = await req(s, `/v1/budgets/${ws}`, { method: "PUT", json: bad });
      expect(r.status, `${JSON.stringify(bad)} ${r.text}`).toBe(400);
      shape(r.json);
      if (param !== null) expect(r.json.error.param).toBe(param);
    }
    for (const raw of ['{"limit_usd": NaN}', '{"limit_usd": Infinity}', "[1]", '"x"']) {
      const r = await req(s, `/v1/budgets/${ws}`, {
        method: "PUT",
        body: raw,
        headers: { "content-type": "application/json" },
      });
      expect(r.status, `${raw} ${r.text}`).toBe(400);
      shape(r.json);
    }
  });

  it("PUT then GET round-trips period/on_limit/alert_threshold", async () => {
    const s = await deployed();
    const ws = uniqueWorkspace("brt");
    const put = await req(s, `/v1/budgets/${ws}`, {
      method: "PUT",
      json: { limit_usd: 2.5, period: "month", alert_threshold: 0.5, on_limit: "downgrade" },
    });
    expect(put.status, put.text).toBe(200);
    const get = await req(s, `/v1/budgets/${ws}`);
    expect(get.json).toMatchObject({ limit_usd: 2.5, period: "month", alert_threshold: 0.5, on_limit: "downgrade" });
  });

  it("a budget of 0 refuses embeddings with 402 budget_exceeded", async () => {
    const s = await deployed();
    const ws = uniqueWorkspace("b0");
    await req(s, `/v1/budgets/${ws}`, { method: "PUT", json: { limit_usd: 0 } });
    const r = await req(s, "/v1/embeddings", {
      method: "POST",
      json: { model: "openai/text-embedding-3-small", input: "hi" },
      headers: { "x-router-workspace": ws },
    });
    expect(r.status, r.text).toBe(402);
    expect(r.json.error.code).toBe("budget_exceeded");
  });
});

describe("usage edges", () => {
  it("bad query values are 400 in OpenAI's shape", async () => {
    const s = await deployed();
    for (const q of ["group_by=week", "from=yesterday", "from=2026-02-30", "unknown=1", "workspace_id="]) {
      const r = await req(s, `/v1/usage?${q}`);
      expect(r.status, `${q} ${r.text}`).toBe(400);
      shape(r.json);
    }
  });

  it("embeddings show up in usage for the key's workspace", async () => {
    const s = await deployed();
    const ws = uniqueWorkspace("uemb");
    const k = await req(s, "/v1/keys", { method: "POST", json: { workspace_id: ws, name: "a" } });
    const e = await req(s, "/v1/embeddings", {
      method: "POST",
      key: k.json.key,
      json: { model: "openai/text-embedding-3-small", input: ["a b c", "d e"] },
    });
    expect(e.status, e.text).toBe(200);
    const u = await req(s, `/v1/usage?group_by=model`, { key: k.json.key });
    expect(u.json.workspace_id).toBe(ws);
    expect(u.json.totals.requests).toBe(1);
    expect(u.json.totals.input_tokens).toBe(e.json.usage.prompt_tokens);
  });
});

describe("count_tokens", () => {
  const sdk = (s: Session, key = ADMIN) =>
    new Anthropic({
      baseURL: "http://127.0.0.1:8787",
      apiKey: key,
      maxRetries: 0,
      fetch: (async (input: RequestInfo | URL, init?: RequestInit) =>
        worker.fetch(new Request(input, init), s.env, createExecutionContext())) as typeof fetch,
    });
  it("SDK countTokens with system and tools counts more than without", async () => {
    const s = await deployed();
    const base = await sdk(s).messages.countTokens({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "hello" }],
    });
    const more = await sdk(s).messages.countTokens({
      model: "openai/gpt-4o-mini",
      system: "You are a helpful assistant that answers at length about many things.",
      messages: [{ role: "user", content: "hello" }],
      tools: [
        {
          name: "get_weather",
          description: "weather for a city",
          input_schema: { type: "object", properties: { city: { type: "string" } } },
        },
      ],
    });
    expect(more.input_tokens).toBeGreaterThan(base.input_tokens);
  });
  it("SDK countTokens on Anthropic model", async () => {
    const s = await deployed();
    const r = await sdk(s).messages.countTokens({
      model: "anthropic/claude-3-haiku",
      messages: [{ role: "user", content: "hello" }],
    });
    expect(r.input_tokens).toBeGreaterThan(0);
  });
  it("errors in Anthropic's shape: bad body, unknown model, bad key", async () => {
    const s = await deployed();
    for (const [body, key, status] of [
      [{ model: "openai/gpt-4o-mini" }, ADMIN, 400],
      [{ model: "openai/gpt-4o-mini", messages: "hi" }, ADMIN, 400],
      [{ model: "nope-model-xyz", messages: [{ role: "user", content: "hi" }] }, ADMIN, 400],
      [{ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }, "wrong", 401],
    ] as const) {
      const r = await req(s, "/v1/messages/count_tokens", { method: "POST", json: body, key });
      expect(r.status, r.text).toBe(status);
      expect(r.json.type, r.text).toBe("error");
      expect(r.json.error.type).toBeTypeOf("string");
      expect(r.json.error.message).toBeTypeOf("string");
    }
    const r = await req(s, "/v1/messages/count_tokens", {
      method: "POST",
      body: "{bad",
      headers: { "content-type": "application/json" },
    });
    expect(r.status).toBe(400);
    expect(r.json.type, r.text).toBe("error");
    const g = await req(s, "/v1/messages/count_tokens");
    expect(g.json.type, g.text).toBe("error");
  });
});
