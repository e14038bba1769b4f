// The dashboard's page and data endpoints inside workerd: public page with a strict CSP, /v1/gateway (no secrets,
// emulators named), the emulator label on answers, /v1/requests and /v1/stats/timeseries from the D1 ledger, scoped.
import { describe, expect, it } from "vitest";
import { envValue } from "../../../src/providers/spec.ts";
import { SPEC_LIST } from "../../../src/providers/specs.ts";
import { newSession, PROVIDERS, type Session } from "../gateway.ts";
import { callFull, chatDone, uniqueWorkspace } from "../ledger/ledger-helpers.ts";

const ADMIN = "dashboard-admin-key-0123456789";

/** The admin key and every value of a variable some provider declares secret, as this session has them. */
function secretsOf(s: Session): string[] {
  const declared = SPEC_LIST.flatMap((spec) => spec.secrets.map((name) => envValue(s.env, name)));
  return [ADMIN, ...declared.filter((value): value is string => value !== undefined && value !== "")];
}

async function get(s: Session, path: string, key: string | null = null, headers: Record<string, string> = {}) {
  const { res, done } = await callFull(s.env, path, {
    headers: key === null ? headers : { ...headers, authorization: `Bearer ${key}` },
  });
  const text = await done();
  for (const secret of secretsOf(s)) expect(text).not.toContain(secret);
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, any> };
}

const deployed = () => newSession({}, { SWITCHYARD_ENV: "production", ADMIN_KEY: ADMIN });

