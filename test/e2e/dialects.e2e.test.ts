// The official clients of each dialect against a running `wrangler dev`: the openai SDK's Responses and Embeddings,
// Anthropic's SDK on /v1/messages, and the Vercel AI SDK's OpenAI (Responses) and Anthropic providers, each on at
// least two upstream providers. Nothing changes in the clients but their base URL and key.
import { createAnthropic } from "@ai-sdk/anthropic";
import { createOpenAI } from "@ai-sdk/openai";
import Anthropic from "@anthropic-ai/sdk";
import { jsonSchemaOutputFormat } from "@anthropic-ai/sdk/helpers/json-schema";
import { embedMany, generateText, jsonSchema, Output, stepCountIs, streamText, tool } from "ai";
import OpenAI from "openai";
import { describe, expect, inject, it } from "vitest";

const gateway = inject("gatewayUrl");
const KEY = "e2e-admin-key";
const openai = new OpenAI({ baseURL: `${gateway}/v1`, apiKey: KEY, maxRetries: 0 });
const anthropic = new Anthropic({ baseURL: gateway, apiKey: KEY, maxRetries: 0 });

/** Two upstreams for every dialect: the dialect's own provider and the other one. */
const CHAT_MODELS = {
  openai: "openai/gpt-4o-mini",
  anthropic: "anthropic/claude-sonnet-4-5-20250929",
} as const;

const weatherTool = {
  type: "function" as const,
  name: "get_weather",
  description: "Weather for a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  strict: false,
};

describe.each(Object.entries(CHAT_MODELS))("Responses API on %s through the openai client", (provider, model) => {
  it("responses.create answers with output_text and usage", async () => {
    const { data, response } = await openai.responses.create({ model, input: "Tell me a joke" }).withResponse();
    expect(response.headers.get("x-router-provider")).toBe(provider);
    expect(data.object).toBe("response");
    expect(data.status).toMatch(/completed|incomplete/);
    expect(data.output_text.length).toBeGreaterThan(0);
    expect(data.usage?.total_tokens).toBeGreaterThan(0);
  });

  it("streams semantic events ending in response.completed", async () => {
    const stream = await openai.responses.create({ model, input: "Tell me a joke", stream: true });
    const types: string[] = [];
    let text = "";
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === "response.output_text.delta") text += event.delta;
    }
    expect(types[0]).toBe("response.created");
    expect(types.at(-1)).toMatch(/response\.(completed|incomplete)/);
    expect(text.length).toBeGreaterThan(0);
  });

  it("a function tool round trip: function_call, then function_call_output on previous_response_id", async () => {
    const first = await openai.responses.create({ model, input: "Weather in Paris?", tools: [weatherTool] });
    const calls = first.output.flatMap((item) => (item.type === "function_call" ? [item] : []));
    if (calls.length === 0) throw new Error("expected a function_call item");
    for (const call of calls) expect(JSON.parse(call.arguments)).toBeTypeOf("object");
    // Every call the model made gets its output, as OpenAI requires.
    const second = await openai.responses.create({
      model,
      previous_response_id: first.id,
      input: calls.map((call) => ({
        type: "function_call_output" as const,
        call_id: call.call_id,
        output: '{"temperature_c": 18}',
      })),
    });
    expect(second.previous_response_id).toBe(first.id);
    expect(second.output_text.length).toBeGreaterThan(0);
    const stored = await openai.responses.retrieve(second.id);
    expect(stored.id).toBe(second.id);
  });
});

