// Gateway keys: admin-only management, hashed storage, workspace override, origins, rate limits, key budgets, no leaks.
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { hashKey } from "../../../src/keys/key-record.ts";
import { newSession, type Session } from "../gateway.ts";
import { callFull, uniqueWorkspace } from "../ledger/ledger-helpers.ts";

const ADMIN = "admin-key-for-tests-0123456789";
const SECRETS = [ADMIN, "sk-test-openai", "sk-ant-test", "test-mistral", "test-together"];
const seen: string[] = [];
let logs: { mock: { calls: unknown[][] }; mockRestore(): void }[] = [];

beforeEach(() => {
  logs = (["log", "error", "warn", "info"] as const).map((m) => vi.spyOn(console, m));
});
afterEach(() => {
  // No provider key or admin key in any response or any log line of these tests.
  const logged = logs.flatMap((l) => l.mock.calls.map((c) => c.map(String).join(" ")));
  for (const text of [...seen, ...logged]) for (const secret of SECRETS) expect(text).not.toContain(secret);
  for (const l of logs) l.mockRestore();
  seen.length = 0;
});

async function deployed(): Promise<Session> {
  return newSession({}, { SWITCHYARD_ENV: "production", ADMIN_KEY: ADMIN });
}

async function req(
  s: Session,
  path: string,
  init: { method?: string; json?: unknown; key?: string | null; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.key !== null) headers.authorization = `Bearer ${init.key ?? ADMIN}`;
  const { res, done } = await callFull(s.env, path, { method: init.method ?? "GET", json: init.json, headers });
  const text = await done();
  seen.push(text, JSON.stringify([...res.headers]));
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, any> };
}

const chatBody = {
  model: "openai/gpt-4o-mini",
  messages: [{ role: "user", content: "hi" }],
  router: { fallback: false },
};

async function createKey(s: Session, body: Record<string, unknown>) {
  const r = await req(s, "/v1/keys", { method: "POST", json: body });
  expect(r.status, r.text).toBe(201);
  return r.json() as { id: string; key: string; prefix: string; workspace_id: string };
}

describe("authentication", () => {
  it("a deployed Worker refuses requests without a key, and any wrong key is a 401", async () => {
    const s = await deployed();
    expect((await req(s, "/v1/models", { key: null })).status).toBe(401);
    expect((await req(s, "/v1/chat/completions", { method: "POST", json: chatBody, key: null })).status).toBe(401);
    for (const wrong of ["nope", "sy-" + "A".repeat(43), ADMIN + "x"]) {
      const r = await req(s, "/v1/models", { key: wrong });
      expect(r.status, wrong).toBe(401);
      expect(r.json().error.code).toBe("invalid_api_key");
    }
    // Development mode passes without a key, but a wrong key is still a 401 there.
    const dev = await newSession();
    expect((await callFull(dev.env, "/v1/models")).res.status).toBe(200);
    expect(
      (await callFull(dev.env, "/v1/models", { headers: { authorization: "Bearer sy-wrongwrongwrongwrong" } })).res
        .status,
    ).toBe(401);
  });
});

