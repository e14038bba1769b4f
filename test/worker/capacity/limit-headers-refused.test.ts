// A limited caller's answers carry OpenAI's x-ratelimit-* headers even when the request is refused before it is
// counted (a body that fails validation, a model the registry lacks): they say where the windows stand, and the
// refused request takes nothing from them.
import { describe, expect, it } from "vitest";
import { newSession, type Session } from "../gateway.ts";
import { callFull, uniqueWorkspace } from "../ledger/ledger-helpers.ts";
import { rpcFor } from "../rpc/rpc-helpers.ts";

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

  it("an admin naming a limited workspace gets its windows on a 400 too, over HTTP and RPC", async () => {
    const s = await newSession({}, { SWITCHYARD_ENV: "production", ADMIN_KEY: ADMIN });
    const workspace = uniqueWorkspace("refused-limits");
    expect((await req(s, `/v1/budgets/${workspace}`, ADMIN, { rpm_limit: 50 }, "PUT")).status).toBe(200);
    const named = { ...CHAT, router: { workspace_id: workspace, fallback: false } };
    const ok = await req(s, "/v1/chat/completions", ADMIN, named);
    expect(ok.headers.get("x-ratelimit-limit-requests")).toBe("50");
    const unknown = await req(s, "/v1/chat/completions", ADMIN, { ...named, model: "gpt-17-ultra" });
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get("x-ratelimit-limit-requests")).toBe("50");
    expect(unknown.headers.get("x-ratelimit-remaining-requests")).toBe("49");
    // The header names the workspace as the body does, even on a body refused before the controls are read.
    const byHeader = await callFull(s.env, "/v1/embeddings", {
      method: "POST",
      json: { model: "openai/text-embedding-3-small", input: "" },
      headers: { authorization: `Bearer ${ADMIN}`, "x-router-workspace": workspace },
    });
    await byHeader.done();
    expect(byHeader.res.status).toBe(400);
    expect(byHeader.res.headers.get("x-ratelimit-limit-requests")).toBe("50");

    const { rpc, done } = rpcFor(s.env);
    const refused = await rpc.generate({
      model: "gpt-17-ultra",
      messages: [{ role: "user", content: "hi" }],
      router: { workspace_id: workspace, fallback: false },
    });
    await done();
    expect(refused).toMatchObject({ ok: false, status: 400, rate_limit: { requests: { limit: 50, remaining: 49 } } });
  });
});

describe("x-budget-remaining-usd on answers refused before the budget holds anything", () => {
  it("a budgeted workspace's key gets its budget on a 400 body and an unknown model, in OpenAI's and Anthropic's shapes", async () => {
    const s = await newSession({}, { SWITCHYARD_ENV: "production", ADMIN_KEY: ADMIN });
    const workspace = uniqueWorkspace("refused-budget");
    const put = await req(s, `/v1/budgets/${workspace}`, ADMIN, { limit_usd: 10, period: "day" }, "PUT");
    expect(put.status).toBe(200);
    const made = await req(s, "/v1/keys", ADMIN, { workspace_id: workspace, name: "budgeted" });
    const key = made.json.key as string;
    const bad = await req(s, "/v1/chat/completions", key, { model: 5 });
    expect(bad.status).toBe(400);
    expect(Number(bad.headers.get("x-budget-remaining-usd"))).toBe(10);
    const unknown = await req(s, "/v1/messages", key, {
      model: "gpt-17-ultra",
      max_tokens: 5,
      messages: [{ role: "user", content: "hi" }],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.json.type).toBe("error");
    expect(Number(unknown.headers.get("x-budget-remaining-usd"))).toBe(10);
    // No limits: no rate-limit headers beside it.
    for (const h of SIX) expect(unknown.headers.get(h), h).toBeNull();
  });
});
