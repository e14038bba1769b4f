// Key pools: OPENAI_API_KEYS (and each keyed provider's list) spread by weight; a 429, a quota error, a 401 or a 402
// from one key moves the same call to the next key at once, outside the retry budget; cooldowns honour Retry-After;
// a 401 key stays out until the sweep clears it; keys show only as masked ids, never in any answer, log or page.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Env } from "../../../src/env.ts";
import { KeyRotation } from "../../../src/execute/key-rotation.ts";
import { ADAPTERS } from "../../../src/providers/index.ts";
import { keyPoolOf, maskedKeyId, parseKeyList } from "../../../src/providers/key-pool.ts";
import { specOf } from "../../../src/providers/specs.ts";
import { healthSweep } from "../../../src/stats/health-sweep.ts";
import type { KeyEvent } from "../../../src/stats/key-health.ts";
import { emptySnapshot } from "../../../src/stats/snapshot.ts";
import { StatsCache } from "../../../src/stats/stats-cache.ts";
import { type Fault, newSession, type Session } from "../gateway.ts";
import { callFull } from "../ledger/ledger-helpers.ts";

const seen: string[] = [];
let secrets: string[] = [];
let logs: { mock: { calls: unknown[][] }; mockRestore(): void }[] = [];

beforeEach(() => {
  logs = (["log", "error", "warn", "info", "debug"] as const).map((m) => vi.spyOn(console, m));
});
afterEach(() => {
  // No pooled key in any answer, header, health output, dashboard page or log line of these tests.
  const logged = logs.flatMap((l) =>
    l.mock.calls.map((c) => c.map((x) => (typeof x === "string" ? x : String(x))).join(" ")),
  );
  for (const text of [...seen, ...logged]) for (const secret of secrets) expect(text).not.toContain(secret);
  for (const l of logs) l.mockRestore();
  seen.length = 0;
  secrets = [];
});

/** Keys no other test uses (the isolate's rotation remembers keys by their masked id). */
function keys(n: 2 | 3, prefix = "sk-pool"): [string, string, string] {
  const run = crypto.randomUUID().replaceAll("-", "").slice(0, 12);
  const out = Array.from({ length: n }, (_, i) => `${prefix}-${run}-${i}${"x".repeat(8)}`);
  secrets.push(...out);
  return [out[0] ?? "", out[1] ?? "", out[2] ?? ""];
}

async function pooled(list: string, overrides: Partial<Env> = {}, faults: Fault[] = []): Promise<Session> {
  return newSession({ faults }, { OPENAI_API_KEY: undefined, OPENAI_API_KEYS: list, ...overrides });
}

async function get(s: Session, path: string, init: { method?: string; json?: unknown } = {}) {
  const { res, done } = await callFull(s.env, path, { method: init.method ?? "GET", json: init.json });
  const text = await done();
  seen.push(text, JSON.stringify([...res.headers]));
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, any> };
}

const chatBody = {
  model: "openai/gpt-4o-mini",
  messages: [{ role: "user", content: "hi" }],
  router: { fallback: false },
};
const chat = (s: Session, body: Record<string, unknown> = chatBody) =>
  get(s, "/v1/chat/completions", { method: "POST", json: body });

/** Which key each chat call the emulator received carried. */
async function keysUsed(s: Session, path = "/chat/completions"): Promise<string[]> {
  return (await s.requests())
    .filter((r) => r.path.endsWith(path))
    .map((r) => (r.headers.authorization ?? "").replace(/^Bearer /, "") || (r.headers["x-api-key"] ?? ""));
}

/** The cron's health sweep over this session's providers. */
async function sweep(s: Session) {
  const report = await healthSweep(s.env, new StatsCache(Date.now), {
    fetch: (input, init) => fetch(input, init),
    now: Date.now,
    timeoutMs: 2000,
  });
  expect(report.results.find((r) => r.provider === "openai")?.ok).toBe(true);
}

async function keyView(s: Session, provider = "openai") {
  const health = await get(s, "/v1/health/providers");
  expect(health.status).toBe(200);
  const p = (health.json().providers as { provider: string; keys: Record<string, any>[] }[]).find(
    (x) => x.provider === provider,
  );
  return p?.keys ?? [];
}

describe("key lists", () => {
  it("parses comma lists with optional weights, single key first, repeats dropped, masked ids", () => {
    expect(parseKeyList(" a1*2, b2 ,c3*0.5,,d4*0")).toEqual([
      { key: "a1", weight: 2 },
      { key: "b2", weight: 1 },
      { key: "c3", weight: 0.5 },
      { key: "d4", weight: 0 },
    ]);
    // No key holds a `*`: a weight spaced out, written as an exponent, or not a number is never part of the key.
    expect(parseKeyList("e5 * 2, f6*1e3, g7*abc, h8*-1, i9*")).toEqual([
      { key: "e5", weight: 2 },
      { key: "f6", weight: 1000 },
      { key: "g7", weight: 1 },
      { key: "h8", weight: 1 },
      { key: "i9", weight: 1 },
    ]);
    const [k1, k2] = keys(2);
    const pool = keyPoolOf(specOf("openai"), { OPENAI_API_KEY: k1, OPENAI_API_KEYS: `${k2}*3,${k1}*9` });
    expect(pool.map((k) => k.weight)).toEqual([1, 3]);
    expect(pool.map((k) => k.key)).toEqual([k1, k2]);
    for (const k of pool) {
      expect(k.id).toMatch(/^key_[0-9a-f]{4}$/);
      expect(k.id).toBe(maskedKeyId(k.key));
      // The id is a hash: no run of the key's own characters.
      expect(k.key).not.toContain(k.id.slice(4));
    }
  });
});

