// The contract held: HTTP surface as a plain-fetch / openai-client user meets it (404s, methods, auth, CORS, bodies).
import { describe, expect, it } from "vitest";
import { newSession, type Session } from "../gateway.ts";
import { ADMIN, CHAT, expectError, LOCAL, send } from "../security/security-helpers.ts";

const prod = () => newSession({}, { SWITCHYARD_ENV: "production", ADMIN_KEY: ADMIN });
const auth = (key = ADMIN) => ({ authorization: `Bearer ${key}` });

async function newKey(s: Session, body: Record<string, unknown> = {}) {
  const r = await send(s.env, "POST", `${LOCAL}/v1/keys`, {
    headers: auth(),
    json: { workspace_id: `ws-${Math.random().toString(36).slice(2)}`, name: "contract", ...body },
  });
  expect(r.status, r.text).toBe(201);
  return r.json as { id: string; key: string; workspace_id: string; prefix: string };
}

describe("unknown paths and methods", () => {
  it("unknown /v1 path: 404 in OpenAI shape (dev)", async () => {
    const s = await newSession();
    const r = await send(s.env, "GET", `${LOCAL}/v1/nope`);
    expectError(r, 404, "not_found");
  });
  it("unknown non-/v1 path: 404 in OpenAI shape", async () => {
    const s = await newSession();
    expectError(await send(s.env, "GET", `${LOCAL}/nope`), 404, "not_found");
  });
  it("GET /v1/chat/completions (wrong method) answers an OpenAI-shaped 4xx", async () => {
    const s = await newSession();
    const r = await send(s.env, "GET", `${LOCAL}/v1/chat/completions`);
    expect([404, 405]).toContain(r.status);
    expect(Object.keys(r.json.error).sort()).toEqual(["code", "message", "param", "type"]);
  });
  it("GET /healthz is live in production without a key", async () => {
    const s = await prod();
    const r = await send(s.env, "GET", `${LOCAL}/healthz`);
    expect(r.status).toBe(200);
  });
});

describe("auth", () => {
  it("production: no key is a 401 missing_api_key, wrong key 401 invalid_api_key", async () => {
    const s = await prod();
    expectError(await send(s.env, "GET", `${LOCAL}/v1/models`), 401, "missing_api_key");
    const wrong = await send(s.env, "GET", `${LOCAL}/v1/models`, { headers: auth("sk-wrong") });
    expectError(wrong, 401, "invalid_api_key");
    expect(wrong.json.error.type).toBe("authentication_error");
  });
  it("a wrong key is a 401 whatever the body: not a 415 for text/plain or no content type", async () => {
    const s = await prod();
    const body = JSON.stringify({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });
    for (const headers of [{ ...auth("sy-wrong"), "content-type": "text/plain" }, auth("sy-wrong")]) {
      const r = await send(s.env, "POST", `${LOCAL}/v1/chat/completions`, { headers, body });
      expectError(r, 401, "invalid_api_key");
    }
    // With a good key the body's type is checked as before.
    const plain = await send(s.env, "POST", `${LOCAL}/v1/chat/completions`, {
      headers: { ...auth(), "content-type": "text/plain" },
      body,
    });
    expectError(plain, 415, "unsupported_media_type");
  });
  it("development: wrong key still 401", async () => {
    const s = await newSession();
    expectError(await send(s.env, "GET", `${LOCAL}/v1/models`, { headers: auth("sk-wrong") }), 401, "invalid_api_key");
  });
  it("a revoked key is a 401 at once", async () => {
    const s = await prod();
    const k = await newKey(s);
    expect((await send(s.env, "GET", `${LOCAL}/v1/models`, { headers: auth(k.key) })).status).toBe(200);
    const del = await send(s.env, "DELETE", `${LOCAL}/v1/keys/${k.id}`, { headers: auth() });
    expect(del.status, del.text).toBe(200);
    expectError(await send(s.env, "GET", `${LOCAL}/v1/models`, { headers: auth(k.key) }), 401, "invalid_api_key");
  });
  it("workspace key on admin endpoints: 403; POST /v1/keys returns 201 {id,key,workspace_id}", async () => {
    const s = await prod();
    const k = await newKey(s);
    expect(k.key).toBeTruthy();
    expectError(await send(s.env, "GET", `${LOCAL}/v1/keys`, { headers: auth(k.key) }), 403, "admin_only");
    expectError(await send(s.env, "GET", `${LOCAL}/metrics`, { headers: auth(k.key) }), 403, "admin_only");
    const list = await send(s.env, "GET", `${LOCAL}/v1/keys`, { headers: auth() });
    expect(list.text).not.toContain(k.key);
  });
  it("DELETE unknown key: 404", async () => {
    const s = await prod();
    expectError(await send(s.env, "DELETE", `${LOCAL}/v1/keys/key_nope`, { headers: auth() }), 404, "key_not_found");
    // An id longer than any key's is not found either, not a 400.
    expectError(
      await send(s.env, "DELETE", `${LOCAL}/v1/keys/${"k".repeat(65)}`, { headers: auth() }),
      404,
      "key_not_found",
    );
  });
  it("admin key passes where a workspace key does (chat)", async () => {
    const s = await prod();
    const r = await send(s.env, "POST", `${LOCAL}/v1/chat/completions`, { headers: auth(), json: CHAT });
    expect(r.status, r.text).toBe(200);
  });
  it("unknown /v1 path in production without a key", async () => {
    const s = await prod();
    const r = await send(s.env, "GET", `${LOCAL}/v1/nope`);
    expect([401, 404]).toContain(r.status);
  });
});