describe("keys", () => {
  it("shows a key once, stores only its hash, and the key works at once for its own workspace", async () => {
    const s = await deployed();
    const ws = uniqueWorkspace("keys");
    const created = await createKey(s, { workspace_id: ws, name: "ci" });
    expect(created.key).toMatch(/^sy-[A-Za-z0-9_-]{43}$/);
    expect(created.key.startsWith(created.prefix)).toBe(true);
    const row = await env.DB.prepare("SELECT * FROM keys WHERE id = ?")
      .bind(created.id)
      .first<Record<string, unknown>>();
    expect(row?.hash).toBe(await hashKey(created.key));
    expect(JSON.stringify(row)).not.toContain(created.key);

    const list = await req(s, `/v1/keys?workspace_id=${ws}`);
    expect(list.status).toBe(200);
    expect(list.text).not.toContain(created.key);
    expect(list.text).not.toContain(row?.hash as string);
    expect(list.json().data).toEqual([
      expect.objectContaining({ id: created.id, prefix: created.prefix, workspace_id: ws, revoked_at: null }),
    ]);

    // The key's workspace overrides the one the caller names.
    const chat = await req(s, "/v1/chat/completions", {
      method: "POST",
      json: { ...chatBody, router: { fallback: false, workspace_id: "someone-else" } },
      key: created.key,
    });
    expect(chat.status, chat.text).toBe(200);
    const logged = await env.DB.prepare("SELECT workspace_id, key_id FROM requests WHERE id = ?")
      .bind(chat.headers.get("x-request-id"))
      .first();
    expect(logged).toEqual({ workspace_id: ws, key_id: created.id });
  });

  it("a workspace key sees only its own usage and budget, and cannot manage keys or budgets", async () => {
    const s = await deployed();
    const ws = uniqueWorkspace("scoped");
    const { key } = await createKey(s, { workspace_id: ws, name: "app" });
    expect((await req(s, `/v1/usage?workspace_id=${ws}`, { key })).status).toBe(200);
    const own = await req(s, "/v1/usage", { key });
    expect(own.json().workspace_id).toBe(ws);
    expect((await req(s, "/v1/usage?workspace_id=other", { key })).status).toBe(403);
    expect((await req(s, `/v1/budgets/${ws}`, { key })).status).toBe(404);
    expect((await req(s, "/v1/budgets/other", { key })).status).toBe(403);
    expect((await req(s, `/v1/budgets/${ws}`, { method: "PUT", json: { limit_usd: 100 }, key })).status).toBe(403);
    expect((await req(s, "/v1/keys", { key })).status).toBe(403);
    expect((await req(s, "/v1/keys", { method: "POST", json: { workspace_id: ws, name: "x" }, key })).status).toBe(403);
    expect((await req(s, `/v1/budgets/${ws}`, { method: "PUT", json: { limit_usd: 100 } })).status).toBe(200);
    expect((await req(s, `/v1/budgets/${ws}`, { key })).json()).toMatchObject({ workspace_id: ws, limit_usd: 100 });
  });

  it("a revoked key is a 401 at once", async () => {
    const s = await deployed();
    const { id, key } = await createKey(s, { workspace_id: uniqueWorkspace("revoke"), name: "old" });
    expect((await req(s, "/v1/models", { key })).status).toBe(200);
    const del = await req(s, `/v1/keys/${id}`, { method: "DELETE" });
    expect(del.status).toBe(200);
    expect(del.json()).toMatchObject({ id, deleted: true });
    expect((await req(s, "/v1/models", { key })).status).toBe(401);
    expect((await req(s, "/v1/keys/key_unknown", { method: "DELETE" })).status).toBe(404);
  });

  it("a key created by another isolate (only in the directory) works on its first use here", async () => {
    const s = await deployed();
    const key = `sy-${crypto.randomUUID().replaceAll("-", "")}elsewhere`;
    const ws = uniqueWorkspace("elsewhere");
    const directory = env.GOVERNANCE.get(env.GOVERNANCE.idFromName("directory"));
    await directory.putKey({
      id: `key_${ws}`,
      hash: await hashKey(key),
      prefix: key.slice(0, 11),
      name: "x",
      workspace_id: ws,
      allowed_origins: null,
      rpm_limit: null,
      budget_pico: null,
      created_at: Date.now(),
      revoked_at: null,
    });
    const r = await req(s, "/v1/usage", { key });
    expect(r.status, r.text).toBe(200);
    expect(r.json().workspace_id).toBe(ws);
  });

  it("validates the key body, naming the param", async () => {
    const s = await deployed();
    for (const [body, param] of [
      [{ name: "x" }, "workspace_id"],
      [{ workspace_id: "w", name: "x", allowed_origins: ["https://a.example.com/path"] }, "allowed_origins.0"],
      [{ workspace_id: "w", name: "x", rpm_limit: 0 }, "rpm_limit"],
      [{ workspace_id: "w", name: "x", budget_usd: -5 }, "budget_usd"],
    ] as const) {
      const r = await req(s, "/v1/keys", { method: "POST", json: body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json().error.param).toBe(param);
    }
  });
});

describe("origins, rate limits and key budgets", () => {
  it("answers preflights, serves allowed origins with CORS headers, and refuses other origins with 403", async () => {
    const s = await deployed();
    const { key } = await createKey(s, {
      workspace_id: uniqueWorkspace("cors"),
      name: "web",
      allowed_origins: ["https://app.example.com"],
    });
    const pre = await req(s, "/v1/chat/completions", {
      method: "OPTIONS",
      key: null,
      headers: {
        origin: "https://app.example.com",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(pre.headers.get("access-control-allow-headers")).toContain("authorization");

    const ok = await req(s, "/v1/chat/completions", {
      method: "POST",
      json: chatBody,
      key,
      headers: { origin: "https://app.example.com" },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    const exposed = (ok.headers.get("access-control-expose-headers") ?? "").split(", ");
    // What every model-route answer says is readable by the page: the route, the cache's word, the limits.
    for (const name of ["x-router-provider", "x-router-cache", "x-request-id", "x-ratelimit-remaining-requests"])
      expect(exposed, name).toContain(name);
    expect(ok.headers.get("x-router-cache")).toBe("bypass");

    const evil = await req(s, "/v1/chat/completions", {
      method: "POST",
      json: chatBody,
      key,
      headers: { origin: "https://evil.example.com" },
    });
    expect(evil.status).toBe(403);
    expect(evil.json().error.code).toBe("origin_not_allowed");
    expect(evil.headers.get("access-control-allow-origin")).toBeNull();

    // A key without allowed_origins is for servers: a browser origin is refused too.
    const { key: server } = await createKey(s, { workspace_id: uniqueWorkspace("server"), name: "srv" });
    expect((await req(s, "/v1/models", { key: server, headers: { origin: "https://app.example.com" } })).status).toBe(
      403,
    );
    expect((await req(s, "/v1/models", { key: server })).status).toBe(200);
  });

  it("rpm_limit: the model call past the limit is a 429 with Retry-After", async () => {
    const s = await deployed();
    const { key } = await createKey(s, { workspace_id: uniqueWorkspace("rpm"), name: "slow", rpm_limit: 2 });
    // Reading the models is not a model call: only chat, responses, messages and embeddings count.
    expect((await req(s, "/v1/models", { key })).status).toBe(200);
    expect((await req(s, "/v1/chat/completions", { method: "POST", json: chatBody, key })).status).toBe(200);
    expect((await req(s, "/v1/chat/completions", { method: "POST", json: chatBody, key })).status).toBe(200);
    const third = await req(s, "/v1/chat/completions", { method: "POST", json: chatBody, key });
    expect(third.status).toBe(429);
    expect(third.json().error.code).toBe("rate_limit_exceeded");
    const wait = Number(third.headers.get("retry-after"));
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(60);
    expect((await req(s, "/v1/chat/completions", { method: "POST", json: chatBody, key })).status).toBe(429);
  });

  it("budget_usd caps the key's own spend: 402 once its worst case no longer fits", async () => {
    const s = await deployed();
    // One gpt-4o-mini call with max_tokens 100 holds (2 bytes + 16) × 0.15 µ$ + 100 × 0.60 µ$ = 62.7 µ$; the cap is 70 µ$.
    const { key } = await createKey(s, {
      workspace_id: uniqueWorkspace("keybudget"),
      name: "capped",
      budget_usd: 0.00007,
    });
    const body = { ...chatBody, max_tokens: 100 };
    const first = await req(s, "/v1/chat/completions", { method: "POST", json: body, key });
    expect(first.status, first.text).toBe(200);
    // The real cost of the first call (13.8 µ$) is settled: 56.2 µ$ left cannot hold another 62.7 µ$.
    const second = await req(s, "/v1/chat/completions", { method: "POST", json: body, key });
    expect(second.status, second.text).toBe(402);
    expect(second.json().error.code).toBe("budget_exceeded");
  });
});