describe("rotation on refusal, outside the retry budget", () => {
  it("a 429 with Retry-After on one key moves the call to the next at once, and the key cools down", async () => {
    const [a, b] = keys(2);
    // Weight: a is always tried first while it is usable.
    const s = await pooled(`${a}*1000000,${b}*0.000001`, {}, [
      { provider: "openai", key: a, mode: "status", status: 429, retry_after: "30", times: 1 },
    ]);
    const started = Date.now();
    const first = await chat(s);
    expect(first.status, first.text).toBe(200);
    // The walker saw one attempt: no Retry-After wait, no retry counted.
    expect(Date.now() - started).toBeLessThan(5000);
    expect(first.headers.get("x-router-attempts")).toBe("1");
    expect(first.json().x_router.attempts).toHaveLength(1);
    expect(await keysUsed(s)).toEqual([a, b]);
    // a rests for its Retry-After: the next calls go to b although a is its favourite and its fault is spent.
    for (let i = 0; i < 5; i++) expect((await chat(s)).status).toBe(200);
    expect((await keysUsed(s)).slice(2)).toEqual([b, b, b, b, b]);
    const view = await keyView(s);
    const va = view.find((k) => k.id === maskedKeyId(a));
    expect(va).toMatchObject({ state: "cooling", rate_limited: 1, last_status: 429 });
    expect(Date.parse(va?.cooldown_until)).toBeGreaterThan(Date.now() + 20_000);
    expect(view.find((k) => k.id === maskedKeyId(b))).toMatchObject({ state: "active", requests: 6, failures: 0 });
  });

  it("a 402 moves to the next key; a streamed call rotates before its first byte", async () => {
    const [a, b] = keys(2);
    const s = await pooled(`${a}*1000000,${b}*0.000001`, {}, [
      { provider: "openai", key: a, mode: "status", status: 402 },
    ]);
    const r = await chat(s, { ...chatBody, stream: true });
    expect(r.status, r.text).toBe(200);
    expect(r.text).toContain("data: [DONE]");
    expect(await keysUsed(s)).toEqual([a, b]);
    expect((await keyView(s)).find((k) => k.id === maskedKeyId(a))).toMatchObject({ state: "cooling" });
  });

  it("a key refused with 401 stays out, across requests, until the sweep's probe with it succeeds", async () => {
    const [a, b] = keys(2);
    const s = await pooled(`${a}*1000000,${b}*0.000001`, {}, [
      { provider: "openai", key: a, mode: "status", status: 401 },
    ]);
    for (let i = 0; i < 6; i++) expect((await chat(s)).status).toBe(200);
    // a was tried once; every call since went to b.
    expect(await keysUsed(s)).toEqual([a, b, b, b, b, b, b]);
    expect((await keyView(s)).find((k) => k.id === maskedKeyId(a))).toMatchObject({
      state: "refused",
      failures: 1,
      last_status: 401,
    });
    // The sweep probes a while it is still refused: it stays out.
    await sweep(s);
    expect((await s.requests()).filter((r) => r.path.endsWith("/models") && r.fault === "status")).toHaveLength(1);
    expect((await keyView(s)).find((k) => k.id === maskedKeyId(a))?.state).toBe("refused");
    // Fixed upstream: the next sweep clears it.
    await s.setFaults([]);
    await sweep(s);
    expect((await keyView(s)).find((k) => k.id === maskedKeyId(a))?.state).toBe("active");
  });

  it("when every key refuses, the walker gets the last answer and falls back as for any provider", async () => {
    const [a, b] = keys(2);
    const s = await pooled(`${a},${b}`, {}, [{ provider: "openai", mode: "status", status: 401 }]);
    const r = await chat(s, { ...chatBody, router: { fallback: true } });
    expect(r.status, r.text).toBe(200);
    expect(r.json().x_router.provider).not.toBe("openai");
    expect((await keysUsed(s)).sort()).toEqual([a, b].sort());
  });

  it("Anthropic's keys rotate in x-api-key", async () => {
    const [a, b] = keys(2, "sk-ant-pool");
    const s = await newSession(
      { faults: [{ provider: "anthropic", key: a, mode: "status", status: 429, times: 1 }] },
      { ANTHROPIC_API_KEY: a, ANTHROPIC_API_KEYS: `${b}*0.000001`, OPENAI_API_KEY: undefined },
    );
    const r = await chat(s, { ...chatBody, model: "anthropic/claude-haiku-4-5" });
    expect(r.status, r.text).toBe(200);
    expect(await keysUsed(s, "/v1/messages")).toEqual([a, b]);
  });
});

