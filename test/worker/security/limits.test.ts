// Limits on what a caller can make the gateway carry or do (findings 7, 8, 9): a model name's length, JSON nesting,
// and directory look-ups for keys nobody has.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SERVICES } from "../../../src/gateway/services.ts";
import { authenticate } from "../../../src/http/auth.ts";
import { GovernanceCache } from "../../../src/keys/governance-cache.ts";
import { hashKey } from "../../../src/keys/key-record.ts";
import { newSession } from "../gateway.ts";
import { ADMIN, CHAT, expectError, LOCAL, send } from "./security-helpers.ts";

async function requestRows(requestId: string | null): Promise<number> {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM requests WHERE id = ?")
    .bind(requestId ?? "")
    .first<{ n: number }>();
  return row?.n ?? -1;
}

describe("model names are at most 256 characters", () => {
  it("a 5,000,000-character model is a 400 naming model: no 500, nothing upstream, nothing in D1", async () => {
    const s = await newSession();
    const huge = `openai/${"m".repeat(5_000_000)}`;
    const r = await send(s.env, "POST", `${LOCAL}/v1/chat/completions`, { json: { ...CHAT, model: huge } });
    expectError(r, 400, "invalid_value");
    expect(r.json.error.param).toBe("model");
    expect(r.json.error.message).toMatch(/256/);
    expect(r.text.length).toBeLessThan(1000);
    expect(await s.requests()).toHaveLength(0);
    expect(await requestRows(r.headers.get("x-request-id"))).toBe(0);
    for (const table of ["requests", "attempts"]) {
      const long = await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE length(model) > 256`).first<{
        n: number;
      }>();
      expect(long?.n, table).toBe(0);
    }
  });

  it("each models entry too, naming its index; 256 characters are still a name", async () => {
    const s = await newSession();
    const over = `openai/${"m".repeat(250)}`;
    const r = await send(s.env, "POST", `${LOCAL}/v1/chat/completions`, {
      json: { ...CHAT, models: ["openai/gpt-4o-mini", over] },
    });
    expectError(r, 400, "invalid_value");
    expect(r.json.error.param).toBe("models.1");
    expect(await s.requests()).toHaveLength(0);
    const exactly = `openai/${"m".repeat(249)}`;
    expect(exactly).toHaveLength(256);
    const plan = await send(s.env, "POST", `${LOCAL}/v1/route`, { json: { ...CHAT, model: exactly } });
    expect(plan.status, plan.text.slice(0, 300)).toBe(200);
    const dry = await send(s.env, "POST", `${LOCAL}/v1/route`, { json: { ...CHAT, model: `${exactly}m` } });
    expect(dry.json.error.param).toBe("model");
  });

  it("every dialect holds the same bound: responses, messages and embeddings refuse a long model before any work", async () => {
    const s = await newSession();
    const huge = `openai/${"m".repeat(300_000)}`;
    const bodies: [string, Record<string, unknown>][] = [
      ["/v1/responses", { model: huge, input: "hi" }],
      ["/v1/messages", { model: huge, max_tokens: 16, messages: [{ role: "user", content: "hi" }] }],
      ["/v1/messages/count_tokens", { model: huge, messages: [{ role: "user", content: "hi" }] }],
      ["/v1/embeddings", { model: huge, input: "hi" }],
      ["/v1/embeddings", { model: "openai/text-embedding-3-small", models: [huge], input: "hi" }],
    ];
    for (const [path, body] of bodies) {
      const r = await send(s.env, "POST", `${LOCAL}${path}`, { json: body });
      expect(r.status, `${path}: ${r.text.slice(0, 300)}`).toBe(400);
      expect(r.text, path).toMatch(/256/);
      expect(r.text.length, path).toBeLessThan(1000);
    }
    expect(await s.requests()).toHaveLength(0);
  });
});

describe("model names hold no control characters, and a header never carries a raw byte", () => {
  it("a NUL, a \\u0001 or a DEL in model or models is a 400 in every dialect, before any work", async () => {
    const s = await newSession();
    for (const bad of ["openai/gpt-4o-mini\u0000", "openai/\u0001x", "gpt-4o-mini\u007f", "a\r\nx-evil: 1"]) {
      const bodies: [string, Record<string, unknown>, string][] = [
        ["/v1/chat/completions", { ...CHAT, model: bad }, "model"],
        ["/v1/chat/completions", { ...CHAT, models: ["openai/gpt-4o-mini", bad] }, "models.1"],
        ["/v1/responses", { model: bad, input: "hi" }, "model"],
        ["/v1/messages", { model: bad, max_tokens: 16, messages: [{ role: "user", content: "hi" }] }, "model"],
        ["/v1/embeddings", { model: bad, input: "hi" }, "model"],
      ];
      for (const [path, body, param] of bodies) {
        const r = await send(s.env, "POST", `${LOCAL}${path}`, { json: body });
        expect(r.status, `${path} ${JSON.stringify(bad)}: ${r.text.slice(0, 300)}`).toBe(400);
        expect(r.text, path).toMatch(/control characters/);
        expect(r.text, path).toContain(param);
      }
    }
    expect(await s.requests()).toHaveLength(0);
  });

  it("a non-ASCII model name sent to a named provider comes back percent-encoded in x-router-model", async () => {
    const s = await newSession();
    const name = "openai/gpt-4o-mini-é";
    const r = await send(s.env, "POST", `${LOCAL}/v1/chat/completions`, { json: { ...CHAT, model: name } });
    expect(r.status, r.text.slice(0, 300)).toBe(200);
    const header = r.headers.get("x-router-model") ?? "";
    expect(header).toMatch(/^[\x20-\x7e]+$/);
    expect(decodeURIComponent(header)).toBe(r.json.x_router.model);
  });
});

describe("routing controls are bounded like names", () => {
  it("a 3 MB chain or task_type, in the body or a header, is a short 400 that does not echo it back", async () => {
    const s = await newSession();
    const huge = "c".repeat(3_000_000);
    const tries: { json: Record<string, unknown>; headers?: Record<string, string>; param: string }[] = [
      { json: { ...CHAT, router: { chain: huge } }, param: "router.chain" },
      { json: { ...CHAT, router: { task_type: huge } }, param: "router.task_type" },
      { json: CHAT, headers: { "x-router-chain": huge.slice(0, 6000) }, param: "x-router-chain" },
      { json: CHAT, headers: { "x-router-task-type": huge.slice(0, 6000) }, param: "x-router-task-type" },
    ];
    for (const t of tries) {
      const r = await send(s.env, "POST", `${LOCAL}/v1/chat/completions`, { json: t.json, headers: t.headers });
      expect(r.status, `${t.param}: ${r.text.slice(0, 300)}`).toBe(400);
      expect(r.json.error.param).toBe(t.param);
      expect(r.text.length, t.param).toBeLessThan(1000);
    }
    expect(await s.requests()).toHaveLength(0);
  });
});

describe("JSON nesting deeper than 64 levels", () => {
  const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

  it("a 7.8 MB body of nested arrays is refused with a 400 before it is parsed", async () => {
    const s = await newSession();
    const depth = 3_900_000;
    const r = await send(s.env, "POST", `${LOCAL}/v1/chat/completions`, {
      body: nested(depth),
      headers: { "content-type": "application/json" },
    });
    expectError(r, 400, "invalid_json");
    expect(r.json.error.message).toMatch(/nest.*64/);
    expect(await s.requests()).toHaveLength(0);
  }, 60_000);

  it("65 levels inside a chat body are refused, 64 are not; brackets inside strings do not count", async () => {
    const s = await newSession();
    // The body object is level 1, so metadata's value starts at level 2.
    const body = (levels: number) =>
      `{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"router":{"fallback":false},"metadata":${nested(levels - 1)}}`;
    const deep = await send(s.env, "POST", `${LOCAL}/v1/route`, {
      body: body(65),
      headers: { "content-type": "application/json" },
    });
    expectError(deep, 400, "invalid_json");
    expect(deep.json.error.message).toMatch(/64/);
    const ok = await send(s.env, "POST", `${LOCAL}/v1/route`, {
      body: body(64),
      headers: { "content-type": "application/json" },
    });
    expect(ok.status, ok.text.slice(0, 300)).toBe(200);
    // 500 brackets and escaped quotes inside a string are text, not nesting.
    const text = `${"[{".repeat(250)}\\"[[[\\\\`;
    const inString = await send(s.env, "POST", `${LOCAL}/v1/route`, {
      body: `{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"${text}"}]}`,
      headers: { "content-type": "application/json" },
    });
    expect(inString.status, inString.text.slice(0, 300)).toBe(200);
  });

  it("the keys and budgets endpoints refuse deep bodies too", async () => {
    const s = await newSession();
    const json = { "content-type": "application/json" };
    const keys = await send(s.env, "POST", `${LOCAL}/v1/keys`, {
      body: `{"workspace_id":"w","name":${nested(100)}}`,
      headers: json,
    });
    expectError(keys, 400, "invalid_json");
    const budget = await send(s.env, "PUT", `${LOCAL}/v1/budgets/deep`, {
      body: `{"limit_usd":${nested(100)}}`,
      headers: json,
    });
    expectError(budget, 400, "invalid_json");
  });
});

describe("unknown keys", () => {
  it("a repeated unknown key asks the key directory once (negatively cached per isolate)", async () => {
    const s = await newSession({}, { SWITCHYARD_ENV: "production", ADMIN_KEY: ADMIN });
    const unknown = `sy-${crypto.randomUUID().replaceAll("-", "")}unknown`;
    const before = SERVICES.governance.directoryLookups;
    for (let i = 0; i < 5; i++) {
      const r = await send(s.env, "GET", "https://switchyard.example/v1/models", {
        headers: { authorization: `Bearer ${unknown}` },
      });
      expectError(r, 401, "invalid_api_key");
    }
    expect(SERVICES.governance.directoryLookups - before).toBe(1);
  });

  it("past the per-second cap an unknown key is refused without a look-up; known keys keep working", async () => {
    let now = 1_000_000;
    const cache = new GovernanceCache(() => now, { lookupsPerSecond: 5 });
    const ctx = createExecutionContext();
    await cache.ready(env, ctx);
    // A live key, in the directory's snapshot: created through the gateway.
    const s = await newSession({}, { SWITCHYARD_ENV: "production", ADMIN_KEY: ADMIN });
    const created = await send(s.env, "POST", "https://switchyard.example/v1/keys", {
      headers: { authorization: `Bearer ${ADMIN}` },
      json: { workspace_id: `cap-${crypto.randomUUID()}`, name: "live" },
    });
    expect(created.status, created.text.slice(0, 300)).toBe(201);
    const liveHash = await hashKey(created.json.key as string);

    const unknown = await Promise.all(
      Array.from({ length: 12 }, (_, i) => hashKey(`sy-flood-${i}-${crypto.randomUUID()}`)),
    );
    const verdicts: string[] = [];
    for (const hash of unknown.slice(0, 5)) verdicts.push(String(await cache.keyByHash(env, hash)));
    expect(verdicts).toEqual(["null", "null", "null", "null", "null"]);
    expect(cache.directoryLookups).toBe(5);
    // Over the cap within the same second: refused without asking.
    await expect(cache.keyByHash(env, unknown[5] as string)).rejects.toThrow(/too many/i);
    expect(cache.directoryLookups).toBe(5);
    // The live key was not in this cache's snapshot (made after it): the directory is asked only when under the cap,
    // so it waits for the next second, or for the next snapshot. A key the cache knows is never throttled.
    await expect(cache.keyByHash(env, liveHash)).rejects.toThrow(/too many/i);
    now += 1_000;
    expect((await cache.keyByHash(env, liveHash))?.hash).toBe(liveHash);
    for (let i = 0; i < 20; i++) expect((await cache.keyByHash(env, liveHash))?.hash).toBe(liveHash);
    expect(cache.directoryLookups).toBe(6);
    // A second later the budget is back.
    expect(await cache.keyByHash(env, unknown[6] as string)).toBeNull();
    expect(cache.directoryLookups).toBe(7);
    await waitOnExecutionContext(ctx);
  });

  it("over the cap the gateway answers 503 with Retry-After (the key may be valid), never a 500", async () => {
    // Spending SERVICES' default cap inside one wall-clock second is timing-bound, so the answer is checked through
    // authenticate() on a cache with a cap of one and a clock that does not move.
    const cache = new GovernanceCache(() => 5_000, { lookupsPerSecond: 1 });
    const production = { ...env, SWITCHYARD_ENV: "production", ADMIN_KEY: ADMIN };
    const bearer = (key: string) =>
      new Request("https://switchyard.example/v1/models", { headers: { authorization: `Bearer ${key}` } });
    await expect(
      authenticate(bearer(`sy-first-unknown-${crypto.randomUUID()}`), production, cache),
    ).rejects.toMatchObject({ status: 401 });
    await expect(
      authenticate(bearer(`sy-second-unknown-${crypto.randomUUID()}`), production, cache),
    ).rejects.toMatchObject({
      status: 503,
      code: "key_lookups_throttled",
      headers: { "retry-after": "1" },
    });
    // The admin key needs no look-up.
    await expect(authenticate(bearer(ADMIN), production, cache)).resolves.toMatchObject({ kind: "admin" });
  });
});