/** The first 16 hex digits of the body's sha256: what the build names a dashboard file by. */
async function contentHash(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return [...digest.slice(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

describe("GET / and its files", () => {
  it("serves the page without a key, even deployed, under a CSP that allows only this origin's scripts", async () => {
    const s = await deployed();
    const page = await get(s, "/");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.headers.get("cache-control")).toBe("no-cache");
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(page.text).not.toMatch(/\sstyle=/);

    const urls = [...page.text.matchAll(/(?:src|href)="(\/dashboard\/[0-9a-f]{16}\/[\w.-]+)"/g)].map(
      (m) => m[1] as string,
    );
    expect(urls.map((u) => u.split("/")[3]).sort()).toEqual(["app.css", "main.js"]);
    for (const url of urls) {
      const file = await get(s, url);
      expect(file.status, url).toBe(200);
      expect(file.headers.get("content-type"), url).toContain(url.endsWith(".js") ? "javascript" : "text/css");
      expect(file.headers.get("cache-control"), url).toBe("public, max-age=31536000, immutable");
      expect(file.headers.get("content-security-policy"), url).toBe(csp);
      // Content-hashed: the URL's segment is the hash of exactly what it serves.
      expect(url.split("/")[2], url).toBe(await contentHash(file.text));
    }
    // One bundle: the script loads nothing else, so one hashed URL versions all of it.
    const main = await get(s, urls.find((u) => u.endsWith("main.js")) as string);
    expect(main.text).not.toMatch(/\bimport\s*[("'{*]|from\s*"/);
    expect(main.text).toContain("switchyard.key");

    const etag = page.headers.get("etag") as string;
    expect(etag).toMatch(/^"[0-9a-f]{16}"$/);
    expect((await get(s, "/", null, { "if-none-match": etag })).status).toBe(304);
    expect((await get(s, "/dashboard/0123456789abcdef/nope.js")).status).toBe(404);
    // A page from before a deploy still gets today's file, uncached.
    const stale = await get(s, "/dashboard/0000000000000000/main.js");
    expect(stale.status).toBe(200);
    expect(stale.headers.get("cache-control")).toBe("no-cache");
    expect(stale.text).toBe(main.text);
  });
});

describe("GET /v1/gateway", () => {
  it("tells mode, caller and that every provider is an emulator, without URLs or keys", async () => {
    const s = await newSession();
    // The secrets every answer is checked against: each keyed provider's key is one of them.
    for (const spec of SPEC_LIST) if (spec.env.key) expect(secretsOf(s)).toContain(envValue(s.env, spec.env.key));
    const info = (await get(s, "/v1/gateway")).json();
    expect(info.mode).toBe("development");
    expect(info.caller).toEqual({ kind: "development", workspace_id: null });
    expect(info.emulated).toBe(true);
    expect(info.notice).toMatch(/emulator/);
    expect(info.providers).toEqual(
      PROVIDERS.map((provider) => ({
        provider,
        configured: true,
        upstream: "emulator",
      })),
    );
    expect(JSON.stringify(info)).not.toContain("127.0.0.1");
  });

  it("needs a key when deployed, and tells real, local and missing upstreams apart", async () => {
    const s = await newSession(
      {},
      {
        SWITCHYARD_ENV: "production",
        ADMIN_KEY: ADMIN,
        OPENAI_BASE_URL: undefined,
        OLLAMA_BASE_URL: "http://127.0.0.1:11434",
        TOGETHER_API_KEY: undefined,
      },
    );
    expect((await get(s, "/v1/gateway")).status).toBe(401);
    const info = (await get(s, "/v1/gateway", ADMIN)).json();
    expect(info.mode).toBe("production");
    expect(info.caller.kind).toBe("admin");
    expect(info.emulated).toBe(false);
    expect(info.notice).toBeNull();
    const kinds = Object.fromEntries(
      (info.providers as { provider: string; upstream: string | null }[]).map((p) => [p.provider, p.upstream]),
    );
    // Every provider left pointing at the emulator says so; the three changed above say what they became.
    const changed: Record<string, string | null> = { openai: "remote", together: null, ollama: "local" };
    expect(kinds).toEqual(Object.fromEntries(PROVIDERS.map((p) => [p, p in changed ? changed[p] : "emulator"])));
  });
});

describe("the emulator label on answers", () => {
  it("marks answers from an emulator in development, and never in a deployed Worker", async () => {
    const s = await newSession();
    const dev = await chatDone(s.env, {
      model: "anthropic/claude-haiku-4-5",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(dev.status).toBe(200);
    expect(dev.headers.get("x-switchyard-upstream")).toBe("emulator");
    const streamed = await chatDone(s.env, {
      model: "mistral/mistral-small-latest",
      stream: true,
      messages: [{ role: "user", content: "hi" }],
    });
    expect(streamed.headers.get("x-switchyard-upstream")).toBe("emulator");

    const prod = await deployed();
    const answer = await chatDone(
      prod.env,
      { model: "anthropic/claude-haiku-4-5", messages: [{ role: "user", content: "hi" }] },
      { authorization: `Bearer ${ADMIN}` },
    );
    expect(answer.status).toBe(200);
    expect(answer.headers.get("x-switchyard-upstream")).toBeNull();
  });
});

describe("GET /v1/requests and GET /v1/stats/timeseries", () => {
  it("list a workspace's requests newest first with every attempt, and chart its latency per provider", async () => {
    const s = await newSession(
      { faults: [{ provider: "openai", model: "gpt-4o-mini", mode: "status", status: 500 }] },
      { ADMIN_KEY: ADMIN },
    );
    const ws = uniqueWorkspace("dash");
    const headers = { "x-router-workspace": ws };
    const failed = await chatDone(
      s.env,
      { model: "openai/gpt-4o-mini", router: { fallback: false }, messages: [{ role: "user", content: "a" }] },
      headers,
    );
    expect(failed.status).toBeGreaterThanOrEqual(500);
    const overFailed = await chatDone(
      s.env,
      { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "b" }] },
      headers,
    );
    expect(overFailed.status).toBe(200);
    const ok = await chatDone(
      s.env,
      { model: "anthropic/claude-haiku-4-5", stream: true, messages: [{ role: "user", content: "c" }] },
      headers,
    );
    expect(ok.status).toBe(200);

    const list = (await get(s, `/v1/requests?workspace_id=${ws}&limit=10`)).json();
    expect(list.workspace_id).toBe(ws);
    const rows = list.data as any[];
    expect(rows.map((r) => r.status)).toEqual(["ok", "ok", "error"]);
    expect(rows[0]).toMatchObject({ workspace_id: ws, provider: "anthropic", stream: true, http_status: 200 });
    expect(rows[0].cost_usd).toBeGreaterThan(0);
    expect(rows[0].attempts).toEqual([expect.objectContaining({ provider: "anthropic", status: "ok" })]);
    expect(rows[1].attempts[0]).toMatchObject({
      provider: "openai",
      model: "gpt-4o-mini",
      status: "failed",
      http_status: 500,
    });
    expect(rows[1].attempts.at(-1).status).toBe("ok");
    expect(rows[2]).toMatchObject({ provider: null, model: null, cost_usd: null });
    expect(rows[0].created_at).toBeGreaterThanOrEqual(rows[2].created_at);
    expect((await get(s, `/v1/requests?workspace_id=${ws}&limit=1`)).json().data).toHaveLength(1);
    expect((await get(s, `/v1/requests?workspace_id=${ws}&before=${rows[2].created_at}`)).json().data).toHaveLength(0);
    expect((await get(s, "/v1/requests?limit=500")).status).toBe(400);
    // A query number that is not one says so, in zod's words, naming the parameter.
    const word = await get(s, "/v1/requests?limit=ten");
    expect(word.status).toBe(400);
    expect(word.json().error).toMatchObject({
      param: "limit",
      message: "'limit': Invalid input: expected number, received NaN",
    });
    expect((await get(s, "/v1/requests?before=1.5")).json().error.message).toBe(
      "'before': Invalid input: expected int, received number",
    );

    const ts = (await get(s, `/v1/stats/timeseries?workspace_id=${ws}&window_ms=600000&buckets=10`)).json();
    expect(ts.bucket_ms).toBe(60_000);
    expect(ts.from % 60_000).toBe(0);
    const byProvider = Object.fromEntries((ts.series as any[]).map((sr) => [sr.provider, sr.points]));
    const sum = (points: any[], field: "ok" | "failed") => points.reduce((n, p) => n + p[field], 0);
    // Each failed call may be retried once or more (500 is retryable): at least one failed attempt per call.
    expect(sum(byProvider.openai, "failed")).toBeGreaterThanOrEqual(2);
    expect(sum(byProvider.anthropic, "ok")).toBe(1);
    const point = byProvider.anthropic.find((p: any) => p.ok > 0);
    expect(point.latency_ms.p50).toBeGreaterThanOrEqual(0);
    expect(point.ttft_ms.p95).toBeGreaterThanOrEqual(point.ttft_ms.p50);
    expect((await get(s, "/v1/stats/timeseries?window_ms=5")).status).toBe(400);
  });

  it("show a workspace key its own workspace only", async () => {
    const s = await newSession({}, { SWITCHYARD_ENV: "production", ADMIN_KEY: ADMIN });
    const [mine, theirs] = [uniqueWorkspace("mine"), uniqueWorkspace("theirs")];
    const { res, done } = await callFull(s.env, "/v1/keys", {
      method: "POST",
      json: { workspace_id: mine, name: "dash" },
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    const created = JSON.parse(await done()) as { key: string };
    expect(res.status).toBe(201);
    const body = { model: "ollama/llama3.2", messages: [{ role: "user", content: "hi" }] };
    expect((await chatDone(s.env, body, { authorization: `Bearer ${created.key}` })).status).toBe(200);
    expect(
      (await chatDone(s.env, body, { authorization: `Bearer ${ADMIN}`, "x-router-workspace": theirs })).status,
    ).toBe(200);

    const own = (await get(s, "/v1/requests", created.key)).json();
    expect(own.workspace_id).toBe(mine);
    expect((own.data as any[]).map((r) => r.workspace_id)).toEqual([mine]);
    expect((await get(s, `/v1/requests?workspace_id=${theirs}`, created.key)).status).toBe(403);
    expect((await get(s, `/v1/stats/timeseries?workspace_id=${theirs}`, created.key)).status).toBe(403);
    const info = (await get(s, "/v1/gateway", created.key)).json();
    expect(info.caller).toEqual({ kind: "workspace", workspace_id: mine });
    expect((await get(s, `/v1/requests?workspace_id=${theirs}`, ADMIN)).json().data).toHaveLength(1);
  });
});
