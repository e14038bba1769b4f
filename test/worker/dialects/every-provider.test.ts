// Every dialect on every provider: a Messages and a Responses request with a tool, as JSON and as a stream, routed to
// each of the five providers, answers a tool call in the dialect's own shape (the same canonical core underneath).
import { describe, expect, it } from "vitest";
import { call, newSession } from "../gateway.ts";
import { parseSse } from "./fixtures.ts";

const MODELS = {
  openai: "openai/gpt-4o-mini",
  anthropic: "anthropic/claude-haiku-4-5",
  mistral: "mistral/mistral-small-latest",
  together: "together/meta-llama/Llama-3.3-70B-Instruct-Turbo",
  ollama: "ollama/llama3.2",
} as const;
const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };
const question = "What is the weather in Paris?";

// biome-ignore lint/suspicious/noExplicitAny: the tests read answers field by field
type Json = Record<string, any>;

describe.each(Object.entries(MODELS))("%s", (provider, model) => {
  const post = async (path: string, json: Json) => {
    const s = await newSession();
    const res = await call(s.env, path, { method: "POST", json });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get("x-router-provider")).toBe(provider);
    return res;
  };
  const messagesBody = (stream: boolean) => ({
    model,
    max_tokens: 300,
    stream,
    tools: [{ name: "get_weather", description: "Weather for a city", input_schema: schema }],
    messages: [{ role: "user", content: question }],
  });
  const responsesBody = (stream: boolean) => ({
    model,
    stream,
    store: false,
    tools: [{ type: "function", name: "get_weather", description: "Weather for a city", parameters: schema }],
    input: question,
  });

  it("Messages, JSON: a tool_use block with its input object, stop_reason tool_use", async () => {
    const body = (await (await post("/v1/messages", messagesBody(false))).json()) as Json;
    expect(body).toMatchObject({ type: "message", role: "assistant", stop_reason: "tool_use" });
    const use = body.content.find((b: Json) => b.type === "tool_use");
    expect(use).toMatchObject({ type: "tool_use", id: expect.any(String), name: expect.any(String) });
    expect(typeof use.input).toBe("object");
    expect(body.usage.output_tokens).toBeGreaterThan(0);
  });

  it("Messages, stream: tool_use block, input_json_delta, stop_reason tool_use, message_stop", async () => {
    const events = parseSse(await (await post("/v1/messages", messagesBody(true))).text());
    expect(events[0]?.event).toBe("message_start");
    expect(events.some((e) => e.data.content_block?.type === "tool_use")).toBe(true);
    // Each tool_use block's input_json_delta pieces, joined per block, are one JSON object.
    const inputs = new Map<number, string>();
    for (const e of events.filter((e) => e.data.delta?.type === "input_json_delta"))
      inputs.set(e.data.index, (inputs.get(e.data.index) ?? "") + e.data.delta.partial_json);
    expect(inputs.size).toBeGreaterThan(0);
    for (const json of inputs.values()) expect(typeof JSON.parse(json === "" ? "{}" : json)).toBe("object");
    expect(events.find((e) => e.event === "message_delta")?.data.delta.stop_reason).toBe("tool_use");
    expect(events.at(-1)?.event).toBe("message_stop");
  });

  it("Responses, JSON: a function_call item with JSON arguments, completed", async () => {
    const body = (await (await post("/v1/responses", responsesBody(false))).json()) as Json;
    expect(body).toMatchObject({ object: "response", status: "completed" });
    const fc = body.output.find((i: Json) => i.type === "function_call");
    expect(fc).toMatchObject({ call_id: expect.any(String), name: expect.any(String) });
    expect(typeof JSON.parse(fc.arguments)).toBe("object");
    expect(body.usage.total_tokens).toBeGreaterThan(0);
  });

  it("Responses, stream: function_call_arguments.done, then response.completed with the call", async () => {
    const events = parseSse(await (await post("/v1/responses", responsesBody(true))).text());
    const types = events.map((e) => e.data.type);
    expect(types[0]).toBe("response.created");
    const done = events.find((e) => e.data.type === "response.function_call_arguments.done");
    expect(typeof JSON.parse(done?.data.arguments)).toBe("object");
    expect(types.at(-1)).toBe("response.completed");
    expect(events.map((e) => e.data.sequence_number)).toEqual(events.map((_e, i) => i));
    const output = events.at(-1)?.data.response.output as Json[];
    expect(output.some((i) => i.type === "function_call")).toBe(true);
  });
});
