// The official clients (openai, @anthropic-ai/sdk, the Vercel AI SDK) used the way an app would, on every provider
// behind every dialect, against the deployed build. They pass over what the emulator cannot answer: Ollama structured
// output (no `format` answer is synthesized), and zod-typed tool arguments on Mistral (its recorded call's argument
// names are fixed).
import { createAnthropic } from "@ai-sdk/anthropic";
import { createOpenAI } from "@ai-sdk/openai";
import Anthropic from "@anthropic-ai/sdk";
import { embed, generateObject, generateText, jsonSchema, stepCountIs, streamObject, streamText, tool } from "ai";
import OpenAI from "openai";
import { zodFunction, zodResponseFormat, zodTextFormat } from "openai/helpers/zod";
import { describe, expect, inject, it } from "vitest";
import { z } from "zod";

const gateway = inject("gatewayUrl");
const KEY = "e2e-admin-key";
const openai = new OpenAI({ baseURL: `${gateway}/v1`, apiKey: KEY, maxRetries: 0 });
const anthropic = new Anthropic({ baseURL: gateway, apiKey: KEY, maxRetries: 0 });

const MODELS = {
  openai: "openai/gpt-4o-mini",
  anthropic: "anthropic/claude-sonnet-4-5-20250929",
  mistral: "mistral/mistral-large-latest",
  together: "together/meta-llama/Llama-3.3-70B-Instruct-Turbo",
  ollama: "ollama/llama3.2",
} as const;
const ALL = Object.entries(MODELS);

const Weather = z.object({ city: z.string(), sky: z.enum(["clear", "cloudy"]) });

const chatTools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
  {
    type: "function",
    function: {
      name: "get_weather",
      description: "Weather for a city",
      parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    },
  },
];

/** The emulator synthesizes structured answers for OpenAI-compatible and Anthropic requests only, not Ollama's `format`. */
const STRUCTURED = ALL.filter(([p]) => p !== "ollama");
/** Mistral's recorded tool call has other argument names (`location`) than any schema a test could ask for. */
const ZOD_TOOLS = ALL.filter(([p]) => p !== "mistral");

describe.each(ALL)("openai chat on %s", (_p, model) => {
  it("stream(): events, tool call args done, finalChatCompletion usage", async () => {
    const stream = openai.chat.completions.stream({
      model,
      messages: [{ role: "user", content: "Weather in Paris?" }],
      tools: chatTools,
      stream_options: { include_usage: true },
    });
    const done: string[] = [];
    stream.on("tool_calls.function.arguments.done", (e) => done.push(e.arguments));
    const final = await stream.finalChatCompletion();
    const calls = final.choices[0]?.message.tool_calls ?? [];
    expect(calls.length).toBeGreaterThan(0);
    expect(done.length).toBe(calls.length);
    for (const c of calls) {
      if (c.type !== "function") throw new Error("function");
      expect(c.id).toMatch(/.+/);
      expect(JSON.parse(c.function.arguments)).toBeTypeOf("object");
    }
    expect(new Set(calls.map((c) => c.id)).size).toBe(calls.length);
    expect(final.choices[0]?.finish_reason).toBe("tool_calls");
    expect(final.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(final.id).toMatch(/.+/);
  });

  it("tool round trip: the call's id and a tool message back", async () => {
    const first = await openai.chat.completions.create({
      model,
      messages: [{ role: "user", content: "Weather in Paris?" }],
      tools: chatTools,
    });
    const msg = first.choices[0]!.message;
    const calls = msg.tool_calls ?? [];
    expect(calls.length).toBeGreaterThan(0);
    const second = await openai.chat.completions.create({
      model,
      tools: chatTools,
      messages: [
        { role: "user", content: "Weather in Paris?" },
        msg,
        ...calls.map((c) => ({ role: "tool" as const, tool_call_id: c.id, content: "18C" })),
      ],
    });
    expect(second.choices[0]?.message).toBeDefined();
  });
});

describe.each(STRUCTURED)("openai chat structured output on %s", (_p, model) => {
  it("parse() with zodResponseFormat", async () => {
    const r = await openai.chat.completions.parse({
      model,
      messages: [{ role: "user", content: "Weather in Paris as JSON" }],
      response_format: zodResponseFormat(Weather, "weather"),
    });
    expect(r.choices[0]?.message.parsed).toEqual({ city: "emulated", sky: "clear" });
  });

  it("stream() with zodResponseFormat: content.done parsed", async () => {
    const stream = openai.chat.completions.stream({
      model,
      messages: [{ role: "user", content: "Weather in Paris as JSON" }],
      response_format: zodResponseFormat(Weather, "weather"),
    });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]?.message.parsed).toEqual({ city: "emulated", sky: "clear" });
  });
});

