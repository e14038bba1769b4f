// Workspace keys in the other dialects, on a deployed Worker: a key's own workspace owns what it stores (Responses),
// and Anthropic's SDK-style x-api-key presents a workspace key as Bearer does.
import { describe, expect, it } from "vitest";
import { newSession, type Session } from "../gateway.ts";
import { callFull } from "../ledger/ledger-helpers.ts";

const ADMIN = "dialects-admin-key";

async function send(s: Session, path: string, headers: Record<string, string>, json?: unknown, method = "POST") {
  const { res, done } = await callFull(s.env, path, { method: json === undefined ? method : "POST", json, headers });
  const text = await done();
  // biome-ignore lint/suspicious/noExplicitAny: the test reads answers field by field
  return { status: res.status, json: (text === "" ? {} : JSON.parse(text)) as Record<string, any> };
}

async function workspaceKey(s: Session, workspace_id: string): Promise<string> {
  const r = await send(s, "/v1/keys", { authorization: `Bearer ${ADMIN}` }, { workspace_id, name: workspace_id });
  expect(r.status).toBe(201);
  return r.json.key as string;
}

describe("workspace keys across dialects", () => {
  it("a stored response belongs to the key's workspace: the other workspace's key gets 404, even naming it", async () => {
    const s = await newSession({}, { SWITCHYARD_ENV: "production", ADMIN_KEY: ADMIN });
    const a = { authorization: `Bearer ${await workspaceKey(s, "ws-key-a")}` };
    const b = { authorization: `Bearer ${await workspaceKey(s, "ws-key-b")}`, "x-router-workspace": "ws-key-a" };
    const stored = await send(s, "/v1/responses", a, { model: "openai/gpt-4o-mini", input: "hi" });
    expect(stored.status).toBe(200);
    const id = stored.json.id as string;
    expect((await send(s, `/v1/responses/${id}`, a, undefined, "GET")).status).toBe(200);
    expect((await send(s, `/v1/responses/${id}`, b, undefined, "GET")).status).toBe(404);
    const continued = await send(s, "/v1/responses", b, {
      model: "openai/gpt-4o-mini",
      input: "x",
      previous_response_id: id,
    });
    expect(continued.status).toBe(404);
    expect((await send(s, `/v1/responses/${id}`, b, undefined, "DELETE")).status).toBe(404);
  });

  it("x-api-key presents a workspace key to /v1/messages; without one a deployed Worker answers Anthropic's 401", async () => {
    const s = await newSession({}, { SWITCHYARD_ENV: "production", ADMIN_KEY: ADMIN });
    const key = await workspaceKey(s, "ws-key-messages");
    const body = { model: "anthropic/claude-haiku-4-5", max_tokens: 50, messages: [{ role: "user", content: "hi" }] };
    expect((await send(s, "/v1/messages", { "x-api-key": key, "anthropic-version": "2023-06-01" }, body)).status).toBe(
      200,
    );
    const none = await send(s, "/v1/messages", { "anthropic-version": "2023-06-01" }, body);
    expect(none.status).toBe(401);
    expect(none.json).toMatchObject({ type: "error", error: { type: "authentication_error" } });
  });
});
