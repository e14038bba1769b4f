// POST /v1/responses and the stored responses through the real Worker against the emulator: state per workspace,
// what the upstream is sent on a continuation, refusals, and the stream's end after a failure.
import { describe, expect, it } from "vitest";
import { call, newSession, type Session } from "../gateway.ts";
import { parseSse } from "./fixtures.ts";

const GPT = "openai/gpt-4o-mini";
const CLAUDE = "anthropic/claude-sonnet-4-5-20250929";
const tools = [
  { type: "function", name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
];

// biome-ignore lint/suspicious/noExplicitAny: the tests read answers field by field
type Json = Record<string, any>;
const create = async (s: Session, body: Json, headers: Record<string, string> = {}) => {
  const res = await call(s.env, "/v1/responses", { method: "POST", json: body, headers });
  return { res, json: (res.headers.get("content-type")?.includes("json") ? await res.json() : null) as Json };
};

describe("POST /v1/responses", () => {
  it("continues a stored tool turn: the upstream gets the call, its output and the instructions of this turn", async () => {
    const s = await newSession();
    const first = await create(s, { model: GPT, input: "Weather in Paris?", tools, instructions: "Be brief." });
    const calls = first.json.output.filter((i: Json) => i.type === "function_call");
    const call0 = calls[0];
    expect(call0).toMatchObject({ type: "function_call", status: "completed", call_id: expect.any(String) });
    // The recorded answer makes two calls at once: each gets its output.
    const second = await create(s, {
      model: CLAUDE,
      previous_response_id: first.json.id,
      instructions: "Answer in French.",
      input: calls.map((c: Json) => ({ type: "function_call_output", call_id: c.call_id, output: "18C" })),
    });
    expect(second.res.status).toBe(200);
    const sent = (await s.requests()).at(-1)?.body as Json;
    // Anthropic's body: this turn's instructions only, the first question, the tool calls and their results.
    expect(sent.system).toBe("Answer in French.");
    expect(sent.messages.map((m: Json) => m.role)).toEqual(["user", "assistant", "user"]);
    expect(sent.messages[1].content[0]).toMatchObject({ type: "tool_use", id: call0.call_id });
    expect(sent.messages[2].content[0]).toMatchObject({
      type: "tool_result",
      tool_use_id: call0.call_id,
      content: "18C",
    });
  });

  it("a turn that leaves a call without its output, or hands a call back twice, is a 400 before any provider", async () => {
    const s = await newSession();
    const first = await create(s, { model: GPT, input: "Weather in Paris?", tools });
    const calls = first.json.output.filter((i: Json) => i.type === "function_call");
    expect(calls.length).toBeGreaterThan(1);
    const before = (await s.requests()).length;
    const partial = await create(s, {
      model: CLAUDE,
      previous_response_id: first.json.id,
      input: [{ type: "function_call_output", call_id: calls[0].call_id, output: "18C" }],
    });
    expect(partial.res.status).toBe(400);
    expect(partial.json.error).toMatchObject({ type: "invalid_request_error", param: "input" });
    expect(partial.json.error.message).toContain(`No tool output found for function call ${calls[1].call_id}`);
    const untouched = await create(s, { model: CLAUDE, previous_response_id: first.json.id, input: "And Rome?" });
    expect(untouched.res.status).toBe(400);
    expect(untouched.json.error.message).toMatch(/No tool output found/);
    const outputs = calls.map((c: Json) => ({ type: "function_call_output", call_id: c.call_id, output: "18C" }));
    const twice = await create(s, {
      model: CLAUDE,
      previous_response_id: first.json.id,
      input: [...first.json.output, ...outputs],
    });
    expect(twice.res.status).toBe(400);
    expect(twice.json.error.message).toMatch(/Duplicate item found for function call .*previous_response_id/);
    expect((await s.requests()).length).toBe(before);
    // Sent once, by value without previous_response_id, the same items are a conversation.
    const byValue = await create(s, {
      model: CLAUDE,
      input: [{ role: "user", content: "Weather in Paris?" }, ...first.json.output, ...outputs],
      tools,
    });
    expect(byValue.res.status).toBe(200);
  });

  it("an item_reference names a stored output item of the same workspace", async () => {
    const s = await newSession();
    const first = await create(s, { model: GPT, input: "hi" });
    const itemId = first.json.output[0].id;
    const next = await create(s, {
      model: GPT,
      input: [
        { type: "item_reference", id: itemId },
        { role: "user", content: "more" },
      ],
    });
    expect(next.res.status).toBe(200);
    const sent = (await s.requests()).at(-1)?.body as Json;
    expect(sent.messages[0]).toMatchObject({ role: "assistant", content: first.json.output[0].content[0].text });
    const missing = await create(s, { model: GPT, input: [{ type: "item_reference", id: "msg_nope" }] });
    expect(missing.res.status).toBe(404);
  });

  it("a stored response is its workspace's: another workspace gets 404 on continue, GET and DELETE", async () => {
    const s = await newSession();
    const mine = { "x-router-workspace": "ws-a" };
    const theirs = { "x-router-workspace": "ws-b" };
    const first = await create(s, { model: GPT, input: "hi" }, mine);
    const id = first.json.id;
    expect((await create(s, { model: GPT, input: "again", previous_response_id: id }, theirs)).res.status).toBe(404);
    expect((await call(s.env, `/v1/responses/${id}`, { headers: theirs })).status).toBe(404);
    expect((await call(s.env, `/v1/responses/${id}`, { method: "DELETE", headers: theirs })).status).toBe(404);
    const got = await call(s.env, `/v1/responses/${id}`, { headers: mine });
    expect(((await got.json()) as Json).id).toBe(id);
    const deleted = await call(s.env, `/v1/responses/${id}`, { method: "DELETE", headers: mine });
    expect(await deleted.json()).toEqual({ id, object: "response", deleted: true });
    expect((await call(s.env, `/v1/responses/${id}`, { headers: mine })).status).toBe(404);
  });

  it("a streamed response is stored too, with its output", async () => {
    const s = await newSession();
    const res = await call(s.env, "/v1/responses", {
      method: "POST",
      json: { model: CLAUDE, input: "hi", stream: true },
    });
    const events = parseSse(await res.text());
    const done = events.at(-1)?.data;
    expect(done?.type).toMatch(/response\.(completed|incomplete)/);
    const got = await call(s.env, `/v1/responses/${done?.response.id}`);
    expect(((await got.json()) as Json).output[0].content[0].text).toBe(done?.response.output[0].content[0].text);
  });

  it("a streamed response is stored before response.completed goes out, so an immediate follow-up finds it", async () => {
    const s = await newSession();
    // D1 slow to write stored responses (reads untouched): the stream's end must wait for the write.
    const real = s.env.DB;
    const slow = new Proxy(real, {
      get(target, prop) {
        if (prop !== "prepare") {
          const value = Reflect.get(target, prop);
          return typeof value === "function" ? value.bind(target) : value;
        }
        return (sql: string) => {
          const statement = target.prepare(sql);
          if (!sql.includes("INSERT INTO responses")) return statement;
          return {
            bind: (...args: unknown[]) => ({
              run: async () => {
                await new Promise((resolve) => setTimeout(resolve, 600));
                return statement.bind(...args).run();
              },
            }),
          };
        };
      },
    });
    const env = { ...s.env, DB: slow };
    const res = await call(env, "/v1/responses", { method: "POST", json: { model: GPT, input: "hi", stream: true } });
    const done = parseSse(await res.text()).at(-1)?.data;
    expect(done?.type).toBe("response.completed");
    const got = await call(s.env, `/v1/responses/${done?.response.id}`);
    expect(got.status).toBe(200);
    const next = await create(s, { model: GPT, previous_response_id: done?.response.id, input: "and then?" });
    expect(next.res.status).toBe(200);
  });

  for (const [upstream, model, mode] of [
    ["openai", GPT, "midstream_error"],
    ["anthropic", CLAUDE, "cut"],
  ] as const) {
    it(`a failure after commit on ${upstream} is response.failed, never response.completed`, async () => {
      const s = await newSession({ faults: [{ provider: upstream, mode, after_chunks: 4 }] });
      const res = await call(s.env, "/v1/responses", {
        method: "POST",
        json: { model, input: "hi", stream: true },
        headers: { "x-router-fallback": "false" },
      });
      const events = parseSse(await res.text());
      expect(events.at(-1)?.data).toMatchObject({
        type: "response.failed",
        response: { status: "failed", error: { code: "server_error" } },
      });
      expect(events.some((e) => e.data.type === "response.completed")).toBe(false);
      const seq = events.map((e) => e.data.sequence_number);
      expect(seq).toEqual(seq.map((_, i) => i));
    });
  }

  it("reasoning.effort reaches OpenAI as reasoning_effort and reasoning tokens come back in usage", async () => {
    const s = await newSession();
    const res = await create(s, { model: "openai/gpt-5.4", input: "2+2?", reasoning: { effort: "low" } });
    expect(res.res.status).toBe(200);
    expect((await s.requests()).at(-1)?.body?.reasoning_effort).toBe("low");
    expect(res.json.usage.output_tokens_details).toHaveProperty("reasoning_tokens");
  });

  it("refuses a built-in tool by name and an unknown field is a warning", async () => {
    const s = await newSession();
    const refused = await create(s, {
      model: GPT,
      input: "x",
      tools: [{ type: "file_search", vector_store_ids: ["vs_1"] }],
    });
    expect(refused.res.status).toBe(400);
    expect(refused.json.error.message).toMatch(/file_search/);
    expect(refused.json.error.param).toBe("tools.0.type");
    const warned = await create(s, { model: GPT, input: "x", prompt_cache_key: "k" });
    expect(decodeURIComponent(warned.res.headers.get("x-router-warnings") ?? "")).toMatch(/prompt_cache_key/);
  });

  it("an empty input is a 400, and a malformed item names the field that is wrong", async () => {
    const s = await newSession();
    for (const input of ["", []]) {
      const r = await create(s, { model: GPT, input });
      expect(r.res.status, JSON.stringify(r.json)).toBe(400);
      expect(r.json.error.param).toBe("input");
      expect(r.json.error.message).toMatch(/input must/);
    }
    const item = await create(s, { model: GPT, input: [{ role: "user", content: 42 }] });
    expect(item.res.status).toBe(400);
    expect(item.json.error.param).toMatch(/^input\.0\.content/);
    expect(item.json.error.message).not.toMatch(/: Invalid input$/);
    expect(await s.requests()).toHaveLength(0);
  });

  it("settings it cannot carry (text.verbosity, truncation auto, an unknown include) are warnings, not silence", async () => {
    const s = await newSession();
    const r = await create(s, {
      model: GPT,
      input: "x",
      text: { verbosity: "low" },
      truncation: "auto",
      include: ["reasoning.encrypted_content", "message.output_text.logprobs"],
    });
    expect(r.res.status).toBe(200);
    const warnings = decodeURIComponent(r.res.headers.get("x-router-warnings") ?? "");
    expect(warnings).toMatch(/text\.verbosity "low" is not carried/);
    expect(warnings).toMatch(/truncation "auto" is not carried/);
    expect(warnings).toMatch(/include "message\.output_text\.logprobs" is not supported/);
    expect(warnings).not.toMatch(/reasoning\.encrypted_content/);
  });

  it("service_tier reaches OpenAI as on chat", async () => {
    const s = await newSession();
    const r = await create(s, { model: GPT, input: "x", service_tier: "flex" });
    expect(r.res.status, JSON.stringify(r.json)).toBe(200);
    expect((await s.requests()).at(-1)?.body?.service_tier).toBe("flex");
  });

  it("store: false keeps nothing", async () => {
    const s = await newSession();
    const first = await create(s, { model: GPT, input: "hi", store: false });
    expect(first.json.store).toBe(false);
    expect((await call(s.env, `/v1/responses/${first.json.id}`)).status).toBe(404);
  });
});

describe("stored responses when D1 is down", () => {
  /** A D1 binding whose every method throws. */
  const brokenD1 = () =>
    new Proxy(
      {},
      {
        get: () => () => {
          throw new Error("D1_ERROR: database unavailable");
        },
      },
    ) as unknown as D1Database;

  it("an answer is still given (not stored), and a continuation or GET is a 503, never a 500", async () => {
    const s = await newSession({}, { DB: brokenD1() });
    const answered = await create(s, { model: GPT, input: "hi" });
    expect(answered.res.status).toBe(200);
    const continued = await create(s, { model: GPT, input: "again", previous_response_id: "resp_x" });
    expect(continued.res.status).toBe(503);
    expect(continued.json.error.code).toBe("store_unavailable");
    expect((await call(s.env, "/v1/responses/resp_x")).status).toBe(503);
  });
});