describe.each(ZOD_TOOLS)("openai chat zodFunction on %s", (_p, model) => {
  it("parse() with zodFunction tools gives parsed_arguments", async () => {
    const r = await openai.chat.completions.parse({
      model,
      messages: [{ role: "user", content: "Weather in Paris?" }],
      tools: [zodFunction({ name: "get_weather", parameters: z.object({ city: z.string() }) })],
    });
    const call = r.choices[0]?.message.tool_calls?.[0];
    expect(call?.type).toBe("function");
    if (call?.type !== "function") throw new Error("function");
    expect(call.function.parsed_arguments).toBeTypeOf("object");
  });
});

describe("openai chat: history from another provider's tool ids", () => {
  it.each(ALL)("%s accepts a call_ id (OpenAI's) in the history", async (_p, model) => {
    const r = await openai.chat.completions.create({
      model,
      messages: [
        { role: "user", content: "Weather in Paris?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: "call_u0T52evs3Y0byXDiUv5Al8dG",
              type: "function",
              function: { name: "get_weather", arguments: '{"city":"Paris"}' },
            },
          ],
        },
        { role: "tool", tool_call_id: "call_u0T52evs3Y0byXDiUv5Al8dG", content: "18C" },
      ],
      tools: chatTools,
    });
    expect(r.object).toBe("chat.completion");
  });
});

const respTool = {
  type: "function" as const,
  name: "get_weather",
  description: "Weather for a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  strict: false,
};

describe.each(ALL)("openai responses on %s", (_p, model) => {
  it("responses.stream text: finalResponse, output_text.done, event order", async () => {
    const stream = openai.responses.stream({ model, input: "Tell me a joke" });
    const types: string[] = [];
    let doneText = "";
    stream.on("event", (e) => types.push(e.type));
    stream.on("response.output_text.done", (e) => {
      doneText = e.text;
    });
    const final = await stream.finalResponse();
    expect(final.output_text.length).toBeGreaterThan(0);
    expect(doneText).toBe(final.output_text);
    expect(final.usage?.output_tokens).toBeGreaterThan(0);
    expect(final.usage?.input_tokens).toBeGreaterThan(0);
    const seqOk = types.indexOf("response.output_item.added") < types.indexOf("response.content_part.added");
    expect(seqOk).toBe(true);
  });

  it("responses.stream function call: arguments.done, finalResponse function_call", async () => {
    const stream = openai.responses.stream({ model, input: "Weather in Paris?", tools: [respTool] });
    const argsDone: string[] = [];
    stream.on("response.function_call_arguments.done", (e) => argsDone.push(e.arguments));
    const final = await stream.finalResponse();
    const calls = final.output.filter((i) => i.type === "function_call");
    expect(calls.length).toBeGreaterThan(0);
    expect(argsDone.length).toBe(calls.length);
    for (const c of calls) {
      if (c.type !== "function_call") throw new Error("fc");
      expect(JSON.parse(c.arguments)).toBeTypeOf("object");
      expect(c.call_id).toMatch(/.+/);
      expect(c.status).toBe("completed");
    }
  });

  it("previous_response_id on a streamed turn", async () => {
    const stream = openai.responses.stream({ model, input: "Tell me a joke" });
    const first = await stream.finalResponse();
    const second = await openai.responses.create({ model, previous_response_id: first.id, input: "another" });
    expect(second.previous_response_id).toBe(first.id);
    expect(second.output_text.length).toBeGreaterThan(0);
  });
});

