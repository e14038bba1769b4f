// Development mode answers this machine only: loopback Hosts, loopback or same-origin Origins (finding 3 of the
// security review: any web page could create keys and spend .dev.vars' provider keys through a developer's browser).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newSession } from "../gateway.ts";
import { ADMIN, CHAT, expectError, LOCAL, send } from "./security-helpers.ts";

const EVIL = "https://evil.example";

async function keysOf(workspaceId: string): Promise<number> {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM keys WHERE workspace_id = ?")
    .bind(workspaceId)
    .first<{ n: number }>();
  return row?.n ?? -1;
}

describe("development mode: a web page's Origin is refused", () => {
  it("POST /v1/keys from another site: 403, no key made, no CORS header", async () => {
    const s = await newSession();
    const ws = `evil-${crypto.randomUUID()}`;
    const r = await send(s.env, "POST", `${LOCAL}/v1/keys`, {
      headers: { origin: EVIL },
      json: { workspace_id: ws, name: "stolen" },
    });
    expectError(r, 403, "origin_not_allowed");
    expect(r.text).not.toContain('"key"');
    expect(r.headers.get("access-control-allow-origin")).toBeNull();
    expect(await keysOf(ws)).toBe(0);
  });

  it("chat from another site: 403 and nothing sent upstream", async () => {
    const s = await newSession();
    const r = await send(s.env, "POST", `${LOCAL}/v1/chat/completions`, { headers: { origin: EVIL }, json: CHAT });
    expectError(r, 403, "origin_not_allowed");
    expect(r.headers.get("access-control-allow-origin")).toBeNull();
    expect(await s.requests()).toHaveLength(0);
  });

  it("a preflight from another site is not answered with its origin", async () => {
    const s = await newSession();
    const r = await send(s.env, "OPTIONS", `${LOCAL}/v1/chat/completions`, {
      headers: {
        origin: EVIL,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    expect(r.status).toBe(403);
    expect(r.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("Origin: null (a sandboxed frame or a file) and a GET from another site are refused too", async () => {
    const s = await newSession();
    expectError(
      await send(s.env, "GET", `${LOCAL}/v1/usage`, { headers: { origin: "null" } }),
      403,
      "origin_not_allowed",
    );
    expectError(await send(s.env, "GET", `${LOCAL}/v1/keys`, { headers: { origin: EVIL } }), 403, "origin_not_allowed");
    // A look-alike host that only starts with a loopback name is another site.
    expectError(
      await send(s.env, "GET", `${LOCAL}/v1/models`, { headers: { origin: "http://localhost.evil.example" } }),
      403,
      "origin_not_allowed",
    );
  });

  it("loopback origins (a local dev server, the dashboard itself) keep working, with CORS headers when cross-origin", async () => {
    const s = await newSession();
    for (const origin of ["http://localhost:5173", "http://127.0.0.1:3000", "http://[::1]:8080", "https://127.4.5.6"]) {
      const r = await send(s.env, "POST", `${LOCAL}/v1/chat/completions`, { headers: { origin }, json: CHAT });
      expect(r.status, `${origin}: ${r.text.slice(0, 300)}`).toBe(200);
      expect(r.headers.get("access-control-allow-origin")).toBe(origin);
      const pre = await send(s.env, "OPTIONS", `${LOCAL}/v1/chat/completions`, {
        headers: { origin, "access-control-request-method": "POST" },
      });
      expect(pre.status).toBe(204);
      expect(pre.headers.get("access-control-allow-origin")).toBe(origin);
    }
    // The dashboard is served by the gateway: its requests are same-origin and need no CORS headers.
    const same = await send(s.env, "POST", `${LOCAL}/v1/route`, { headers: { origin: LOCAL }, json: CHAT });
    expect(same.status, same.text.slice(0, 300)).toBe(200);
    expect(same.headers.get("access-control-allow-origin")).toBeNull();
    // No Origin at all (curl, an SDK, npm run demo's traffic): served.
    expect((await send(s.env, "GET", `${LOCAL}/v1/models`)).status).toBe(200);
  });
});

describe("development mode: only loopback Hosts", () => {
  it("refuses a Host that is not this machine (DNS rebinding: evil.example resolving to 127.0.0.1)", async () => {
    const s = await newSession();
    for (const url of [
      "http://evil.example:8787/v1/models",
      "http://192.168.1.20:8787/v1/models",
      "http://10.0.0.1/v1/models",
      "http://localhost.evil.example:8787/v1/models",
    ]) {
      const r = await send(s.env, "GET", url);
      expectError(r, 403, "host_not_allowed");
    }
    const chat = await send(s.env, "POST", "http://evil.example:8787/v1/chat/completions", { json: CHAT });
    expectError(chat, 403, "host_not_allowed");
    const key = await send(s.env, "POST", "http://evil.example:8787/v1/keys", {
      json: { workspace_id: "w", name: "n" },
    });
    expectError(key, 403, "host_not_allowed");
    expect(await s.requests()).toHaveLength(0);
  });

  it("a Host header that differs from the URL is judged too", async () => {
    const s = await newSession();
    const r = await send(s.env, "GET", `${LOCAL}/v1/models`, { headers: { host: "evil.example:8787" } });
    expectError(r, 403, "host_not_allowed");
  });

  it("accepts every loopback spelling, with any port", async () => {
    const s = await newSession();
    for (const base of [
      "http://127.0.0.1:8787",
      "http://127.9.8.7",
      "http://localhost:1234",
      "http://[::1]:8787",
      "http://LOCALHOST",
    ]) {
      const r = await send(s.env, "GET", `${base}/v1/models`);
      expect(r.status, `${base}: ${r.text.slice(0, 300)}`).toBe(200);
    }
    expect((await send(s.env, "GET", "http://localhost:8787/healthz")).status).toBe(200);
    expect((await send(s.env, "GET", "http://localhost:8787/")).status).toBe(200);
  });

  it("a deployed Worker is not limited to loopback: its Host is its own domain", async () => {
    const s = await newSession({}, { SWITCHYARD_ENV: "production", ADMIN_KEY: ADMIN });
    const r = await send(s.env, "GET", "https://switchyard.example.workers.dev/v1/models", {
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(r.status, r.text.slice(0, 300)).toBe(200);
  });
});

describe("JSON endpoints take JSON only (every mode)", () => {
  it("a text/plain chat (a request a page can send without a preflight) is a 415 and is not answered", async () => {
    const s = await newSession();
    const r = await send(s.env, "POST", `${LOCAL}/v1/chat/completions`, {
      headers: { "content-type": "text/plain" },
      body: JSON.stringify(CHAT),
    });
    expectError(r, 415, "unsupported_media_type");
    expect(await s.requests()).toHaveLength(0);
  });

  it("415 for forms, for a body without a content type, and on every JSON endpoint; deployed too", async () => {
    const s = await newSession();
    const body = JSON.stringify(CHAT);
    for (const type of [
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "text/json",
      "application/jsonx",
    ]) {
      const r = await send(s.env, "POST", `${LOCAL}/v1/chat/completions`, { headers: { "content-type": type }, body });
      expectError(r, 415, "unsupported_media_type");
    }
    const noType = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(body));
        controller.close();
      },
    });
    expectError(
      await send(s.env, "POST", `${LOCAL}/v1/chat/completions`, { body: noType }),
      415,
      "unsupported_media_type",
    );
    const ws = `plain-${crypto.randomUUID()}`;
    const plain = { "content-type": "text/plain" };
    expectError(
      await send(s.env, "POST", `${LOCAL}/v1/keys`, {
        headers: plain,
        body: JSON.stringify({ workspace_id: ws, name: "x" }),
      }),
      415,
      "unsupported_media_type",
    );
    expect(await keysOf(ws)).toBe(0);
    expectError(
      await send(s.env, "PUT", `${LOCAL}/v1/budgets/${ws}`, {
        headers: plain,
        body: JSON.stringify({ limit_usd: 1, period: "day", on_limit: "reject" }),
      }),
      415,
      "unsupported_media_type",
    );
    expectError(
      await send(s.env, "POST", `${LOCAL}/v1/route`, { headers: plain, body }),
      415,
      "unsupported_media_type",
    );

    const deployed = await newSession({}, { SWITCHYARD_ENV: "production", ADMIN_KEY: ADMIN });
    const r = await send(deployed.env, "POST", "https://switchyard.example/v1/chat/completions", {
      headers: { ...plain, authorization: `Bearer ${ADMIN}` },
      body,
    });
    expectError(r, 415, "unsupported_media_type");
    expect(await deployed.requests()).toHaveLength(0);
    expect(await s.requests()).toHaveLength(0);
  });

  it("application/json with a charset, in any case, is JSON", async () => {
    const s = await newSession();
    for (const type of ["application/json; charset=utf-8", "Application/JSON;charset=UTF-8", "application/json"]) {
      const r = await send(s.env, "POST", `${LOCAL}/v1/route`, {
        headers: { "content-type": type },
        body: JSON.stringify(CHAT),
      });
      expect(r.status, `${type}: ${r.text.slice(0, 300)}`).toBe(200);
    }
  });
});