describe("Responses API state", () => {
  it("store: false keeps nothing to continue from or retrieve", async () => {
    const unstored = await openai.responses.create({ model: CHAT_MODELS.openai, input: "hi", store: false });
    await expect(openai.responses.retrieve(unstored.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(
      openai.responses.create({ model: CHAT_MODELS.openai, input: "again", previous_response_id: unstored.id }),
    ).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("a built-in tool Switchyard does not run is a 400 naming it", async () => {
    const err = await openai.responses
      .create({ model: CHAT_MODELS.openai, input: "news?", tools: [{ type: "web_search" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as Error).message).toMatch(/web_search/);
  });
});

describe("Embeddings through the openai client", () => {
  const MODELS = { openai: "openai/text-embedding-3-small", mistral: "mistral/mistral-embed" };
  it.each(Object.entries(MODELS))(
    "%s: embeddings.create decodes the default base64 and answers floats",
    async (_p, model) => {
      // Without encoding_format the SDK asks for base64 and decodes it itself.
      const decoded = await openai.embeddings.create({ model, input: ["first", "second"] });
      expect(decoded.data).toHaveLength(2);
      expect(decoded.data[0]?.embedding.length).toBeGreaterThan(100);
      const floats = await openai.embeddings.create({ model, input: "first", encoding_format: "float" });
      expect(floats.data[0]?.embedding[0]).toBeCloseTo(decoded.data[0]?.embedding[0] ?? Number.NaN, 5);
      expect(floats.usage.prompt_tokens).toBeGreaterThan(0);
    },
  );
});

describe.each(Object.entries(CHAT_MODELS))("Messages API on %s through @anthropic-ai/sdk", (provider, model) => {
  it("messages.create answers in Anthropic's shape", async () => {
    const { data, response } = await anthropic.messages
      .create({ model, max_tokens: 256, messages: [{ role: "user", content: "Tell me a joke" }] })
      .withResponse();
    expect(response.headers.get("x-router-provider")).toBe(provider);
    expect(data.type).toBe("message");
    expect(data.content[0]?.type).toBe("text");
    expect(data.usage.output_tokens).toBeGreaterThan(0);
    expect(typeof data.usage.cache_read_input_tokens).toBe("number");
  });

  it("messages.stream assembles the final message", async () => {
    const stream = anthropic.messages.stream({
      model,
      max_tokens: 256,
      messages: [{ role: "user", content: "Tell me a joke" }],
    });
    let text = "";
    stream.on("text", (delta) => {
      text += delta;
    });
    const final = await stream.finalMessage();
    expect(text.length).toBeGreaterThan(0);
    expect(final.content[0]?.type).toBe("text");
    expect(final.stop_reason).not.toBeNull();
  });

  it("a tool_use / tool_result round trip", async () => {
    const tools: Anthropic.Tool[] = [
      {
        name: "get_weather",
        description: "Weather for a city",
        input_schema: { type: "object", properties: { city: { type: "string" } } },
      },
    ];
    const first = await anthropic.messages.create({
      model,
      max_tokens: 256,
      tools,
      messages: [{ role: "user", content: "Weather in Paris?" }],
    });
    expect(first.stop_reason).toBe("tool_use");
    const use = first.content.find((b) => b.type === "tool_use");
    if (use?.type !== "tool_use") throw new Error("expected a tool_use block");
    const second = await anthropic.messages.create({
      model,
      max_tokens: 256,
      messages: [
        { role: "user", content: "Weather in Paris?" },
        { role: "assistant", content: first.content },
        { role: "user", content: [{ type: "tool_result", tool_use_id: use.id, content: "18C and sunny" }] },
      ],
    });
    expect(second.content.some((b) => b.type === "text")).toBe(true);
  });
});

describe("Messages API extras through @anthropic-ai/sdk", () => {
  it("countTokens answers input_tokens", async () => {
    const counted = await anthropic.messages.countTokens({
      model: CHAT_MODELS.anthropic,
      messages: [{ role: "user", content: "The quick brown fox jumps over the lazy dog." }],
    });
    expect(counted.input_tokens).toBeGreaterThan(0);
  });

  it("a bad request is Anthropic's invalid_request_error, read by the SDK as a BadRequestError", async () => {
    const err = await anthropic.messages
      .create({ model: CHAT_MODELS.anthropic, max_tokens: 0, messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    const body = (err as InstanceType<typeof Anthropic.BadRequestError>).error as {
      type: string;
      error: { type: string };
    };
    expect(body.type).toBe("error");
    expect(body.error.type).toBe("invalid_request_error");
  });

  it("a wrong key is Anthropic's authentication_error", async () => {
    const bad = new Anthropic({ baseURL: gateway, apiKey: "wrong", maxRetries: 0 });
    const err = await bad.messages
      .create({ model: CHAT_MODELS.anthropic, max_tokens: 10, messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.AuthenticationError);
  });
});

const aiOpenAI = createOpenAI({ baseURL: `${gateway}/v1`, apiKey: KEY });
const aiAnthropic = createAnthropic({ baseURL: `${gateway}/v1`, apiKey: KEY });
const AI_MODELS = [
  ["@ai-sdk/openai (Responses) on openai", () => aiOpenAI(CHAT_MODELS.openai)],
  ["@ai-sdk/openai (Responses) on anthropic", () => aiOpenAI(CHAT_MODELS.anthropic)],
  ["@ai-sdk/anthropic on anthropic", () => aiAnthropic(CHAT_MODELS.anthropic)],
  ["@ai-sdk/anthropic on openai", () => aiAnthropic(CHAT_MODELS.openai)],
] as const;

describe.each(AI_MODELS)("Vercel AI SDK: %s", (_name, model) => {
  it("generateText", async () => {
    const result = await generateText({ model: model(), prompt: "Tell me a joke", maxRetries: 0 });
    expect(result.text.length).toBeGreaterThan(0);
    expect(result.usage.outputTokens).toBeGreaterThan(0);
  });

  it("streamText", async () => {
    const result = streamText({ model: model(), prompt: "Tell me a joke", maxRetries: 0 });
    let text = "";
    for await (const delta of result.textStream) text += delta;
    expect(text.length).toBeGreaterThan(0);
    expect((await result.finishReason) !== "error").toBe(true);
  });

  it("a tool call", async () => {
    const result = await generateText({
      model: model(),
      prompt: "Weather in Paris?",
      maxRetries: 0,
      tools: {
        get_weather: tool({
          description: "Weather for a city",
          inputSchema: jsonSchema<{ city?: string }>({ type: "object", properties: { city: { type: "string" } } }),
        }),
      },
      stopWhen: stepCountIs(1),
    });
    expect(result.toolCalls.length).toBeGreaterThan(0);
    expect(result.toolCalls[0]?.toolName).toMatch(/get_weather|add|get_current_weather/);
  });
});

describe("Vercel AI SDK: embeddings", () => {
  it.each(["openai/text-embedding-3-small", "ollama/all-minilm"])("embedMany on %s", async (model) => {
    const { embeddings } = await embedMany({
      model: aiOpenAI.embedding(model),
      values: ["first", "second"],
      maxRetries: 0,
    });
    expect(embeddings).toHaveLength(2);
    expect(embeddings[0]?.length).toBeGreaterThan(0);
    expect(embeddings[0]).not.toEqual(embeddings[1]);
  });
});

/** A structured-output schema every client sends as is: the emulators answer a value of it (its first enum choice). */
const WEATHER = {
  type: "object",
  properties: { city: { type: "string" }, sky: { type: "string", enum: ["clear", "cloudy"] } },
  required: ["city", "sky"],
  additionalProperties: false,
} as const;
const WEATHER_VALUE = { city: "emulated", sky: "clear" };

describe.each(Object.entries(CHAT_MODELS))(
  "Structured outputs on %s through the official clients",
  (provider, model) => {
    it("openai: chat.completions.parse with a json_schema response_format", async () => {
      const { data, response } = await openai.chat.completions
        .parse({
          model,
          messages: [{ role: "user", content: "Weather in Paris as JSON" }],
          response_format: { type: "json_schema", json_schema: { name: "weather", schema: WEATHER, strict: true } },
        })
        .withResponse();
      expect(response.headers.get("x-router-provider")).toBe(provider);
      expect(data.choices[0]?.message.parsed).toEqual(WEATHER_VALUE);
    });

    it("@anthropic-ai/sdk: messages.parse and messages.stream with output_config.format", async () => {
      const format = jsonSchemaOutputFormat(WEATHER);
      const parsed = await anthropic.messages.parse({
        model,
        max_tokens: 300,
        messages: [{ role: "user", content: "Weather in Paris as JSON" }],
        output_config: { format },
      });
      expect(parsed.parsed_output).toEqual(WEATHER_VALUE);
      const stream = anthropic.messages.stream({
        model,
        max_tokens: 300,
        messages: [{ role: "user", content: "Weather in Paris as JSON" }],
        output_config: { format },
      });
      const final = await stream.finalMessage();
      const text = final.content.find((b) => b.type === "text");
      expect(text?.type === "text" ? JSON.parse(text.text) : null).toEqual(WEATHER_VALUE);
    });
  },
);

describe.each(AI_MODELS)("Vercel AI SDK structured output: %s", (_name, model) => {
  it("generateText with Output.object", async () => {
    const result = await generateText({
      model: model(),
      prompt: "Weather in Paris",
      maxRetries: 0,
      output: Output.object({ schema: jsonSchema<{ city: string; sky: string }>(WEATHER) }),
      // The Anthropic provider sends a native output format for the Claude models it knows; for another model it
      // would fall back to a forced tool unless asked (the gateway takes either).
      providerOptions: { anthropic: { structuredOutputMode: "outputFormat" } },
    });
    expect(result.output).toEqual(WEATHER_VALUE);
  });
});