describe.each(STRUCTURED)("openai responses structured output on %s", (_p, model) => {
  it("responses.parse with zodTextFormat", async () => {
    const r = await openai.responses.parse({
      model,
      input: "Weather in Paris as JSON",
      text: { format: zodTextFormat(Weather, "weather") },
    });
    expect(r.output_parsed).toEqual({ city: "emulated", sky: "clear" });
  });

  it("responses.stream with text.format: finalResponse output_parsed", async () => {
    const stream = openai.responses.stream({
      model,
      input: "Weather in Paris as JSON",
      text: { format: zodTextFormat(Weather, "weather") },
    });
    const final = await stream.finalResponse();
    expect(final.output_parsed).toEqual({ city: "emulated", sky: "clear" });
  });
});

describe("openai embeddings", () => {
  it.each([
    "openai/text-embedding-3-small",
    "mistral/mistral-embed",
    "together/BAAI/bge-base-en-v1.5",
    "ollama/all-minilm",
  ])("%s: base64 default equals float", async (model) => {
    const b = await openai.embeddings.create({ model, input: ["first", "second"] });
    const f = await openai.embeddings.create({ model, input: ["first", "second"], encoding_format: "float" });
    expect(b.data.map((d) => d.index)).toEqual([0, 1]);
    expect(b.data[1]?.embedding[3]).toBeCloseTo(f.data[1]?.embedding[3] ?? Number.NaN, 5);
    expect(b.object).toBe("list");
    expect(b.usage.total_tokens).toBeGreaterThan(0);
  });

  it("dimensions with base64 on text-embedding-3-small", async () => {
    const r = await openai.embeddings.create({ model: "openai/text-embedding-3-small", input: "x", dimensions: 256 });
    expect(r.data[0]?.embedding).toHaveLength(256);
  });
});

describe.each(ALL)("anthropic sdk on %s", (_p, model) => {
  it("messages.stream with tools: inputJson, finalMessage tool_use input, usage", async () => {
    const stream = anthropic.messages.stream({
      model,
      max_tokens: 512,
      tools: [
        {
          name: "get_weather",
          description: "Weather for a city",
          input_schema: { type: "object", properties: { city: { type: "string" } } },
        },
      ],
      messages: [{ role: "user", content: "Weather in Paris?" }],
    });
    const types: string[] = [];
    stream.on("streamEvent", (e) => types.push(e.type));
    const final = await stream.finalMessage();
    const uses = final.content.filter((b) => b.type === "tool_use");
    expect(uses.length).toBeGreaterThan(0);
    for (const u of uses) {
      if (u.type !== "tool_use") throw new Error("tu");
      expect(u.input).toBeTypeOf("object");
      expect(u.id).toMatch(/.+/);
    }
    expect(final.stop_reason).toBe("tool_use");
    expect(final.usage.output_tokens).toBeGreaterThan(0);
    expect(final.usage.input_tokens).toBeGreaterThan(0);
    expect(final.id).toMatch(/^msg_/);
    expect(types[0]).toBe("message_start");
    expect(types.at(-1)).toBe("message_stop");
  });

  it("a tool round trip with tool_use ids from Anthropic (toolu_) in history", async () => {
    const r = await anthropic.messages.create({
      model,
      max_tokens: 256,
      tools: [{ name: "get_weather", input_schema: { type: "object", properties: { city: { type: "string" } } } }],
      messages: [
        { role: "user", content: "Weather in Paris?" },
        {
          role: "assistant",
          content: [
            { type: "text", text: "Checking." },
            { type: "tool_use", id: "toolu_014x5X91kx3fvdhpLvwXZWE2", name: "get_weather", input: { city: "Paris" } },
          ],
        },
        {
          role: "user",
          content: [{ type: "tool_result", tool_use_id: "toolu_014x5X91kx3fvdhpLvwXZWE2", content: "18C" }],
        },
      ],
    });
    expect(r.type).toBe("message");
  });

  it("countTokens", async () => {
    const c = await anthropic.messages.countTokens({ model, messages: [{ role: "user", content: "hello there" }] });
    expect(c.input_tokens).toBeGreaterThan(0);
  });

  it("messages.stream text: on('text') equals final text, usage", async () => {
    const stream = anthropic.messages.stream({
      model,
      max_tokens: 256,
      messages: [{ role: "user", content: "Tell me a joke" }],
    });
    let text = "";
    stream.on("text", (d) => {
      text += d;
    });
    const final = await stream.finalMessage();
    const block = final.content.find((b) => b.type === "text");
    expect(block?.type === "text" ? block.text : "").toBe(text);
    expect(final.usage.input_tokens).toBeGreaterThan(0);
    expect(final.usage.output_tokens).toBeGreaterThan(0);
    // Mistral's recorded stream stops at its length (finish_reason "length"): max_tokens, as Anthropic would say.
    expect(final.stop_reason).toBe(model.startsWith("mistral/") ? "max_tokens" : "end_turn");
  });
});

