// A presented credential that is not a valid key is a 401 in every mode (finding 6: in development, anything but a
// wrong `Bearer` passed). `Authorization: Bearer <key>` and `x-api-key: <key>` both present a key; both are checked.
import { describe, expect, it } from "vitest";
import { newSession, type Session } from "../gateway.ts";
import { ADMIN, CHAT, expectError, LOCAL, send } from "./security-helpers.ts";

const WRONG_KEY = `sy-${"W".repeat(43)}`;

/** Every way of presenting something that is not a valid key. */
const WRONG: [string, Record<string, string>][] = [
  ["Basic", { authorization: `Basic ${btoa("user:pass")}` }],
  ["Token", { authorization: `Token ${WRONG_KEY}` }],
  ["an empty Bearer", { authorization: "Bearer" }],
  ["a Bearer of spaces", { authorization: "Bearer    " }],
  ["an empty Authorization", { authorization: "" }],
  ["a bare sy- key", { authorization: WRONG_KEY }],
  ["a wrong Bearer sy- key", { authorization: `Bearer ${WRONG_KEY}` }],
  ["a wrong Bearer", { authorization: "Bearer unused-in-development" }],
  ["x-api-key with a wrong sy- key", { "x-api-key": WRONG_KEY }],
  ["x-api-key with anything", { "x-api-key": "sk-ant-not-a-gateway-key" }],
  ["an empty x-api-key", { "x-api-key": "" }],
];

async function expect401(s: Session, base: string, headers: Record<string, string>, what: string) {
  const models = await send(s.env, "GET", `${base}/v1/models`, { headers });
  expect(models.status, `${what}: ${models.text.slice(0, 300)}`).toBe(401);
  expectError(models, 401, "invalid_api_key");
  const chat = await send(s.env, "POST", `${base}/v1/chat/completions`, { headers, json: CHAT });
  expect(chat.status, `${what}: ${chat.text.slice(0, 300)}`).toBe(401);
}

async function createKey(s: Session, workspaceId: string): Promise<string> {
  const r = await send(s.env, "POST", `${LOCAL}/v1/keys`, {
    headers: { authorization: `Bearer ${ADMIN}` },
    json: { workspace_id: workspaceId, name: "dialects" },
  });
  expect(r.status, r.text.slice(0, 300)).toBe(201);
  return r.json.key as string;
}

describe("a presented credential that is not a valid key", () => {
  it("is a 401 in development, whatever its form", async () => {
    const s = await newSession();
    for (const [what, headers] of WRONG) await expect401(s, LOCAL, headers, what);
    expect(await s.requests()).toHaveLength(0);
    // Nothing presented: development mode's keyless use still works.
    expect((await send(s.env, "GET", `${LOCAL}/v1/models`)).status).toBe(200);
  });

  it("is a 401 in a deployed Worker, whatever its form", async () => {
    const s = await newSession({}, { SWITCHYARD_ENV: "production", ADMIN_KEY: ADMIN });
    for (const [what, headers] of WRONG) await expect401(s, "https://switchyard.example", headers, what);
    // The admin key in another scheme is not a way in either.
    await expect401(
      s,
      "https://switchyard.example",
      { authorization: `Basic ${btoa(`admin:${ADMIN}`)}` },
      "Basic admin",
    );
    await expect401(s, "https://switchyard.example", { authorization: ADMIN }, "bare admin");
    expect(await s.requests()).toHaveLength(0);
  });
});

describe("x-api-key presents a key as Authorization: Bearer does", () => {
  it("a valid gateway key or the admin key in x-api-key passes; both headers must agree", async () => {
    const s = await newSession({}, { SWITCHYARD_ENV: "production", ADMIN_KEY: ADMIN });
    const base = "https://switchyard.example";
    const ws = `xkey-${crypto.randomUUID()}`;
    const key = await createKey(s, ws);

    const byHeader = await send(s.env, "GET", `${base}/v1/usage`, { headers: { "x-api-key": key } });
    expect(byHeader.status, byHeader.text.slice(0, 300)).toBe(200);
    // The key's own workspace, as with Bearer.
    expect(byHeader.json.workspace_id).toBe(ws);
    expect((await send(s.env, "GET", `${base}/v1/keys`, { headers: { "x-api-key": ADMIN } })).status).toBe(200);

    const both = await send(s.env, "GET", `${base}/v1/usage`, {
      headers: { "x-api-key": key, authorization: `Bearer ${key}` },
    });
    expect(both.status, both.text.slice(0, 300)).toBe(200);
    // A valid key beside a wrong one, in either header, is refused: every presented credential is checked.
    await expect401(
      s,
      base,
      { authorization: `Bearer ${key}`, "x-api-key": WRONG_KEY },
      "valid Bearer, wrong x-api-key",
    );
    await expect401(
      s,
      base,
      { authorization: `Basic ${btoa("a:b")}`, "x-api-key": key },
      "wrong Authorization, valid x-api-key",
    );
    await expect401(s, base, { authorization: `Bearer ${ADMIN}`, "x-api-key": key }, "two different valid keys");
    expect(await s.requests()).toHaveLength(0);
  });

  it("in development, a valid key is used as such (its workspace), and a wrong one is still a 401", async () => {
    const s = await newSession({}, { ADMIN_KEY: ADMIN });
    const ws = `xkey-dev-${crypto.randomUUID()}`;
    const key = await createKey(s, ws);
    const r = await send(s.env, "GET", `${LOCAL}/v1/usage`, { headers: { "x-api-key": key } });
    expect(r.status, r.text.slice(0, 300)).toBe(200);
    expect(r.json.workspace_id).toBe(ws);
    await expect401(s, LOCAL, { "x-api-key": `${ADMIN}x` }, "admin key with a typo");
  });
});
