// POST /v1/messages and count_tokens through the real Worker against the emulator: Anthropic's shapes on every
// provider, what reaches Anthropic unchanged, errors (before and after the commit point) and the ledger's dialect.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, newSession, type Session } from "../gateway.ts";
import { parseSse } from "./fixtures.ts";

const HAIKU = "anthropic/claude-haiku-4-5-20251001";
const GPT = "openai/gpt-4o-mini";
const ADMIN = "messages-admin-key";

const messages = (s: Session, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  call(s.env, "/v1/messages", { method: "POST", json: body, headers });
const base = { max_tokens: 200, messages: [{ role: "user", content: "Weather in Paris?" }] };
const tools = [{ name: "get_weather", input_schema: { type: "object", properties: { city: { type: "string" } } } }];

describe("POST /v1/messages", () => {
  it("every answer carries Anthropic's request-id header, the same id as x-request-id: JSON, stream, errors, count_tokens", async () => {
    const s = await newSession();
    const same = (res: Response) => {
      expect(res.headers.get("request-id")).toMatch(/^req_/);
      expect(res.headers.get("request-id")).toBe(res.headers.get("x-request-id"));
    };
    same(await messages(s, { ...base, model: GPT }));
    const streamed = await messages(s, { ...base, model: GPT, stream: true });
    same(streamed);
    await streamed.text();
    const refused = await messages(s, { ...base, model: GPT, messages: [] });
    expect(refused.status).toBe(400);
    same(refused);
    const unknown = await call(s.env, "/v1/messages/batches", { method: "POST", json: {} });
    expect(unknown.status).toBe(404);
    same(unknown);
    same(await call(s.env, "/v1/messages/count_tokens", { method: "POST", json: { ...base, model: GPT } }));
    // Other dialects keep only their own header.
    const chat = await call(s.env, "/v1/chat/completions", { method: "POST", json: { ...base, model: GPT } });
    expect(chat.headers.get("request-id")).toBeNull();
  });

  it("an empty or thinking-only assistant turn is left out for OpenAI (which refuses one), and said", async () => {
    const s = await newSession();
    const res = await messages(s, {
      ...base,
      model: GPT,
      messages: [
        { role: "user", content: "Weather in Paris?" },
        { role: "assistant", content: [{ type: "thinking", thinking: "Hmm.", signature: "sig" }] },
        { role: "user", content: "Well?" },
        { role: "assistant", content: "" },
      ],
    });
    expect(res.status).toBe(200);
    const sent = (await s.requests()).at(-1)?.body as { messages: { role: string }[] };
    expect(sent.messages.map((m) => m.role)).toEqual(["user", "user"]);
    expect(decodeURIComponent(res.headers.get("x-router-warnings") ?? "")).toMatch(
      /2 assistant turn\(s\) with no text and no tool calls were not sent to openai/,
    );
  });

  it("a tool turn from an OpenAI model is Anthropic's tool_use, in JSON and in the stream", async () => {
    const s = await newSession();
    const res = await messages(s, { ...base, model: GPT, tools });
    // biome-ignore lint/suspicious/noExplicitAny: the test reads the answer field by field
    const json = (await res.json()) as Record<string, any>;
    expect(json.stop_reason).toBe("tool_use");
    expect(json.content.find((b: { type: string }) => b.type === "tool_use")).toMatchObject({
      type: "tool_use",
      input: expect.any(Object),
    });
    const stream = parseSse(await (await messages(s, { ...base, model: GPT, tools, stream: true })).text());
    expect(stream[0]?.event).toBe("message_start");
    expect(stream.find((e) => e.event === "content_block_start")?.data.content_block.type).toBe("tool_use");
    expect(stream.find((e) => e.event === "message_delta")?.data.delta.stop_reason).toBe("tool_use");
    expect(stream.at(-1)?.event).toBe("message_stop");
  });

  it("cache_control breakpoints and thinking reach Anthropic unchanged; cache usage comes back", async () => {
    const s = await newSession();
    const system = [{ type: "text", text: "A long guide.", cache_control: { type: "ephemeral", ttl: "1h" } }];
    const thinking = { type: "enabled", budget_tokens: 2048 };
    const res = await messages(s, { ...base, model: HAIKU, max_tokens: 4096, system, thinking });
    // biome-ignore lint/suspicious/noExplicitAny: the test reads the answer field by field
    const json = (await res.json()) as Record<string, any>;
    expect(json.usage).toMatchObject({ cache_creation_input_tokens: 2056, cache_read_input_tokens: 0 });
    const sent = (await s.requests()).at(-1)?.body;
    expect(sent?.system).toEqual(system);
    expect(sent?.thinking).toEqual(thinking);
  });

  it("the same breakpoints to OpenAI are dropped with a warning", async () => {
    const s = await newSession();
    const system = [{ type: "text", text: "A long guide.", cache_control: { type: "ephemeral" } }];
    const res = await messages(s, { ...base, model: GPT, system });
    expect(res.status).toBe(200);
    expect(decodeURIComponent(res.headers.get("x-router-warnings") ?? "")).toMatch(/cache_control/);
    expect(JSON.stringify((await s.requests()).at(-1)?.body)).not.toContain("cache_control");
  });

  it("thinking streams as thinking_delta and signature_delta before the text", async () => {
    const s = await newSession();
    const res = await messages(s, {
      ...base,
      model: HAIKU,
      max_tokens: 8192,
      stream: true,
      thinking: { type: "enabled", budget_tokens: 1024 },
    });
    const events = parseSse(await res.text());
    const deltas = events.filter((e) => e.event === "content_block_delta").map((e) => e.data.delta.type);
    expect(deltas).toContain("thinking_delta");
    expect(deltas).toContain("signature_delta");
    expect(deltas.indexOf("thinking_delta")).toBeLessThan(deltas.indexOf("text_delta"));
    expect(events.find((e) => e.event === "content_block_start")?.data.content_block.type).toBe("thinking");
  });

  for (const [upstream, model, mode, type] of [
    // Anthropic's own overloaded_error mid-stream keeps its type; a cut connection is an api_error.
    ["anthropic", HAIKU, "midstream_error", "overloaded_error"],
    ["openai", GPT, "cut", "api_error"],
  ] as const) {
    it(`a failure after commit on ${upstream} is an error event (${type}) and no message_stop`, async () => {
      const s = await newSession({ faults: [{ provider: upstream, mode, after_chunks: 4 }] });
      const res = await messages(s, { ...base, model, stream: true }, { "x-router-fallback": "false" });
      expect(res.status).toBe(200);
      const events = parseSse(await res.text());
      expect(events.at(-1)).toMatchObject({ event: "error", data: { type: "error", error: { type } } });
      expect(events.some((e) => e.event === "message_stop")).toBe(false);
    });
  }

  it("bad input and a wrong key answer in Anthropic's error shape", async () => {
    const s = await newSession({}, { ADMIN_KEY: ADMIN });
    const bad = await messages(s, { model: HAIKU, messages: base.messages });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      type: "error",
      error: { type: "invalid_request_error", message: expect.stringMatching(/max_tokens/) },
    });
    const wrong = await messages(s, { ...base, model: HAIKU }, { "x-api-key": "sy-wrong-key" });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ type: "error", error: { type: "authentication_error" } });
    const ok = await messages(s, { ...base, model: HAIKU }, { "x-api-key": ADMIN, "anthropic-version": "2023-06-01" });
    expect(ok.status).toBe(200);
    const bearer = await messages(s, { ...base, model: HAIKU }, { authorization: `Bearer ${ADMIN}` });
    expect(bearer.status).toBe(200);
  });

  it("an empty user content, or a max_tokens of the wrong kind, is a 400 that says what is wrong", async () => {
    const s = await newSession();
    const empty = await messages(s, { model: GPT, max_tokens: 10, messages: [{ role: "user", content: [] }] });
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({
      type: "error",
      error: { type: "invalid_request_error", message: expect.stringMatching(/messages\.0\.content.*non-empty/) },
    });
    for (const max_tokens of ["100", 0, 10.5]) {
      const bad = await messages(s, { model: GPT, max_tokens, messages: base.messages });
      const body = (await bad.json()) as { error: { message: string } };
      expect(bad.status).toBe(400);
      expect(body.error.message).toBe("'max_tokens': must be a positive integer");
    }
    const missing = await messages(s, { model: GPT, messages: base.messages });
    expect(((await missing.json()) as { error: { message: string } }).error.message).toBe(
      "'max_tokens': Field required",
    );
    expect(await s.requests()).toHaveLength(0);
  });

  it("several system text blocks reach Anthropic as blocks, not glued into one sentence", async () => {
    const s = await newSession();
    const system = [
      { type: "text", text: "You are terse." },
      { type: "text", text: "Answer in French." },
    ];
    const res = await messages(s, { ...base, model: HAIKU, system });
    expect(res.status).toBe(200);
    expect((await s.requests()).at(-1)?.body?.system).toEqual(system);
  });

  it("anthropic-beta reaches Anthropic; to another provider it is a warning; a malformed one is a 400", async () => {
    const s = await newSession();
    const beta = { "anthropic-beta": "context-1m-2025-08-07, interleaved-thinking-2025-05-14" };
    const claude = await messages(s, { ...base, model: HAIKU }, beta);
    expect(claude.status).toBe(200);
    const sent = (await s.requests()).at(-1);
    expect(sent?.headers["anthropic-beta"]).toBe("context-1m-2025-08-07,interleaved-thinking-2025-05-14");
    const gpt = await messages(s, { ...base, model: GPT }, beta);
    expect(gpt.status).toBe(200);
    expect(decodeURIComponent(gpt.headers.get("x-router-warnings") ?? "")).toMatch(
      /anthropic-beta .* not sent to openai/,
    );
    expect((await s.requests()).at(-1)?.headers["anthropic-beta"]).toBeUndefined();
    const bad = await messages(s, { ...base, model: HAIKU }, { "anthropic-beta": "no spaces allowed" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
  });

  it("a failed tool's result keeps is_error to Anthropic, and reads 'Error: …' to other providers", async () => {
    const s = await newSession();
    const turns = [
      { role: "user", content: "Weather in Paris?" },
      {
        role: "assistant",
        content: [{ type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } }],
      },
      {
        role: "user",
        content: [{ type: "tool_result", tool_use_id: "toolu_1", is_error: true, content: "timeout" }],
      },
    ];
    const claude = await messages(s, { model: HAIKU, max_tokens: 100, tools, messages: turns });
    expect(claude.status).toBe(200);
    const toClaude = (await s.requests()).at(-1)?.body as { messages: { content: unknown[] }[] };
    expect(toClaude.messages.at(-1)?.content).toEqual([
      { type: "tool_result", tool_use_id: "toolu_1", content: "timeout", is_error: true },
    ]);
    const gpt = await messages(s, { model: GPT, max_tokens: 100, tools, messages: turns });
    expect(gpt.status).toBe(200);
    const toGpt = (await s.requests()).at(-1)?.body as { messages: Record<string, unknown>[] };
    expect(toGpt.messages.at(-1)).toEqual({ role: "tool", tool_call_id: "toolu_1", content: "Error: timeout" });
  });

  it("a body that is not JSON, or a path that does not exist, is Anthropic's shape too", async () => {
    const s = await newSession();
    const broken = await call(s.env, "/v1/messages", {
      method: "POST",
      body: "{not json",
      headers: { "content-type": "application/json" },
    });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
    const missing = await call(s.env, "/v1/messages/batches", { method: "GET" });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ type: "error", error: { type: "not_found_error" } });
  });

  it("every provider failing is Anthropic's error shape with the attempts", async () => {
    const s = await newSession({ faults: [{ provider: "anthropic", mode: "status", status: 529 }] });
    const res = await messages(s, { ...base, model: HAIKU }, { "x-router-fallback": "false" });
    expect(res.status).toBeGreaterThanOrEqual(500);
    // biome-ignore lint/suspicious/noExplicitAny: the test reads the answer field by field
    const json = (await res.json()) as Record<string, any>;
    expect(json.type).toBe("error");
    expect(json.x_router.attempts.length).toBeGreaterThan(0);
  });

  it("the ledger records the dialect, and /v1/usage groups by it", async () => {
    const s = await newSession();
    const res = await messages(s, { ...base, model: HAIKU }, { "x-router-workspace": "ws-messages-dialect" });
    const id = res.headers.get("x-request-id");
    const row = await env.DB.prepare("SELECT dialect FROM requests WHERE id = ?").bind(id).first<{ dialect: string }>();
    expect(row?.dialect).toBe("messages");
    const usage = await call(s.env, "/v1/usage?workspace_id=ws-messages-dialect&group_by=dialect");
    const groups = ((await usage.json()) as { groups: { key: string; requests: number }[] }).groups;
    expect(groups).toEqual([expect.objectContaining({ key: "messages", requests: 1 })]);
  });
});

