// Every answer says what the response cache did (docs/LLM_PROVIDERS.md, Response cache: "Every answer says
// x-router-cache: hit, miss or bypass (and x_router.cache)"): a stream's final report as its head does, and a refusal
// by a budget or a rate limit as an answer does (miss when the request opted in, bypass otherwise).
import { describe, expect, it } from "vitest";
import type { Env } from "../../../src/env.ts";
import { newSession } from "../gateway.ts";
import { callFull, chatDone, uniqueWorkspace, xRouterOf } from "../ledger/ledger-helpers.ts";

const ADMIN = "admin-key-for-tests-0123456789";

/** A prompt of its own per test: the Cache API outlives a test. */
const prompt = (label: string) => `${label} ${crypto.randomUUID()}: What is 10 + 5?`;

function ask(text: string, router: Record<string, unknown> = {}) {
  return {
    model: "openai/gpt-4o-mini",
    messages: [{ role: "user", content: text }],
    max_tokens: 100,
    router: { fallback: false, ...router },
  };
}

/** A workspace whose budget ($0.000001) refuses any request. */
async function brokeWorkspace(env: Env, label: string): Promise<string> {
  const workspace = uniqueWorkspace(label);
  const put = await callFull(env, `/v1/budgets/${workspace}`, {
    method: "PUT",
    json: { limit_usd: 0.000001, on_limit: "reject" },
  });
  expect(put.res.status, await put.done()).toBe(200);
  return workspace;
}

describe("x_router.cache on a stream", () => {
  it("says bypass in a stream's final x_router when it did not opt in, as a JSON answer does", async () => {
    const s = await newSession();
    const body = ask(prompt("bypass-stream"));
    const json = await chatDone(s.env, body);
    expect((xRouterOf(json.text, false) as { cache?: string }).cache).toBe("bypass");

    const streamed = await chatDone(s.env, { ...body, stream: true });
    expect(streamed.headers.get("x-router-cache")).toBe("bypass");
    expect((xRouterOf(streamed.text, true) as { cache?: string }).cache).toBe("bypass");
  });
});

describe("x-router-cache on a refusal", () => {
  it("says miss on a 402 from the budget when the request opted in", async () => {
    const s = await newSession();
    const workspace = await brokeWorkspace(s.env, "cache-402-miss");
    const r = await chatDone(s.env, ask(prompt("402"), { cache: { ttl_s: 60 } }), { "x-router-workspace": workspace });
    expect(r.status, r.text).toBe(402);
    expect(r.headers.get("x-router-cache")).toBe("miss");
  });

  it("says bypass on a 402 from the budget when the request did not opt in", async () => {
    const s = await newSession();
    const workspace = await brokeWorkspace(s.env, "cache-402-bypass");
    const r = await chatDone(s.env, ask(prompt("402")), { "x-router-workspace": workspace });
    expect(r.status, r.text).toBe(402);
    expect(r.headers.get("x-router-cache")).toBe("bypass");
  });

  it("says miss on a 429 from a rate limit, whether the cache had the answer or not", async () => {
    const s = await newSession({}, { SWITCHYARD_ENV: "production", ADMIN_KEY: ADMIN });
    const made = await callFull(s.env, "/v1/keys", {
      method: "POST",
      json: { workspace_id: uniqueWorkspace("cache-429"), name: "one a minute", rpm_limit: 1 },
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    const created = await made.done();
    expect(made.res.status, created).toBe(201);
    const headers = { authorization: `Bearer ${(JSON.parse(created) as { key: string }).key}` };
    const text = prompt("429");
    const first = await chatDone(s.env, ask(text, { cache: { ttl_s: 60 } }), headers);
    expect(first.status, first.text).toBe(200);
    expect(first.headers.get("x-router-cache")).toBe("miss");

    // Over the limit: refused before the run (another prompt) and before the hit (the same one).
    for (const body of [ask(prompt("429 other"), { cache: { ttl_s: 60 } }), ask(text, { cache: { ttl_s: 60 } })]) {
      const refused = await chatDone(s.env, body, headers);
      expect(refused.status, refused.text).toBe(429);
      expect(refused.headers.get("x-router-cache")).toBe("miss");
    }
  });
});
