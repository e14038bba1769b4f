// The official clients against the Worker in workerd (their fetch is the Worker's own handler, no network): the
// openai SDK's Responses stream helper, @anthropic-ai/sdk's countTokens, a tool round trip from an OpenAI model, and
// Anthropic's request-id header, which the SDK reads for `_request_id` and `APIError.requestID`.
import { createExecutionContext } from "cloudflare:test";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import worker from "../../../src/index.ts";
import { newSession, type Session } from "../gateway.ts";

const workerFetch = (s: Session): typeof fetch =>
  (async (input: RequestInfo | URL, init?: RequestInit) =>
    worker.fetch(new Request(input, init), s.env, createExecutionContext())) as typeof fetch;
const ADMIN = "official-clients-admin";
const tools = [
  {
    type: "function" as const,
    name: "get_weather",
    parameters: { type: "object", properties: { city: { type: "string" } } },
    strict: false,
  },
];

describe("official clients", () => {
  it("openai responses.stream with a tool: semantic events in order, numbered 0.., final function_call", async () => {
    const s = await newSession({}, { ADMIN_KEY: ADMIN });
    const client = new OpenAI({
      baseURL: "http://127.0.0.1:8787/v1",
      apiKey: ADMIN,
      fetch: workerFetch(s),
      maxRetries: 0,
    });
    const stream = client.responses.stream({ model: "openai/gpt-4o-mini", input: "Weather in Paris?", tools });
    const events: { type: string; sequence_number: number }[] = [];
    for await (const e of stream) events.push(e);
    const final = await stream.finalResponse();
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const types = [...new Set(events.map((e) => e.type))];
    expect(types.slice(0, 3)).toEqual(["response.created", "response.in_progress", "response.output_item.added"]);
    expect(types).toContain("response.function_call_arguments.delta");
    expect(types.indexOf("response.function_call_arguments.done")).toBeLessThan(
      types.indexOf("response.output_item.done"),
    );
    expect(types.at(-1)).toBe("response.completed");
    const call = final.output.find((i) => i.type === "function_call");
    expect(call).toMatchObject({ type: "function_call", status: "completed", name: expect.any(String) });
    expect(final.usage?.total_tokens).toBeGreaterThan(0);
  });

  it("@anthropic-ai/sdk countTokens and a tool round trip from OpenAI", async () => {
    const s = await newSession({}, { ADMIN_KEY: ADMIN });
    const client = new Anthropic({
      baseURL: "http://127.0.0.1:8787",
      apiKey: ADMIN,
      fetch: workerFetch(s),
      maxRetries: 0,
    });
    const counted = await client.messages.countTokens({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "hello there" }],
    });
    expect(counted.input_tokens).toBeGreaterThan(0);
    const first = await client.messages.create({
      model: "openai/gpt-4o-mini",
      max_tokens: 200,
      messages: [{ role: "user", content: "Weather in Paris?" }],
      tools: [{ name: "get_weather", input_schema: { type: "object", properties: { city: { type: "string" } } } }],
    });
    expect(first.stop_reason).toBe("tool_use");
    const use = first.content.find((b) => b.type === "tool_use");
    if (use?.type !== "tool_use") throw new Error("no tool_use");
    const second = await client.messages.create({
      model: "openai/gpt-4o-mini",
      max_tokens: 200,
      messages: [
        { role: "user", content: "Weather in Paris?" },
        { role: "assistant", content: first.content },
        { role: "user", content: [{ type: "tool_result", tool_use_id: use.id, content: "18C" }] },
      ],
      tools: [{ name: "get_weather", input_schema: { type: "object", properties: { city: { type: "string" } } } }],
    });
    expect(second.type).toBe("message");
    const sent = (await s.requests()).at(-1)?.body as { messages: { role: string; tool_call_id?: string }[] };
    expect(sent.messages.map((m) => m.role)).toEqual(["user", "assistant", "tool"]);
    expect(sent.messages[2]?.tool_call_id).toBe(use.id);
  });

  it("@anthropic-ai/sdk sees Anthropic's request-id header (message._request_id, APIError.requestID)", async () => {
    const s = await newSession({}, { ADMIN_KEY: ADMIN });
    const client = new Anthropic({
      baseURL: "http://127.0.0.1:8787",
      apiKey: ADMIN,
      fetch: workerFetch(s),
      maxRetries: 0,
    });
    const message = await client.messages.create({
      model: "openai/gpt-4o-mini",
      max_tokens: 50,
      messages: [{ role: "user", content: "hi" }],
    });
    expect(message._request_id).toMatch(/^req_/);
    const err = await client.messages
      .create({ model: "openai/gpt-4o-mini", max_tokens: 50, messages: [] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err as InstanceType<typeof Anthropic.APIError>).requestID).toMatch(/^req_/);
  });
});
