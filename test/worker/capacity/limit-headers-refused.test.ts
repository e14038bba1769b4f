// A limited caller's answers carry OpenAI's x-ratelimit-* headers even when the request is refused before it is
// counted (a body that fails validation, a model the registry lacks): they say where the windows stand, and the
// refused request takes nothing from them.
import { describe, expect, it } from "vitest";
import { newSession, type Session } from "../gateway.ts";
import { callFull, uniqueWorkspace } from "../ledger/ledger-helpers.ts";

const ADMIN = "admin-key-for-tests-0123456789";
const SIX = ["requests", "tokens"].flatMap((d) =>
  ["limit", "remaining", "reset"].map((what) => `x-ratelimit-${what}-${d}`),
);

async function req(s: Session, path: string, key: string, json?: unknown, method = "POST") {
  const headers = { authorization: `Bearer ${key}` };
  const { res, done } = await callFull(s.env, path, { method, json, headers });
  const text = await done();
  return { status: res.status, headers: res.headers, json: JSON.parse(text) as Record<string, any> };
}

async function limitedKey(s: Session, limits: Record<string, number>): Promise<string> {
  const r = await req(s, "/v1/keys", ADMIN, { workspace_id: uniqueWorkspace("refused-limits"), name: "l", ...limits });
  expect(r.status).toBe(201);
  return r.json.key as string;
}

const CHAT = { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }], max_tokens: 20 };

describe("x-ratelimit-* on answers refused before the limits count them", () => {
  it("chat: a 400 body and an unknown model carry all six, and take nothing from the windows", async () => {
    const s = await newSession({}, { SWITCHYARD_ENV: "production", ADMIN_KEY: ADMIN });
    const key = await limitedKey(s, { rpm_limit: 5, tpm_limit: 10_000 });
    const bad = await req(s, "/v1/chat/completions", key, { model: "openai/gpt-4o-mini", messages: "hi" });
    expect(bad.status).toBe(400);
    for (const h of SIX) expect(bad.headers.get(h), h).not.toBeNull();
    expect(bad.headers.get("x-ratelimit-limit-requests")).toBe("5");
    expect(bad.headers.get("x-ratelimit-remaining-requests")).toBe("5");
    expect(bad.headers.get("x-ratelimit-limit-tokens")).toBe("10000");
    expect(bad.headers.get("x-ratelimit-remaining-tokens")).toBe("10000");

    const unknown = await req(s, "/v1/chat/completions", key, { ...CHAT, model: "gpt-17-ultra" });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.message).toMatch(/not in the registry/);
    expect(unknown.headers.get("x-ratelimit-remaining-requests")).toBe("5");

    const ok = await req(s, "/v1/chat/completions", key, CHAT);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("x-ratelimit-remaining-requests")).toBe("4");
    // After a counted request, a refused one says where the windows now stand.
    const again = await req(s, "/v1/chat/completions", key, { ...CHAT, temperature: "hot" });
    expect(again.status).toBe(400);
    expect(again.headers.get("x-ratelimit-remaining-requests")).toBe("4");
  });

  it("Messages: the 400 is in Anthropic's shape and carries the headers too", async () => {
    const s = await newSession({}, { SWITCHYARD_ENV: "production", ADMIN_KEY: ADMIN });
    const key = await limitedKey(s, { rpm_limit: 3 });
    const bad = await req(s, "/v1/messages", key, { model: "anthropic/claude-haiku-4-5", messages: [] });
    expect(bad.status).toBe(400);
    expect(bad.json.type).toBe("error");
    expect(bad.json.error.type).toBe("invalid_request_error");
    expect(bad.headers.get("x-ratelimit-limit-requests")).toBe("3");
    expect(bad.headers.get("x-ratelimit-remaining-requests")).toBe("3");
  });

  it("a caller without limits gets none", async () => {
    const s = await newSession({}, { SWITCHYARD_ENV: "production", ADMIN_KEY: ADMIN });
    const r = await req(s, "/v1/keys", ADMIN, { workspace_id: uniqueWorkspace("refused-limits"), name: "free" });
    const bad = await req(s, "/v1/chat/completions", r.json.key as string, { model: "openai/gpt-4o-mini" });
    expect(bad.status).toBe(400);
    for (const h of SIX) expect(bad.headers.get(h), h).toBeNull();
  });
});
