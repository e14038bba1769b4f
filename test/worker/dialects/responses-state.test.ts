// The Responses API's stored state as the official openai client uses it.
import { describe, expect, it } from "vitest";
import { call, newSession } from "../gateway.ts";
import { client } from "../rescue/helpers.ts";

const GPT = "openai/gpt-4o-mini";
const CLAUDE = "anthropic/claude-sonnet-4-5-20250929";
const tools = [
  {
    type: "function" as const,
    name: "get_weather",
    strict: false,
    parameters: { type: "object", properties: { city: { type: "string" } } },
  },
];

describe("item_reference across several turns", () => {
  it("a function_call referenced on turn 2 can be referenced again on turn 3", async () => {
    const s = await newSession();
    const c = client(s);
    const r1 = await c.responses.create({ model: GPT, input: "Weather in Paris?", tools });
    const fc = r1.output.find((i) => i.type === "function_call");
    if (fc?.type !== "function_call") throw new Error("no call");
    const history = [
      { role: "user" as const, content: "Weather in Paris?" },
      { type: "item_reference" as const, id: fc.id! },
      { type: "function_call_output" as const, call_id: fc.call_id, output: "18C" },
    ];
    const r2 = await c.responses.create({ model: GPT, input: history });
    const msg = r2.output[0]!;
    // Turn 3 sends the whole conversation again, the assistant's earlier items by reference (the Vercel AI SDK's
    // @ai-sdk/openai does exactly this each turn with store on). OpenAI resolves every reference to an item it stored;
    // here the turn-1 call is a 404 once turn 2 has been stored, because turn 2's stored input also holds that id.
    const r3 = await call(s.env, "/v1/responses", {
      method: "POST",
      json: {
        model: GPT,
        input: [...history, { type: "item_reference", id: msg.id }, { role: "user", content: "And tomorrow?" }],
      },
    });
    expect(r3.status, await r3.clone().text()).toBe(200);
  });
});

describe("a streamed response, then retrieved", () => {
  it("has the streamed usage, output_text, metadata and user", async () => {
    const s = await newSession();
    const c = client(s);
    const stream = await c.responses.create({
      model: CLAUDE,
      input: "hi",
      stream: true,
      metadata: { run: "r1" },
      user: "u-1",
      instructions: "Be brief.",
    });
    let done: any;
    let text = "";
    for await (const e of stream) {
      if (e.type === "response.output_text.delta") text += e.delta;
      if (e.type === "response.completed") done = e.response;
    }
    const got = await c.responses.retrieve(done.id);
    expect(got.output_text).toBe(text);
    expect(got.usage).toEqual(done.usage);
    expect(got.metadata).toEqual({ run: "r1" });
    expect(got.user).toBe("u-1");
    expect(got.instructions).toBe("Be brief.");
    expect(got.status).toBe("completed");
    // The SDK's auto-pagination over input_items, a page at a time.
    const ids: string[] = [];
    for await (const item of c.responses.inputItems.list(done.id, { limit: 1 })) ids.push(item.id);
    expect(ids).toHaveLength(1);
  });
});

describe("GET /v1/responses/{id}?stream=true", () => {
  it("is either the response's events or a refusal the SDK raises, never an empty stream", async () => {
    const s = await newSession();
    const c = client(s);
    const r = await c.responses.create({ model: GPT, input: "hi" });
    // client.responses.retrieve(id, { stream: true }) reads the answer as SSE (node_modules/openai
    // resources/responses/responses.js, retrieve: `stream: query?.stream ?? false`). OpenAI answers it with the
    // response's events (background responses) or refuses it with a 400 (e.g. "This response can no longer be
    // streamed..."), which the SDK raises. Here the query is ignored: a 200 JSON body, which the SDK's SSE reader turns
    // into a stream of zero events and no error.
    const events: string[] = [];
    let error: unknown = null;
    try {
      const stream = await c.responses.retrieve(r.id, { stream: true });
      for await (const e of stream) events.push(e.type);
    } catch (e) {
      error = e;
    }
    expect(events.length > 0 || error !== null, "an empty stream with no error").toBe(true);
  });
});

