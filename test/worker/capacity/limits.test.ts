// rpm_limit and tpm_limit on gateway keys and workspaces, held in the workspace's BudgetObject: exact under
// concurrency, tokens reserved before the call and settled from usage, OpenAI's 429 in each dialect's own shape.
import { describe, expect, it } from "vitest";
import { newSession, type Session } from "../gateway.ts";
import { callFull, uniqueWorkspace } from "../ledger/ledger-helpers.ts";

const ADMIN = "admin-key-for-tests-0123456789";

async function deployed(): Promise<Session> {
  return newSession({}, { SWITCHYARD_ENV: "production", ADMIN_KEY: ADMIN });
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: () => Record<string, any>;
}

async function req(
  s: Session,
  path: string,
  init: { method?: string; json?: unknown; key?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { authorization: `Bearer ${init.key ?? ADMIN}`, ...init.headers };
  const { res, done } = await callFull(s.env, path, { method: init.method ?? "GET", json: init.json, headers });
  const text = await done();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, any> };
}

const chatBody = {
  model: "openai/gpt-4o-mini",
  messages: [{ role: "user", content: "hi" }],
  max_tokens: 50,
  router: { fallback: false },
};

async function createKey(s: Session, body: Record<string, unknown>) {
  const r = await req(s, "/v1/keys", { method: "POST", json: body });
  expect(r.status, r.text).toBe(201);
  return r.json() as { id: string; key: string; rpm_limit: number | null; tpm_limit: number | null };
}

async function upstreamCalls(s: Session, path = "/chat/completions"): Promise<number> {
  return (await s.requests()).filter((r) => r.path.endsWith(path)).length;
}

/** A 429 in OpenAI's shape, with Retry-After and the rate-limit headers. */
function expectOpenAiRateLimit(r: Answer, dimension: "requests" | "tokens") {
  expect(r.status, r.text).toBe(429);
  const body = r.json();
  expect(Object.keys(body)).toEqual(["error"]);
  expect(body.error).toMatchObject({ type: dimension, param: null, code: "rate_limit_exceeded" });
  expect(body.error.message).toMatch(dimension === "requests" ? /requests per min/ : /tokens per min/);
  const wait = Number(r.headers.get("retry-after"));
  expect(wait).toBeGreaterThanOrEqual(1);
  expect(wait).toBeLessThanOrEqual(60);
  expect(r.headers.get(`x-ratelimit-limit-${dimension}`)).not.toBeNull();
  // No request is left; tokens may be left, only fewer than this request would take.
  if (dimension === "requests") expect(r.headers.get("x-ratelimit-remaining-requests")).toBe("0");
  else expect(Number(r.headers.get("x-ratelimit-remaining-tokens"))).toBeGreaterThanOrEqual(0);
  expect(r.headers.get(`x-ratelimit-reset-${dimension}`)).toMatch(/^(\d+ms|\d+s|\d+m\d+s)$/);
}