describe("CORS", () => {
  it("production preflight: 204 with allow-origin/methods/headers, no key needed", async () => {
    const s = await prod();
    const r = await send(s.env, "OPTIONS", `${LOCAL}/v1/chat/completions`, {
      headers: {
        origin: "https://app.example.com",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    expect(r.status).toBe(204);
    expect(r.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(r.headers.get("access-control-allow-methods")).toContain("POST");
  });
  it("a 401 to a cross-origin browser carries CORS headers so the page can read it", async () => {
    const s = await prod();
    const r = await send(s.env, "GET", `${LOCAL}/v1/models`, {
      headers: { origin: "https://app.example.com", authorization: "Bearer sk-wrong" },
    });
    expect(r.status).toBe(401);
    expect(r.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
  });
  it("a key with allowed_origins gets CORS headers on its answers and a 403 from another origin", async () => {
    const s = await prod();
    const k = await newKey(s, { allowed_origins: ["https://app.example.com"] });
    const ok = await send(s.env, "GET", `${LOCAL}/v1/models`, {
      headers: { origin: "https://app.example.com", ...auth(k.key) },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    const bad = await send(s.env, "GET", `${LOCAL}/v1/models`, {
      headers: { origin: "https://evil.example.com", ...auth(k.key) },
    });
    expectError(bad, 403, "origin_not_allowed");
  });
});

describe("bodies", () => {
  it("malformed JSON: 400 invalid_json", async () => {
    const s = await newSession();
    const r = await send(s.env, "POST", `${LOCAL}/v1/chat/completions`, {
      headers: { "content-type": "application/json" },
      body: "{nope",
    });
    expectError(r, 400, "invalid_json");
  });
  it("text/plain: 415", async () => {
    const s = await newSession();
    const r = await send(s.env, "POST", `${LOCAL}/v1/chat/completions`, {
      headers: { "content-type": "text/plain" },
      body: JSON.stringify(CHAT),
    });
    expectError(r, 415, "unsupported_media_type");
  });
  it("application/json; charset=utf-8 is accepted", async () => {
    const s = await newSession();
    const r = await send(s.env, "POST", `${LOCAL}/v1/chat/completions`, {
      headers: { "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify(CHAT),
    });
    expect(r.status, r.text).toBe(200);
  });
  it("over 8 MiB: 413", async () => {
    const s = await newSession();
    const big = { ...CHAT, messages: [{ role: "user", content: "x".repeat(8 * 1024 * 1024 + 10) }] };
    expectError(await send(s.env, "POST", `${LOCAL}/v1/chat/completions`, { json: big }), 413, "request_too_large");
  });
  it("POST /v1/keys with malformed JSON: 400", async () => {
    const s = await prod();
    const r = await send(s.env, "POST", `${LOCAL}/v1/keys`, {
      headers: { ...auth(), "content-type": "application/json" },
      body: "{",
    });
    expectError(r, 400, "invalid_json");
  });
});