describe("anthropic sdk thinking", () => {
  const THINKERS = {
    anthropic: MODELS.anthropic,
    mistral: "mistral/magistral-medium-latest",
    together: "together/openai/gpt-oss-120b",
    ollama: "ollama/deepseek-r1",
  };
  it.each(Object.entries(THINKERS))("%s: thinking blocks in create and stream", async (_p, model) => {
    const params = {
      model,
      max_tokens: 4096,
      thinking: { type: "enabled" as const, budget_tokens: 2048 },
      messages: [{ role: "user" as const, content: "Two names for a pelican" }],
    };
    const msg = await anthropic.messages.create(params);
    expect(msg.content.some((b) => b.type === "thinking")).toBe(true);
    expect(msg.content.some((b) => b.type === "text")).toBe(true);
    const stream = anthropic.messages.stream(params);
    let thinking = "";
    stream.on("thinking", (d) => {
      thinking += d;
    });
    const final = await stream.finalMessage();
    const t = final.content.find((b) => b.type === "thinking");
    expect(t?.type === "thinking" ? t.thinking : "").toBe(thinking);
    expect(thinking.length).toBeGreaterThan(0);
  });

  it("thinking round trip to Anthropic: signed thinking blocks handed back with a tool result", async () => {
    const msg = await anthropic.messages.create({
      model: MODELS.anthropic,
      max_tokens: 4096,
      thinking: { type: "enabled", budget_tokens: 2048 },
      messages: [{ role: "user", content: "Two names for a pelican" }],
    });
    const again = await anthropic.messages.create({
      model: MODELS.anthropic,
      max_tokens: 4096,
      thinking: { type: "enabled", budget_tokens: 2048 },
      messages: [
        { role: "user", content: "Two names for a pelican" },
        { role: "assistant", content: msg.content },
        { role: "user", content: "one more" },
      ],
    });
    expect(again.type).toBe("message");
  });
});

describe("anthropic sdk: usage and models in Anthropic's shapes", () => {
  // Anthropic's Usage has `cache_creation: {ephemeral_5m_input_tokens, ephemeral_1h_input_tokens}` beside
  // cache_creation_input_tokens (test/fixtures/anthropic/messages-prompt-cache-write-1h.json: 0 and 2056;
  // node_modules/@anthropic-ai/sdk/resources/messages/messages.d.ts `interface Usage`): an app reads its TTL costs there.
  it("messages.create with a 1h cache_control breakpoint reports usage.cache_creation by TTL", async () => {
    const msg = await anthropic.messages.create({
      model: MODELS.anthropic,
      max_tokens: 300,
      system: [{ type: "text", text: "A long system prompt", cache_control: { type: "ephemeral", ttl: "1h" } }],
      messages: [{ role: "user", content: "hi" }],
    });
    expect(msg.usage.cache_creation_input_tokens).toBe(2056);
    expect(msg.usage.cache_creation).toEqual({ ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 2056 });
  });

  // The Anthropic SDK's models.list()/retrieve() read Anthropic's ModelInfo: {type: "model", id, display_name,
  // created_at (RFC 3339)} (node_modules/@anthropic-ai/sdk/resources/models.d.ts `interface ModelInfo`): a request
  // carrying `anthropic-version` (which only Anthropic's clients send) gets that shape, the gateway's fields beside it.
  it("models.list and retrieve in Anthropic's shape", async () => {
    const page = await anthropic.models.list();
    const first = page.data[0];
    expect(first?.type).toBe("model");
    expect(typeof first?.display_name).toBe("string");
    expect(typeof first?.created_at).toBe("string");
    const one = await anthropic.models.retrieve("anthropic/claude-sonnet-4-5-20250929");
    expect(one.type).toBe("model");
    expect(typeof one.display_name).toBe("string");
  });
});