describe("POST /v1/messages/count_tokens", () => {
  it("asks Anthropic for an Anthropic model, and estimates for the others", async () => {
    const s = await newSession();
    const body = {
      messages: [{ role: "user", content: [{ type: "text", text: "The quick brown fox jumps over the lazydog." }] }],
    };
    const claude = await call(s.env, "/v1/messages/count_tokens", {
      method: "POST",
      json: { ...body, model: "anthropic/claude-sonnet-4-5" },
    });
    expect(await claude.json()).toEqual({ input_tokens: 19 });
    expect(claude.headers.get("x-router-token-count")).toBe("anthropic");
    const sent = (await s.requests()).at(-1);
    expect(sent?.path).toBe("/v1/messages/count_tokens");
    expect(sent?.body).toEqual({ ...body, model: "claude-sonnet-4-5-20250929" });
    const gpt = await call(s.env, "/v1/messages/count_tokens", { method: "POST", json: { ...body, model: GPT } });
    expect(gpt.headers.get("x-router-token-count")).toBe("estimate");
    expect(((await gpt.json()) as { input_tokens: number }).input_tokens).toBeGreaterThan(5);
  });

  it("waits for Anthropic's count no longer than the caller's tightened clocks, then estimates", async () => {
    const s = await newSession({ faults: [{ provider: "anthropic", mode: "hang" }] });
    const started = Date.now();
    const r = await call(s.env, "/v1/messages/count_tokens", {
      method: "POST",
      json: { model: "anthropic/claude-sonnet-4-5", messages: [{ role: "user", content: "hi" }] },
      headers: { "x-router-timeout-headers-ms": "300" },
    });
    expect(r.status).toBe(200);
    expect(r.headers.get("x-router-token-count")).toBe("estimate");
    // The configured clock is 15 s: the answer came on the caller's.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("refuses what POST /v1/messages refuses: an unknown model, a bad routing control", async () => {
    const s = await newSession();
    const body = { messages: [{ role: "user", content: "hi" }] };
    const unknown = await call(s.env, "/v1/messages/count_tokens", {
      method: "POST",
      json: { ...body, model: "nope" },
    });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
    const strategy = await call(s.env, "/v1/messages/count_tokens", {
      method: "POST",
      json: { ...body, model: GPT },
      headers: { "x-router-strategy": "bogus" },
    });
    expect(strategy.status).toBe(400);
    const auto = await call(s.env, "/v1/messages/count_tokens", { method: "POST", json: { ...body, model: "auto" } });
    expect(auto.status).toBe(200);
  });
});