const b64 = (t: string) => btoa(String.fromCharCode(...new TextEncoder().encode(t)));
const chunk = (delta: object, finish: string | null, usage: object | null = null) =>
  `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "gpt-4o-mini", choices: usage ? [] : [{ index: 0, delta, finish_reason: finish }], usage })}\n\n`;
const USAGE = { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 };

describe("a length stop, stored", () => {
  it("JSON and stream: retrieved incomplete with its reason and max_output_tokens; a continuation works", async () => {
    const json = JSON.stringify({
      id: "c0",
      object: "chat.completion",
      created: 1,
      model: "gpt-4o-mini",
      choices: [{ index: 0, message: { role: "assistant", content: "Once upon" }, finish_reason: "length" }],
      usage: USAGE,
    });
    const s = await newSession({
      faults: [
        {
          provider: "openai",
          model: "gpt-4o-mini",
          mode: "raw",
          times: 1,
          pieces: [b64(json)],
          content_type: "application/json",
        },
      ],
    });
    const c = client(s, { "x-router-fallback": "false" });
    const r1 = await c.responses.create({ model: GPT, input: "Tell a story", max_output_tokens: 16 });
    expect(r1).toMatchObject({
      status: "incomplete",
      incomplete_details: { reason: "max_output_tokens" },
      max_output_tokens: 16,
    });
    const g1 = await c.responses.retrieve(r1.id);
    expect(g1).toMatchObject({
      status: "incomplete",
      incomplete_details: { reason: "max_output_tokens" },
      max_output_tokens: 16,
    });
    expect(g1.output_text).toBe("Once upon");
    expect(g1.usage).toEqual(r1.usage);

    await s.setFaults([
      {
        provider: "openai",
        model: "gpt-4o-mini",
        mode: "raw",
        times: 1,
        pieces: [
          chunk({ role: "assistant", content: "" }, null),
          chunk({ content: "Once" }, null),
          chunk({ content: " upon" }, null),
          chunk({}, "length"),
          chunk({}, null, USAGE),
          "data: [DONE]\n\n",
        ].map(b64),
      },
    ]);
    const stream = await c.responses.create({ model: GPT, input: "Tell a story", max_output_tokens: 16, stream: true });
    let last: any;
    for await (const e of stream) last = e;
    expect(last.type).toBe("response.incomplete");
    const g2 = await c.responses.retrieve(last.response.id);
    expect(g2).toMatchObject({ status: "incomplete", incomplete_details: { reason: "max_output_tokens" } });
    expect(g2.output_text).toBe("Once upon");
    expect(g2.usage).toEqual(last.response.usage);
    expect(g2.usage?.output_tokens).toBe(3);

    const r3 = await c.responses.create({ model: GPT, input: "go on", previous_response_id: g2.id });
    expect(r3.status).toBe("completed");
    const sent = (await s.requests()).at(-1)?.body as any;
    expect(sent.messages.map((m: any) => [m.role, m.content])).toEqual([
      ["user", "Tell a story"],
      ["assistant", "Once upon"],
      ["user", "go on"],
    ]);
  });
});

describe("a chain three turns deep across providers, with a tool call", () => {
  it("OpenAI call -> Anthropic with its output -> OpenAI: each upstream gets the whole history, only its own instructions", async () => {
    const s = await newSession();
    const c = client(s);
    const r1 = await c.responses.create({ model: GPT, input: "Weather in Paris?", tools, instructions: "one" });
    const calls = r1.output.flatMap((i) => (i.type === "function_call" ? [i] : []));
    const fc = calls[0];
    if (fc === undefined) throw new Error("no call");
    // Every call the model made gets its output (the recorded answer makes two at once).
    const r2 = await c.responses.create({
      model: CLAUDE,
      previous_response_id: r1.id,
      input: calls.map((call) => ({ type: "function_call_output" as const, call_id: call.call_id, output: "18C" })),
      instructions: "two",
    });
    expect(r2.previous_response_id).toBe(r1.id);
    const r3 = await c.responses.create({ model: GPT, previous_response_id: r2.id, input: "Thanks" });
    expect(r3.instructions).toBeNull();
    const sent = (await s.requests()).at(-1)?.body as any;
    expect(sent.messages.map((m: any) => m.role)).toEqual([
      "user",
      "assistant",
      ...calls.map(() => "tool"),
      "assistant",
      "user",
    ]);
    expect(sent.messages[1].tool_calls[0].id).toBe(fc.call_id);
    expect(sent.messages[2 + calls.length].content).toBe(r2.output_text);
    // Deleting the middle turn: the later one still continues (each stored turn keeps its whole conversation).
    await c.responses.delete(r2.id);
    await expect(c.responses.retrieve(r2.id)).rejects.toMatchObject({ status: 404 });
    const items = await c.responses.inputItems.list(r3.id);
    expect(items.data.map((i) => i.type)).toEqual(["message"]);
  });
});

