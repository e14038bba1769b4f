// The official openai npm client against a running `wrangler dev`: text, streams and tool calls through all five providers.
import OpenAI from "openai";
import { describe, expect, inject, it } from "vitest";

const client = new OpenAI({ baseURL: `${inject("gatewayUrl")}/v1`, apiKey: "e2e-admin-key", maxRetries: 0 });

const MODELS = {
  openai: "openai/gpt-4o-mini",
  anthropic: "anthropic/claude-sonnet-4-5-20250929",
  mistral: "mistral/mistral-large-latest",
  together: "together/meta-llama/Llama-3.3-70B-Instruct-Turbo",
  ollama: "ollama/llama3.2",
} as const;

const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
  {
    type: "function",
    function: {
      name: "get_weather",
      description: "Weather for a city",
      parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    },
  },
];

describe.each(Object.entries(MODELS))("%s through the openai client", (provider, model) => {
  it("answers a chat completion", async () => {
    const { data, response } = await client.chat.completions
      .create({ model, messages: [{ role: "user", content: "Tell me a joke" }] })
      .withResponse();
    expect(response.headers.get("x-router-provider")).toBe(provider);
    expect(data.object).toBe("chat.completion");
    expect(data.choices[0]?.message.content?.length).toBeGreaterThan(0);
    expect(data.usage?.total_tokens).toBeGreaterThan(0);
  });

  it("streams an answer with usage", async () => {
    const stream = await client.chat.completions.create({
      model,
      messages: [{ role: "user", content: "Tell me a joke" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined = null;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    expect(chunks).toBeGreaterThan(2);
    expect(text.length).toBeGreaterThan(0);
    expect(finish).not.toBeNull();
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("returns a tool call", async () => {
    const data = await client.chat.completions.create({
      model,
      messages: [{ role: "user", content: "Weather in Paris?" }],
      tools,
    });
    const call = data.choices[0]?.message.tool_calls?.[0];
    expect(data.choices[0]?.finish_reason).toBe("tool_calls");
    expect(call?.type).toBe("function");
    if (call?.type !== "function") throw new Error("expected a function call");
    expect(call.id.length).toBeGreaterThan(0);
    expect(() => JSON.parse(call.function.arguments)).not.toThrow();
  });

  it("streams a tool call", async () => {
    const stream = client.chat.completions.stream({
      model,
      messages: [{ role: "user", content: "Weather in Paris?" }],
      tools,
    });
    const final = await stream.finalChatCompletion();
    const call = final.choices[0]?.message.tool_calls?.[0];
    expect(call?.type).toBe("function");
    if (call?.type !== "function") throw new Error("expected a function call");
    expect(JSON.parse(call.function.arguments)).toBeTypeOf("object");
  });
});

describe("the openai client sees gateway errors as OpenAI errors", () => {
  it("a wrong key is a 401 AuthenticationError", async () => {
    const bad = new OpenAI({ baseURL: `${inject("gatewayUrl")}/v1`, apiKey: "wrong", maxRetries: 0 });
    await expect(
      bad.chat.completions.create({ model: MODELS.openai, messages: [{ role: "user", content: "hi" }] }),
    ).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it("a bad request is a 400 BadRequestError naming the param", async () => {
    const err = await client.chat.completions
      .create({ model: MODELS.openai, messages: [{ role: "user", content: "hi" }], temperature: 9 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("temperature");
  });

  it("max_tokens no model can give is a BadRequestError the client does not retry, not a 503", async () => {
    const retrying = new OpenAI({ baseURL: `${inject("gatewayUrl")}/v1`, apiKey: "e2e-admin-key", maxRetries: 2 });
    const { response } = await retrying.chat.completions
      .create({ model: MODELS.openai, messages: [{ role: "user", content: "hi" }], max_tokens: 1e12 })
      .withResponse()
      .catch((e: unknown) => ({ response: e }));
    expect(response).toBeInstanceOf(OpenAI.BadRequestError);
    expect((response as InstanceType<typeof OpenAI.BadRequestError>).code).toBe("invalid_value");
    expect((response as InstanceType<typeof OpenAI.BadRequestError>).message).toMatch(/output limit of 16384/);
  });

  it("lists the registry as models", async () => {
    const page = await client.models.list();
    const ids = page.data.map((m) => m.id);
    expect(ids).toContain("openai/gpt-4o-mini");
    expect(ids.length).toBeGreaterThanOrEqual(18);
  });

  it("retrieves one model by provider/model or alias; an unknown one is a NotFoundError", async () => {
    const model = await client.models.retrieve("openai/gpt-4o-mini");
    expect(model).toMatchObject({ id: "openai/gpt-4o-mini", object: "model", owned_by: "openai" });
    const byId = await client.models.retrieve("gpt-4o-mini");
    expect(byId.id).toBe("openai/gpt-4o-mini");
    const raw = await fetch(`${inject("gatewayUrl")}/v1/models/anthropic/claude-haiku-4-5-20251001`, {
      headers: { authorization: "Bearer e2e-admin-key" },
    });
    expect(raw.status).toBe(200);
    expect(((await raw.json()) as { id: string }).id).toBe("anthropic/claude-haiku-4-5-20251001");
    await expect(client.models.retrieve("openai/no-such-model")).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});