describe("rpm_limit", () => {
  it("20 concurrent requests against a key's rpm_limit 5: exactly 5 answers and 15 well-formed 429s", async () => {
    const s = await deployed();
    const { key } = await createKey(s, { workspace_id: uniqueWorkspace("rpm20"), name: "burst", rpm_limit: 5 });
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => req(s, "/v1/chat/completions", { method: "POST", json: chatBody, key })),
    );
    const ok = answers.filter((a) => a.status === 200);
    const limited = answers.filter((a) => a.status === 429);
    expect(ok.length).toBe(5);
    expect(limited.length).toBe(15);
    for (const r of limited) expectOpenAiRateLimit(r, "requests");
    for (const r of answers) {
      expect(r.headers.get("x-ratelimit-limit-requests")).toBe("5");
      expect(r.headers.get("x-ratelimit-reset-requests")).toMatch(/^(\d+ms|\d+s|\d+m\d+s)$/);
    }
    // Each answer saw its own place in the window: remaining 4, 3, 2, 1, 0 once each.
    expect(ok.map((r) => r.headers.get("x-ratelimit-remaining-requests")).sort()).toEqual(["0", "1", "2", "3", "4"]);
    // The refused ones never reached the provider.
    expect(await upstreamCalls(s)).toBe(5);
  });

  it("x-ratelimit-reset-requests is the time until the window is back to its initial state (OpenAI's meaning)", async () => {
    const s = await deployed();
    const { key } = await createKey(s, { workspace_id: uniqueWorkspace("reset"), name: "r", rpm_limit: 2 });
    const first = await req(s, "/v1/chat/completions", { method: "POST", json: chatBody, key });
    expect(first.status, first.text).toBe(200);
    // Counted now: its slot, and so the whole window, is free again in a minute, never at once.
    expect(first.headers.get("x-ratelimit-remaining-requests")).toBe("1");
    expect(first.headers.get("x-ratelimit-reset-requests")).toBe("1m0s");
  });

  it("a workspace's rpm_limit holds across all its keys; the budgets route reports the use", async () => {
    const s = await deployed();
    const ws = uniqueWorkspace("wsrpm");
    const put = await req(s, `/v1/budgets/${ws}`, { method: "PUT", json: { rpm_limit: 4 } });
    expect(put.status, put.text).toBe(200);
    expect(put.json()).toMatchObject({ workspace_id: ws, limit_usd: null, rpm_limit: 4, tpm_limit: null });
    const a = await createKey(s, { workspace_id: ws, name: "a" });
    const b = await createKey(s, { workspace_id: ws, name: "b" });
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        req(s, "/v1/chat/completions", { method: "POST", json: chatBody, key: i % 2 === 0 ? a.key : b.key }),
      ),
    );
    expect(answers.filter((r) => r.status === 200).length).toBe(4);
    for (const r of answers.filter((x) => x.status !== 200)) expectOpenAiRateLimit(r, "requests");
    const status = await req(s, `/v1/budgets/${ws}`);
    expect(status.status, status.text).toBe(200);
    expect(status.json().rate_limits.requests).toMatchObject({ limit: 4, used: 4, remaining: 0 });
    // The key itself can read its workspace's settings.
    expect((await req(s, `/v1/budgets/${ws}`, { key: a.key })).json().rpm_limit).toBe(4);
  });

  it("GET /v1/models and the usage pages are not model calls: they do not spend the key's requests", async () => {
    const s = await deployed();
    const { key } = await createKey(s, { workspace_id: uniqueWorkspace("rpmget"), name: "reader", rpm_limit: 1 });
    for (let i = 0; i < 3; i++) expect((await req(s, "/v1/models", { key })).status).toBe(200);
    expect((await req(s, "/v1/chat/completions", { method: "POST", json: chatBody, key })).status).toBe(200);
    expectOpenAiRateLimit(await req(s, "/v1/chat/completions", { method: "POST", json: chatBody, key }), "requests");
  });

  it("the Messages route answers over the limit in Anthropic's shape; Responses in OpenAI's", async () => {
    const s = await deployed();
    const { key } = await createKey(s, { workspace_id: uniqueWorkspace("dialects"), name: "d", rpm_limit: 1 });
    const messages = {
      model: "anthropic/claude-haiku-4-5",
      max_tokens: 50,
      messages: [{ role: "user", content: "hi" }],
    };
    const first = await req(s, "/v1/messages", { method: "POST", json: messages, key });
    expect(first.status, first.text).toBe(200);
    expect(first.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    const over = await req(s, "/v1/messages", { method: "POST", json: messages, key });
    expect(over.status).toBe(429);
    expect(over.json()).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(over.headers.get("x-ratelimit-limit-requests")).toBe("1");
    const responses = await req(s, "/v1/responses", {
      method: "POST",
      json: { model: "openai/gpt-4o-mini", input: "hi" },
      key,
    });
    expectOpenAiRateLimit(responses, "requests");
  });
});