const aiOpenAI = createOpenAI({ baseURL: `${gateway}/v1`, apiKey: KEY });
const aiAnthropic = createAnthropic({ baseURL: `${gateway}/v1`, apiKey: KEY });

/** Every tool name the recorded tool calls use (test/fixtures), so each recording's call is a known tool. */
const anyInput = jsonSchema<Record<string, unknown>>({ type: "object", properties: { city: { type: "string" } } });
const recordedTools = Object.fromEntries(
  ["get_weather", "get_current_weather", "get_time", "get_capital", "add", "final_result"].map((name) => [
    name,
    tool({ description: name, inputSchema: anyInput, execute: async () => ({ ok: true }) }),
  ]),
);

const AI = [
  ...ALL.map(([p, m]) => [`openai.chat on ${p}`, p, () => aiOpenAI.chat(m)] as const),
  ...ALL.map(([p, m]) => [`openai responses on ${p}`, p, () => aiOpenAI(m)] as const),
  ...ALL.map(([p, m]) => [`anthropic on ${p}`, p, () => aiAnthropic(m)] as const),
];

// The emulator answers every request with tools by its tool-call recording, so step 2 is a tool call again: the test
// checks that the second request (tool results in its history) goes through, not its text.
describe.each(AI)("ai sdk %s", (_name, provider, model) => {
  it("generateText and streamText: two steps with tool results", async () => {
    const g = await generateText({
      model: model(),
      prompt: "Weather in Paris?",
      tools: recordedTools,
      stopWhen: stepCountIs(2),
      maxRetries: 0,
    });
    expect(g.steps.length).toBe(2);
    expect(g.steps[0]?.finishReason).toBe("tool-calls");
    expect(g.steps[0]?.toolResults.length).toBe(g.steps[0]?.toolCalls.length);
    expect(g.steps[1]?.usage.inputTokens).toBeGreaterThan(0);
    const s = streamText({
      model: model(),
      prompt: "Weather in Paris?",
      tools: recordedTools,
      stopWhen: stepCountIs(2),
      maxRetries: 0,
    });
    const errors: unknown[] = [];
    for await (const part of s.fullStream) if (part.type === "error") errors.push(part.error);
    expect(errors).toEqual([]);
    const steps = await s.steps;
    expect(steps.length).toBe(2);
    expect(steps[0]?.toolCalls[0]?.input).toBeTypeOf("object");
    expect((await s.totalUsage).outputTokens).toBeGreaterThan(0);
  });

  it.skipIf(provider === "ollama")("generateObject and streamObject", async () => {
    const providerOptions = { anthropic: { structuredOutputMode: "outputFormat" as const } };
    const g = await generateObject({
      model: model(),
      schema: Weather,
      prompt: "Weather",
      maxRetries: 0,
      providerOptions,
    });
    expect(g.object).toEqual({ city: "emulated", sky: "clear" });
    expect(g.usage.outputTokens).toBeGreaterThan(0);
    const s = streamObject({ model: model(), schema: Weather, prompt: "Weather", maxRetries: 0, providerOptions });
    for await (const _ of s.partialObjectStream);
    expect(await s.object).toEqual({ city: "emulated", sky: "clear" });
  });
});

describe("ai sdk embed", () => {
  it.each(["openai/text-embedding-3-small", "mistral/mistral-embed", "together/BAAI/bge-base-en-v1.5"])(
    "embed on %s",
    async (m) => {
      const r = await embed({ model: aiOpenAI.embedding(m), value: "first", maxRetries: 0 });
      expect(r.embedding.length).toBeGreaterThan(0);
      expect(r.usage.tokens).toBeGreaterThan(0);
    },
  );
});