describe("reasoning items handed back by value with store on", () => {
  it("[...previous.output, function_call_output] gives Anthropic its signed thinking back with the tool_use", async () => {
    // Anthropic answers with thinking (signed) and a tool call.
    const message = JSON.stringify({
      id: "msg_1",
      type: "message",
      role: "assistant",
      model: "claude-haiku-4-5-20251001",
      content: [
        { type: "thinking", thinking: "Need the weather tool.", signature: "sig-abc" },
        { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } },
      ],
      stop_reason: "tool_use",
      stop_sequence: null,
      usage: { input_tokens: 20, output_tokens: 10 },
    });
    const s = await newSession({
      faults: [
        {
          provider: "anthropic",
          model: "claude-haiku-4-5-20251001",
          mode: "raw",
          times: 1,
          pieces: [b64(message)],
          content_type: "application/json",
        },
      ],
    });
    const c = client(s, { "x-router-fallback": "false" });
    const HAIKU = "anthropic/claude-haiku-4-5-20251001";
    const r1 = await c.responses.create({
      model: HAIKU,
      input: "Weather in Paris?",
      tools,
      reasoning: { effort: "low" },
    });
    expect(r1.output.map((i) => i.type)).toEqual(["reasoning", "function_call"]);
    const fc = r1.output[1];
    if (fc?.type !== "function_call") throw new Error("no call");
    // The openai client's manual tool loop: the previous output by value, then the tool's result. With store on (the
    // default) OpenAI resolves a reasoning item handed back without encrypted_content by its id from its store:
    // encrypted_content is only for using the API statelessly (node_modules/openai resources/responses/responses.d.ts,
    // ResponseIncludable: "reasoning.encrypted_content ... enables reasoning items to be used in multi-turn
    // conversations when using the Responses API statelessly (like when the store parameter is set to false ...)").
    // Here the item is dropped with a warning, though the stored response holds its sealed thinking (an item_reference
    // to the same id would hand it back).
    await c.responses.create({
      model: HAIKU,
      tools,
      reasoning: { effort: "low" },
      input: [
        { role: "user", content: "Weather in Paris?" },
        ...(r1.output as any[]),
        { type: "function_call_output", call_id: fc.call_id, output: "18C" },
      ],
    });
    const sent = (await s.requests()).at(-1)?.body as any;
    // Anthropic refuses a tool_use continuation with thinking on whose assistant turn does not start with its thinking.
    expect(sent.messages[1].content[0]).toMatchObject({ type: "thinking", signature: "sig-abc" });
  });
});

describe("GET with include=reasoning.encrypted_content", () => {
  // client.responses.retrieve(id, { include: ["reasoning.encrypted_content"] }) (ResponseRetrieveParamsBase.include:
  // "Additional fields to include in the response. See the include parameter for Response creation"): OpenAI adds the
  // reasoning items' encrypted_content. Here the query is ignored, though the stored item keeps the sealed state, so a
  // client moving a stored conversation to store: false cannot get it.
  it("gives the stored reasoning item's encrypted_content, as OpenAI's retrieve does", async () => {
    const s = await newSession();
    const c = client(s);
    const HAIKU = "anthropic/claude-haiku-4-5-20251001";
    const r1 = await c.responses.create({
      model: HAIKU,
      input: "Two names for a pelican",
      reasoning: { effort: "low" },
    });
    expect(r1.output[0]?.type).toBe("reasoning");
    const got = await c.responses.retrieve(r1.id, { include: ["reasoning.encrypted_content"] });
    expect((got.output[0] as any).encrypted_content).toMatch(/^swy1\./);
  });
});