describe("spread by weight", () => {
  it("over many requests each key's share follows its weight", async () => {
    const [a, b, c] = keys(3);
    const s = await pooled(`${a}*1,${b}*3,${c}*0`);
    const n = 120;
    for (let i = 0; i < n; i += 20) await Promise.all(Array.from({ length: 20 }, () => chat(s)));
    const used = await keysUsed(s);
    expect(used).toHaveLength(n);
    const share = (k: string) => used.filter((u) => u === k).length / n;
    // Expected 0.25 and 0.75; the standby key (weight 0) only when the others are out.
    // Binomial: 120 draws at 0.25 have a standard deviation of 0.04; ±0.12 is three of them.
    expect(share(a)).toBeGreaterThan(0.13);
    expect(share(a)).toBeLessThan(0.37);
    expect(share(b)).toBeGreaterThan(0.63);
    expect(share(c)).toBe(0);
    const view = await keyView(s);
    expect(view.map((k) => k.weight)).toEqual([1, 3, 0]);
    expect(view.map((k) => k.id)).toEqual([a, b, c].map(maskedKeyId));
    // The dashboard page and its modules (they render the health view's masked ids only).
    const page = await get(s, "/");
    expect(page.status).toBe(200);
    for (const [, path] of page.text.matchAll(/(?:src|href)="(\/dashboard\/[^"]+)"/g)) {
      expect((await get(s, path as string)).status).toBe(200);
    }
    expect(view.reduce((sum, k) => sum + k.requests, 0)).toBe(n);
  }, 30_000);
});

describe("KeyRotation at the wire", () => {
  const quota = JSON.stringify({
    error: {
      message: "You exceeded your current quota, please check your plan and billing details.",
      type: "insufficient_quota",
      param: null,
      code: "insufficient_quota",
    },
  });

  const credit = JSON.stringify({
    type: "error",
    error: {
      type: "invalid_request_error",
      message:
        "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.",
    },
  });

  it("rotates on each refusal kind (429, insufficient_quota, 401, 402, a 400 out of credit) and not on others", async () => {
    const cases: [number, string, KeyEvent["outcome"], boolean][] = [
      [429, "{}", "rate_limited", true],
      [429, quota, "quota", true],
      [401, "{}", "refused", true],
      [402, "{}", "quota", true],
      // Anthropic's answer to an account out of credit is a 400.
      [400, credit, "quota", true],
      [500, "{}", "error", false],
      [400, "{}", "error", false],
    ];
    for (const [status, body, outcome, rotates] of cases) {
      const [a, b] = keys(2);
      const env = { OPENAI_API_KEY: a, OPENAI_API_KEYS: `${b}*0.000001` };
      const sent: string[] = [];
      const base = (async (_url: RequestInfo | URL, init?: RequestInit) => {
        const auth = ((init?.headers ?? {}) as Record<string, string>).authorization ?? "";
        sent.push(auth);
        return auth.endsWith(a) ? new Response(body, { status }) : new Response('{"ok":true}', { status: 200 });
      }) as typeof fetch;
      const events: KeyEvent[] = [];
      const rotation = new KeyRotation(Date.now, () => 0);
      const f = rotation.fetchFor(env, base, emptySnapshot(), (e) => events.push(...e));
      const res = await f("https://api.example/v1/chat/completions", {
        method: "POST",
        headers: { authorization: `Bearer ${a}`, "content-type": "application/json" },
        body: "{}",
      });
      expect(res.status, `${status}`).toBe(rotates ? 200 : status);
      expect(sent, `${status}`).toEqual(rotates ? [`Bearer ${a}`, `Bearer ${b}`] : [`Bearer ${a}`]);
      expect(events[0]?.outcome, `${status}`).toBe(outcome);
      // The answer handed on (when nothing was left to rotate to) keeps its body for the adapter to read.
      if (!rotates) expect(await res.text()).toBe(body);
      expect(JSON.stringify(events)).not.toContain(a);
    }
  });

  it("an Anthropic account out of credit is the provider's failure (the chain moves on), not the caller's 400", () => {
    expect(ADAPTERS.anthropic.parseError(400, new Headers(), credit, 0, {}).kind).toBe("auth");
    const caller = JSON.stringify({
      type: "error",
      error: { type: "invalid_request_error", message: "max_tokens: Field required" },
    });
    expect(ADAPTERS.anthropic.parseError(400, new Headers(), caller, 0, {}).kind).toBe("invalid_request");
  });

  it("hands the last refusal on, body intact, when every key has refused", async () => {
    const [a, b] = keys(2);
    const base = (async () => new Response(quota, { status: 429 })) as unknown as typeof fetch;
    const rotation = new KeyRotation(Date.now, () => 0);
    const f = rotation.fetchFor({ OPENAI_API_KEYS: `${a},${b}` }, base, emptySnapshot(), () => undefined);
    const res = await f("https://api.example/v1/chat/completions", { headers: { authorization: `Bearer ${a}` } });
    expect(res.status).toBe(429);
    expect(await res.text()).toBe(quota);
  });
});
