// Limits hold across isolates: requests arrive through two separate Worker instances (the one under test and a second
// bundle of Switchyard with its own module state: governance cache, rotation, counters) that share one BudgetObject.
// A per-isolate counter would let each of them take the whole limit.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../../../src/index.ts";

const ADMIN = "admin-key-for-isolate-tests-0123456789";

interface Answer {
  via: "first" | "second";
  status: number;
  headers: Headers;
  text: string;
}

/** Through the Worker under test (this isolate's module state). */
async function first(path: string, init: { method?: string; json?: unknown; key?: string } = {}): Promise<Answer> {
  const request = new Request(`http://127.0.0.1:8787${path}`, {
    method: init.method ?? "GET",
    headers: { authorization: `Bearer ${init.key ?? ADMIN}`, "content-type": "application/json" },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  const ctx = createExecutionContext();
  const res = await worker.fetch(request, env, ctx);
  const text = await res.text();
  await waitOnExecutionContext(ctx);
  return { via: "first", status: res.status, headers: res.headers, text };
}

/** Through the second Worker, over its service binding. */
async function second(path: string, init: { method?: string; json?: unknown; key?: string } = {}): Promise<Answer> {
  const res = await env.SECOND.fetch(`http://127.0.0.1:8787${path}`, {
    method: init.method ?? "GET",
    headers: { authorization: `Bearer ${init.key ?? ADMIN}`, "content-type": "application/json" },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  return { via: "second", status: res.status, headers: res.headers, text: await res.text() };
}

const chatBody = { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }], max_tokens: 20 };
const workspace = (label: string) => `${label}-${crypto.randomUUID().slice(0, 8)}`;

async function newKey(body: Record<string, unknown>): Promise<string> {
  const r = await first("/v1/keys", { method: "POST", json: body });
  expect(r.status, r.text).toBe(201);
  return (JSON.parse(r.text) as { key: string }).key;
}

describe("limits across two Worker instances", () => {
  it("the second Worker is Switchyard, and knows a key made through the first", async () => {
    const key = await newKey({ workspace_id: workspace("hello"), name: "k" });
    const r = await second("/v1/chat/completions", { method: "POST", json: chatBody, key });
    expect(r.status, r.text).toBe(200);
    expect(JSON.parse(r.text).x_router.provider).toBe("openai");
    // Its dashboard comes from its own static assets binding, as the Worker under test's does.
    const [mine, theirs] = [await first("/"), await second("/")];
    expect(theirs.status, theirs.text).toBe(200);
    expect(theirs.headers.get("etag")).toBe(mine.headers.get("etag"));
    expect(theirs.text).toBe(mine.text);
  });

  it("a key's rpm_limit 6 holds for 20 concurrent requests split across both: exactly 6 answers", async () => {
    const key = await newKey({ workspace_id: workspace("rpm"), name: "k", rpm_limit: 6 });
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 === 0 ? first : second)("/v1/chat/completions", { method: "POST", json: chatBody, key }),
      ),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(6);
    const refused = answers.filter((a) => a.status === 429);
    expect(refused).toHaveLength(14);
    // Both Workers refused some: neither let its own half through.
    expect(new Set(refused.map((a) => a.via))).toEqual(new Set(["first", "second"]));
    for (const r of refused) {
      expect(JSON.parse(r.text).error).toMatchObject({ type: "requests", code: "rate_limit_exceeded" });
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(r.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    }
  });

  it("a key's tpm_limit counts what both Workers' requests used, settled from usage", async () => {
    const ws = workspace("tpm");
    const key = await newKey({ workspace_id: ws, name: "k", tpm_limit: 200 });
    const body = { ...chatBody, max_tokens: 60 };
    // Each reserves about 70 tokens (the prompt's bound plus 60) and settles what it used.
    const one = await first("/v1/chat/completions", { method: "POST", json: body, key });
    expect(one.status, one.text).toBe(200);
    const two = await second("/v1/chat/completions", { method: "POST", json: body, key });
    expect(two.status, two.text).toBe(200);
    const used = (a: Answer) => {
      const u = JSON.parse(a.text).usage as { prompt_tokens: number; completion_tokens: number };
      return u.prompt_tokens + u.completion_tokens;
    };
    // The second Worker settles after its response (waitUntil): give it a moment.
    await new Promise((r) => setTimeout(r, 300));
    // About 120 tokens more: the second Worker alone has seen only its own ~50, so a count of its own would admit it;
    // the shared window holds both requests' usage and refuses it.
    const big = { ...chatBody, max_tokens: 110 };
    const refused = await second("/v1/chat/completions", { method: "POST", json: big, key });
    expect(refused.status, refused.text).toBe(429);
    expect(Number(refused.headers.get("x-ratelimit-remaining-tokens"))).toBe(200 - used(one) - used(two));
    expect(JSON.parse(refused.text).error).toMatchObject({ type: "tokens", code: "rate_limit_exceeded" });
  });

  it("a workspace limit set through one Worker counts, in the other, what it admitted before it heard of it", async () => {
    const ws = workspace("wsrpm");
    const key = await newKey({ workspace_id: ws, name: "k" });
    // The second Worker's key list and workspace list are loaded now, without this workspace's limits.
    expect((await second("/v1/chat/completions", { method: "POST", json: chatBody, key })).status).toBe(200);
    const set = await first(`/v1/budgets/${ws}`, { method: "PUT", json: { rpm_limit: 3 } });
    expect(set.status, set.text).toBe(200);
    // The second Worker learns of the limit with its next directory refresh (seconds); what it admits meanwhile is
    // charged to the window after the fact, so the first Worker, which knows, counts it.
    for (let i = 0; i < 2; i++)
      expect((await second("/v1/chat/completions", { method: "POST", json: chatBody, key })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    const status = JSON.parse((await first(`/v1/budgets/${ws}`)).text);
    expect(status.rate_limits.requests).toMatchObject({ limit: 3, used: 2 });
    const third = await first("/v1/chat/completions", { method: "POST", json: chatBody, key });
    expect(third.status, third.text).toBe(200);
    expect(third.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    expect((await first("/v1/chat/completions", { method: "POST", json: chatBody, key })).status).toBe(429);
  });
});
