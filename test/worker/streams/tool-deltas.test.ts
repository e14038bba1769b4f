// Parallel tool calls from an OpenAI-compatible server that interleaves the calls' argument deltas (both calls started,
// then fragments of each in turn: what the OpenAI wire allows, since every fragment names its call by `index`).
import { jsonSchema, streamText, tool } from "ai";
import { describe, expect, it } from "vitest";
import { ADMIN, anthropicFor, openaiFor } from "../dialects/ai-sdk-helpers.ts";
import type { Session } from "../gateway.ts";
import { MODEL, oaChunk, post, rawEnv, USAGE } from "./raw-upstream.ts";

const call = (index: number, extra: Record<string, unknown>) => ({ tool_calls: [{ index, ...extra }] });
const INTERLEAVED = [
  oaChunk({
    role: "assistant",
    ...call(0, { id: "call_a", type: "function", function: { name: "get_weather", arguments: "" } }),
  }),
  oaChunk(call(1, { id: "call_b", type: "function", function: { name: "get_time", arguments: "" } })),
  oaChunk(call(0, { function: { arguments: '{"city":' } })),
  oaChunk(call(1, { function: { arguments: '{"tz":' } })),
  oaChunk(call(0, { function: { arguments: '"Paris"}' } })),
  oaChunk(call(1, { function: { arguments: '"CET"}' } })),
  oaChunk({}, "tool_calls"),
  JSON.stringify({
    id: "chatcmpl-x",
    object: "chat.completion.chunk",
    created: 1,
    model: "m",
    choices: [],
    usage: USAGE,
  }),
]
  .map((d) => `data: ${d}\n\n`)
  .concat("data: [DONE]\n\n");

const tools = [
  { name: "get_weather", input_schema: { type: "object", properties: { city: { type: "string" } } } },
  { name: "get_time", input_schema: { type: "object", properties: { tz: { type: "string" } } } },
];

function events(raw: string) {
  return raw
    .split("\n\n")
    .filter((b) => b.trim() !== "")
    .map((b) =>
      b
        .split("\n")
        .find((l) => l.startsWith("data: "))!
        .slice(6),
    )
    .filter((d) => d !== "[DONE]")
    .map((d) => JSON.parse(d));
}

describe("interleaved parallel tool calls", () => {
  // Anthropic's wire has one open content block at a time: a content_block_delta always names the block started last
  // and not yet stopped (test/fixtures/anthropic/messages-stream-tool-use.sse). The AI SDK's Anthropic provider
  // (@ai-sdk/anthropic, dist/index.mjs, "content_block_stop": `delete contentBlocks[value.index]`; "input_json_delta":
  // returns when `contentBlocks[value.index]` is not a tool-call) drops every input_json_delta for a stopped block, so
  // its tool-call input is the fragments that came before the stop: `{"city":` here, not JSON.
  it("Messages: no input_json_delta for a block already stopped; each tool_use's deltas join to its whole input", async () => {
    const env = await rawEnv("openai", INTERLEAVED);
    const res = await post(env, "messages", MODEL.openai, { tools });
    const evs = events(await res.text());
    let open: number | null = null;
    const inputs = new Map<number, string>();
    for (const e of evs) {
      if (e.type === "content_block_start") open = e.index;
      if (e.type === "content_block_stop") open = null;
      if (e.type === "content_block_delta") {
        expect(e.index, JSON.stringify(e)).toBe(open);
        if (e.delta.type === "input_json_delta")
          inputs.set(e.index, (inputs.get(e.index) ?? "") + e.delta.partial_json);
      }
    }
    expect([...inputs.values()].map((s) => JSON.parse(s))).toEqual([{ city: "Paris" }, { tz: "CET" }]);
  });

  it("Messages through the AI SDK's Anthropic provider: both tool calls with their whole input", async () => {
    const env = await rawEnv("openai", INTERLEAVED);
    const anthropic = anthropicFor({ env: { ...env, ADMIN_KEY: ADMIN } } as Session, { "x-router-fallback": "false" });
    const r = streamText({
      model: anthropic("openai/gpt-4o-mini"),
      prompt: "hi",
      tools: Object.fromEntries(tools.map((t) => [t.name, tool({ inputSchema: jsonSchema(t.input_schema as never) })])),
    });
    const calls = await r.toolCalls;
    expect(calls.map((c) => c.input)).toEqual([{ city: "Paris" }, { tz: "CET" }]);
  });

  // OpenAI's Responses stream finishes an item once: output_item.done carries its whole arguments and nothing about it
  // follows (test/fixtures/openai/responses-stream-function-call.sse). The AI SDK's OpenAI provider (@ai-sdk/openai,
  // dist/index.mjs, `isResponseOutputItemDoneChunk` for a function_call) makes the tool call from
  // `output_item.done`'s item.arguments and forgets the call (`ongoingToolCalls[output_index] = void 0`), so deltas
  // sent after it are lost.
  it("Responses through the AI SDK's OpenAI provider: both tool calls with their whole input", async () => {
    const env = await rawEnv("openai", INTERLEAVED);
    const openai = openaiFor({ env: { ...env, ADMIN_KEY: ADMIN } } as Session, { "x-router-fallback": "false" });
    const r = streamText({
      model: openai.responses("openai/gpt-4o-mini"),
      prompt: "hi",
      tools: Object.fromEntries(tools.map((t) => [t.name, tool({ inputSchema: jsonSchema(t.input_schema as never) })])),
    });
    const calls = await r.toolCalls;
    expect(calls.map((c) => c.input)).toEqual([{ city: "Paris" }, { tz: "CET" }]);
  });

  it("Responses: no delta for an item already done; output_item.done carries the call's whole arguments", async () => {
    const env = await rawEnv("openai", INTERLEAVED);
    const res = await post(env, "responses", MODEL.openai, {
      tools: tools.map((t) => ({ type: "function", name: t.name, parameters: t.input_schema })),
    });
    const evs = events(await res.text());
    const done = new Set<number>();
    const final: unknown[] = [];
    for (const e of evs) {
      if (e.type === "response.function_call_arguments.delta")
        expect(done.has(e.output_index), JSON.stringify(e)).toBe(false);
      if (e.type === "response.output_item.done") {
        done.add(e.output_index);
        final.push(JSON.parse(e.item.arguments));
      }
    }
    expect(final).toEqual([{ city: "Paris" }, { tz: "CET" }]);
  });

  it("chat: each call's id once, on its first delta; arguments join per index", async () => {
    const env = await rawEnv("openai", INTERLEAVED);
    const res = await post(env, "chat", MODEL.openai, {
      tools: tools.map((t) => ({ type: "function", function: { name: t.name, parameters: t.input_schema } })),
    });
    const evs = events(await res.text()).filter((e) => e !== null && e.choices);
    const args = new Map<number, string>();
    const ids = new Map<number, string[]>();
    for (const e of evs)
      for (const c of e.choices[0]?.delta?.tool_calls ?? []) {
        if (c.id) ids.set(c.index, [...(ids.get(c.index) ?? []), c.id]);
        args.set(c.index, (args.get(c.index) ?? "") + (c.function?.arguments ?? ""));
      }
    expect(Object.fromEntries(ids)).toEqual({ 0: ["call_a"], 1: ["call_b"] });
    expect([...args.values()].map((s) => JSON.parse(s))).toEqual([{ city: "Paris" }, { tz: "CET" }]);
  });
});