describe("every answer to a limited caller", () => {
  it("a budget's 402 carries the x-ratelimit-* headers too, and is not counted as a request", async () => {
    const s = await deployed();
    const ws = uniqueWorkspace("limit402");
    const put = await req(s, `/v1/budgets/${ws}`, {
      method: "PUT",
      json: { limit_usd: 0.000001, period: "day", on_limit: "reject" },
    });
    expect(put.status, put.text).toBe(200);
    const { key } = await createKey(s, { workspace_id: ws, name: "both", rpm_limit: 3, tpm_limit: 100_000 });
    const refused = await req(s, "/v1/chat/completions", { method: "POST", json: chatBody, key });
    expect(refused.status, refused.text).toBe(402);
    expect(refused.json().error.code).toBe("budget_exceeded");
    expect(refused.headers.get("x-ratelimit-limit-requests")).toBe("3");
    // Nothing was counted: the window still has all three requests.
    expect(refused.headers.get("x-ratelimit-remaining-requests")).toBe("3");
    expect(refused.headers.get("x-ratelimit-limit-tokens")).toBe("100000");
    expect(refused.headers.get("x-ratelimit-reset-tokens")).toMatch(/^(\d+ms|\d+s|\d+m\d+s)$/);
    expect(await upstreamCalls(s)).toBe(0);
  });

  it("a key's own budget refusing a request takes back its count in the workspace's windows", async () => {
    const s = await deployed();
    const { key } = await createKey(s, {
      workspace_id: uniqueWorkspace("key402"),
      name: "tiny",
      rpm_limit: 3,
      budget_usd: 0.000001,
    });
    for (let i = 0; i < 4; i++) {
      const refused = await req(s, "/v1/chat/completions", { method: "POST", json: chatBody, key });
      expect(refused.status, refused.text).toBe(402);
      expect(refused.json().error.code).toBe("budget_exceeded");
      expect(refused.headers.get("x-ratelimit-limit-requests")).toBe("3");
      // Four refusals later the window still has all three requests: none was counted.
      expect(refused.headers.get("x-ratelimit-remaining-requests")).toBe("3");
    }
    expect(await upstreamCalls(s)).toBe(0);
  });

  it("answers from the response cache count against the limit and carry the headers; a hit uses no tokens", async () => {
    const s = await deployed();
    const { key } = await createKey(s, {
      workspace_id: uniqueWorkspace("rpmcache"),
      name: "cached",
      rpm_limit: 3,
      tpm_limit: 100_000,
    });
    const cached = { ...chatBody, router: { fallback: false, cache: { ttl_s: 60 } } };
    const answers: Answer[] = [];
    for (let i = 0; i < 4; i++)
      answers.push(await req(s, "/v1/chat/completions", { method: "POST", json: cached, key }));
    const [miss, hit1, hit2, over] = answers as [Answer, Answer, Answer, Answer];
    expect(miss.status, miss.text).toBe(200);
    expect(miss.headers.get("x-router-cache")).toBe("miss");
    for (const [r, left] of [
      [hit1, "1"],
      [hit2, "0"],
    ] as const) {
      expect(r.status, r.text).toBe(200);
      expect(r.headers.get("x-router-cache")).toBe("hit");
      expect(r.headers.get("x-ratelimit-limit-requests")).toBe("3");
      expect(r.headers.get("x-ratelimit-remaining-requests")).toBe(left);
      expect(r.headers.get("x-ratelimit-limit-tokens")).toBe("100000");
    }
    // The hits took no tokens: what is left after them is what the miss left.
    expect(hit2.headers.get("x-ratelimit-remaining-tokens")).toBe(hit1.headers.get("x-ratelimit-remaining-tokens"));
    expectOpenAiRateLimit(over, "requests");
    expect(await upstreamCalls(s)).toBe(1);
  });
});

