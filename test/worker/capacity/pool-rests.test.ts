// Key pools and the admin key as DESIGN's Capacity and Security sections say: a provider whose every key rests after a
// Retry-After is skipped until one is free (not called again to meet another 429); a key list's malformed weight never
// reaches a provider glued to its key; the admin key reads a response a workspace key stored, naming no workspace.
import { describe, expect, it } from "vitest";
import type { Env } from "../../../src/env.ts";
import { newSession, type Session } from "../gateway.ts";
import { callFull, uniqueWorkspace } from "../ledger/ledger-helpers.ts";

const ADMIN = "admin-key-for-pool-rests-0123456789";

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

async function req(
  s: Session,
  path: string,
  init: { method?: string; json?: unknown; key?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { authorization: `Bearer ${init.key ?? ADMIN}`, ...init.headers };
  const { res, done } = await callFull(s.env, path, { method: init.method ?? "GET", json: init.json, headers });
  const text = await done();
  return { status: res.status, headers: res.headers, text };
}

const deployed = (overrides: Partial<Env> = {}) =>
  newSession({}, { SWITCHYARD_ENV: "production", ADMIN_KEY: ADMIN, ...overrides });

const chatBody = {
  model: "openai/gpt-4o-mini",
  messages: [{ role: "user", content: "hi" }],
  max_tokens: 50,
  router: { fallback: false },
};

/** Keys no other test uses (the isolate's rotation remembers keys by their masked id). */
function poolKeys(n: number): string[] {
  const run = crypto.randomUUID().replaceAll("-", "").slice(0, 12);
  return Array.from({ length: n }, (_, i) => `sk-pool-${run}-${i}${"x".repeat(8)}`);
}

async function bearers(s: Session, path = "/chat/completions"): Promise<string[]> {
  return (await s.requests())
    .filter((r) => r.path.endsWith(path))
    .map((r) => (r.headers.authorization ?? "").replace(/^Bearer /, ""));
}

async function createKey(s: Session, body: Record<string, unknown>): Promise<string> {
  const r = await req(s, "/v1/keys", { method: "POST", json: body });
  expect(r.status, r.text).toBe(201);
  return (JSON.parse(r.text) as { key: string }).key;
}

describe("key pools", () => {
  it("a provider whose every key is cooling down (Retry-After: 30) is not called again until a key is free", async () => {
    const [a, b] = poolKeys(2);
    const s = await newSession(
      { faults: [{ provider: "openai", mode: "status", status: 429, retry_after: "30" }] },
      { ADMIN_KEY: ADMIN, OPENAI_API_KEY: undefined, OPENAI_API_KEYS: `${a},${b}` },
    );
    const body = { ...chatBody, router: { fallback: true } };
    const first = await req(s, "/v1/chat/completions", { method: "POST", json: body });
    expect(first.status, first.text).toBe(200);
    expect((await bearers(s)).sort()).toEqual([a, b].sort());
    const second = await req(s, "/v1/chat/completions", { method: "POST", json: body });
    expect(second.status, second.text).toBe(200);
    // Both keys rest for 30 s: OpenAI saw no third call.
    expect(await bearers(s)).toHaveLength(2);
  });

  it("a key list entry with a malformed weight never goes upstream with the '*weight' glued to the key", async () => {
    const [a, b] = poolKeys(2);
    const s = await newSession(
      {},
      { ADMIN_KEY: ADMIN, OPENAI_API_KEY: undefined, OPENAI_API_KEYS: `${a}*abc,${b}*1e3` },
    );
    for (let i = 0; i < 4; i++) await req(s, "/v1/chat/completions", { method: "POST", json: chatBody });
    const sent = await bearers(s);
    expect(sent.length).toBeGreaterThan(0);
    for (const k of sent) expect(k).not.toContain("*");
  });
});

describe("the admin key passes wherever a workspace key does", () => {
  it("GET /v1/responses/{id} with the admin key finds a response a workspace key stored", async () => {
    const s = await deployed();
    const ws = uniqueWorkspace("admin-read");
    const key = await createKey(s, { workspace_id: ws, name: "writer" });
    const made = await req(s, "/v1/responses", {
      method: "POST",
      json: { model: "openai/gpt-4o-mini", input: "hi", router: { fallback: false } },
      key,
    });
    expect(made.status, made.text).toBe(200);
    const id = (JSON.parse(made.text) as { id: string }).id;
    expect((await req(s, `/v1/responses/${id}`, { key })).status).toBe(200);
    const admin = await req(s, `/v1/responses/${id}`);
    expect(admin.status, admin.text).toBe(200);
    const next = await req(s, "/v1/responses", {
      method: "POST",
      json: { model: "openai/gpt-4o-mini", input: "and then?", previous_response_id: id, router: { fallback: false } },
    });
    expect(next.status, next.text).toBe(200);
    // Another workspace's key still finds nothing there.
    const other = await createKey(s, { workspace_id: uniqueWorkspace("admin-read-other"), name: "other" });
    expect((await req(s, `/v1/responses/${id}`, { key: other })).status).toBe(404);
    expect((await req(s, `/v1/responses/${id}`, { method: "DELETE" })).status).toBe(200);
    expect((await req(s, `/v1/responses/${id}`, { key })).status).toBe(404);
  });
});