describe("tpm_limit", () => {
  it("a prompt larger than the key's tokens per minute is refused before the provider is called", async () => {
    const s = await deployed();
    const { key, tpm_limit } = await createKey(s, {
      workspace_id: uniqueWorkspace("tpm"),
      name: "t",
      tpm_limit: 500,
    });
    expect(tpm_limit).toBe(500);
    // 400 repetitions of "word ": 401 o200k tokens, which the calibrated estimate puts near 230.
    const long = { ...chatBody, max_tokens: 200, messages: [{ role: "user", content: "word ".repeat(400) }] };
    const refused = await req(s, "/v1/chat/completions", { method: "POST", json: long, key });
    expectOpenAiRateLimit(refused, "tokens");
    expect(refused.json().error.message).toMatch(/Request too large/);
    expect(await upstreamCalls(s)).toBe(0);
  });

  it("tokens are reserved from the estimate before the call and settled from usage after", async () => {
    const s = await deployed();
    const ws = uniqueWorkspace("tpmsettle");
    expect((await req(s, `/v1/budgets/${ws}`, { method: "PUT", json: { tpm_limit: 600 } })).status).toBe(200);
    const { key } = await createKey(s, { workspace_id: ws, name: "t" });
    const body = { ...chatBody, max_tokens: 400 };
    // Reserved: the prompt's bound plus 400 output tokens; two such requests at once cannot both fit in 600.
    const [x, y] = await Promise.all([
      req(s, "/v1/chat/completions", { method: "POST", json: body, key }),
      req(s, "/v1/chat/completions", { method: "POST", json: body, key }),
    ]);
    expect([x.status, y.status].sort()).toEqual([200, 429]);
    const answered = x.status === 200 ? x : y;
    expect(Number(answered.headers.get("x-ratelimit-remaining-tokens"))).toBeLessThan(200);
    expectOpenAiRateLimit(x.status === 429 ? x : y, "tokens");
    // Settled: the window now holds what the answer used (the emulator's usage), not the 400 reserved.
    const usage = answered.json().usage as { prompt_tokens: number; completion_tokens: number };
    const status = (await req(s, `/v1/budgets/${ws}`)).json();
    expect(status.rate_limits.tokens).toMatchObject({
      limit: 600,
      used: usage.prompt_tokens + usage.completion_tokens,
    });
    // And so the next request fits again.
    const next = await req(s, "/v1/chat/completions", { method: "POST", json: body, key });
    expect(next.status, next.text).toBe(200);
    expect(await upstreamCalls(s)).toBe(2);
  });

  it("a request without max_tokens reserves 1,024 output tokens (the planner's assumption), not none", async () => {
    const s = await deployed();
    const ws = uniqueWorkspace("tpmnomax");
    // Room for two reservations of the prompt's bound plus 1,024, not three.
    expect((await req(s, `/v1/budgets/${ws}`, { method: "PUT", json: { tpm_limit: 2_400 } })).status).toBe(200);
    const { key } = await createKey(s, { workspace_id: ws, name: "t" });
    const { max_tokens: _, ...body } = chatBody;
    await s.setFaults([{ provider: "openai", mode: "slow_headers", delay_ms: 300 }]);
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => req(s, "/v1/chat/completions", { method: "POST", json: body, key })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 429, 429]);
    for (const a of answers.filter((x) => x.status === 429)) expectOpenAiRateLimit(a, "tokens");
  });

  it("a cached prompt's tokens are settled in the window as the answer's prompt_tokens counts them", async () => {
    const s = await deployed();
    const ws = uniqueWorkspace("tpmcache");
    expect((await req(s, `/v1/budgets/${ws}`, { method: "PUT", json: { tpm_limit: 1_000_000 } })).status).toBe(200);
    const { key } = await createKey(s, { workspace_id: ws, name: "t" });
    // The emulator replays its recorded cache read (messages-prompt-cache-read.json: 11 fresh prompt tokens and 2,055
    // read from the cache, 100 output).
    const cached = {
      model: "anthropic/claude-sonnet-4-5",
      messages: [
        { role: "user", content: [{ type: "text", text: "What is a system?", cache_control: { type: "ephemeral" } }] },
      ],
      max_tokens: 100,
      router: { fallback: false },
    };
    const r = await req(s, "/v1/chat/completions", { method: "POST", json: cached, key });
    expect(r.status, r.text).toBe(200);
    const usage = r.json().usage as { prompt_tokens: number; completion_tokens: number };
    expect(usage.prompt_tokens).toBe(2066);
    const status = (await req(s, `/v1/budgets/${ws}`)).json();
    expect(status.rate_limits.tokens.used).toBe(usage.prompt_tokens + usage.completion_tokens);
  });

  it("POST /v1/keys validates the limits and GET /v1/keys lists them", async () => {
    const s = await deployed();
    const ws = uniqueWorkspace("keylimits");
    for (const [body, param] of [
      [{ workspace_id: ws, name: "x", tpm_limit: 0 }, "tpm_limit"],
      [{ workspace_id: ws, name: "x", tpm_limit: 1.5 }, "tpm_limit"],
      [{ workspace_id: ws, name: "x", rpm_limit: -1 }, "rpm_limit"],
    ] as const) {
      const r = await req(s, "/v1/keys", { method: "POST", json: body });
      expect(r.status, r.text).toBe(400);
      expect(r.json().error.param).toBe(param);
    }
    await createKey(s, { workspace_id: ws, name: "both", rpm_limit: 7, tpm_limit: 9000 });
    const list = (await req(s, `/v1/keys?workspace_id=${ws}`)).json();
    expect(list.data[0]).toMatchObject({ name: "both", rpm_limit: 7, tpm_limit: 9000 });
  });

  it("the workspace settings take, keep and clear both limits", async () => {
    const s = await deployed();
    const ws = uniqueWorkspace("settings");
    expect((await req(s, `/v1/budgets/${ws}`)).status).toBe(404);
    const bad = await req(s, `/v1/budgets/${ws}`, { method: "PUT", json: { rpm_limit: 0 } });
    expect(bad.status).toBe(400);
    expect(bad.json().error.param).toBe("rpm_limit");
    expect((await req(s, `/v1/budgets/${ws}`, { method: "PUT", json: {} })).status).toBe(400);
    await req(s, `/v1/budgets/${ws}`, { method: "PUT", json: { rpm_limit: 10, tpm_limit: 1000 } });
    // A budget set later keeps the limits; a limit set to null goes.
    const both = await req(s, `/v1/budgets/${ws}`, { method: "PUT", json: { limit_usd: 5, tpm_limit: null } });
    expect(both.json()).toMatchObject({ limit_usd: 5, rpm_limit: 10, tpm_limit: null });
    expect((await req(s, `/v1/budgets/${ws}`, { method: "DELETE" })).status).toBe(200);
    expect((await req(s, `/v1/budgets/${ws}`)).status).toBe(404);
  });
});
