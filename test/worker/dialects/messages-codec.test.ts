// The Messages codec on recorded Anthropic payloads: requests parse to the canonical request, canonical results and
// events encode back to the recorded message and event sequence, and bad input is a 400 naming the field.
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../../src/core/gateway-error.ts";
import type { StreamEvent } from "../../../src/core/types.ts";
import { parseOrThrow } from "../../../src/core/validate.ts";
import { encodeMessage } from "../../../src/dialects/messages/encoder.ts";
import { anthropicErrorResponse } from "../../../src/dialects/messages/errors.ts";
import { MessagesRequestSchema, toCanonical } from "../../../src/dialects/messages/request.ts";
import { type MessagesStreamEvent, MessagesStreamWriter } from "../../../src/dialects/messages/stream.ts";
import { decode, fixture, parseSse, ROUTE, recordedRequest } from "./fixtures.ts";

const parse = (body: unknown) => toCanonical(parseOrThrow(MessagesRequestSchema, body));

/** What an adapter makes of a recorded Anthropic stream: the canonical events (the test's own small reading). */
function canonicalEvents(sse: string): MessagesStreamEvent[] {
  const out: MessagesStreamEvent[] = [];
  const tools = new Map<number, number>();
  for (const { data } of parseSse(sse)) {
    if (data.type === "content_block_start" && data.content_block.type === "tool_use") {
      tools.set(data.index, tools.size);
      out.push({
        type: "tool_call_start",
        index: tools.size - 1,
        id: data.content_block.id,
        name: data.content_block.name,
      });
    }
    if (data.type === "content_block_delta") {
      const d = data.delta;
      if (d.type === "text_delta") out.push({ type: "text", text: d.text });
      if (d.type === "thinking_delta") out.push({ type: "reasoning", text: d.thinking });
      if (d.type === "signature_delta") out.push({ type: "reasoning_signature", signature: d.signature });
      if (d.type === "input_json_delta")
        out.push({ type: "tool_call_delta", index: tools.get(data.index) ?? -1, arguments: d.partial_json });
    }
    if (data.type === "message_delta") {
      const finish =
        data.delta.stop_reason === "tool_use"
          ? "tool_calls"
          : data.delta.stop_reason === "max_tokens"
            ? "length"
            : "stop";
      out.push({ type: "finish", finish_reason: finish });
      out.push({
        type: "usage",
        usage: {
          input_tokens: data.usage.input_tokens ?? 0,
          output_tokens: data.usage.output_tokens,
          cached_input_tokens: data.usage.cache_read_input_tokens ?? 0,
          cache_write_tokens: data.usage.cache_creation_input_tokens ?? 0,
        },
      });
    }
  }
  return out;
}

/** The recorded events without what a relay cannot know or need not repeat (pings, ids, padding fields). */
const shape = (events: ReturnType<typeof parseSse>) =>
  events
    .filter((e) => e.event !== "ping" && e.event !== "message_start")
    // Empty deltas (Anthropic opens each tool input with "") carry nothing a client reads.
    .filter((e) => !(e.event === "content_block_delta" && Object.values(e.data.delta).includes("")))
    .map(({ event, data }) => ({
      event,
      index: data.index,
      block: data.content_block?.type,
      delta:
        data.delta?.type === undefined
          ? data.delta?.stop_reason
          : (data.delta.text ?? data.delta.partial_json ?? data.delta.thinking ?? data.delta.signature),
    }));

describe("Messages request -> canonical", () => {
  it("parses the recorded tool-use request: max_tokens, temperature, tools with input_schema", async () => {
    const { request, warnings } = parse(await recordedRequest("anthropic/messages-tool-use"));
    expect(warnings).toEqual([]);
    expect(request.max_output_tokens).toBe(1024);
    expect(request.temperature).toBe(1);
    expect(request.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "What is the sum of 1 and 2?" }] },
    ]);
    expect(request.tools?.[0]?.function).toMatchObject({
      name: "add",
      parameters: { required: ["a", "b"], type: "object" },
    });
  });

  it("keeps cache_control on system blocks and carries the thinking budget", async () => {
    const cached = parse(await recordedRequest("anthropic/messages-prompt-cache-write-1h")).request;
    const system = cached.messages[0];
    expect(system?.role).toBe("system");
    expect(JSON.stringify(system)).toContain('"cache_control":{"type":"ephemeral","ttl":"1h"}');
    const thinking = parse(await recordedRequest("anthropic/messages-stream-thinking")).request;
    expect(thinking.reasoning).toEqual({ budget_tokens: 1024 });
    expect(thinking.stream).toBe(true);
  });

  it("turns a tool_use / tool_result round trip into assistant tool calls and tool messages, in order", () => {
    const { request } = parse({
      model: "claude-sonnet-4-5",
      max_tokens: 100,
      messages: [
        { role: "user", content: "weather in Paris?" },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "use the tool", signature: "sig" },
            { type: "text", text: "Let me look." },
            { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } },
          ],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "toolu_1", content: "18C" },
            { type: "text", text: "and tomorrow?" },
          ],
        },
      ],
      tool_choice: { type: "any", disable_parallel_tool_use: true },
    });
    expect(request.messages.slice(1)).toEqual([
      {
        role: "assistant",
        content: "Let me look.",
        tool_calls: [
          { id: "toolu_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
        ],
        reasoning: [{ type: "thinking", thinking: "use the tool", signature: "sig" }],
      },
      { role: "tool", tool_call_id: "toolu_1", content: "18C" },
      { role: "user", content: [{ type: "text", text: "and tomorrow?" }] },
    ]);
    expect(request.tool_choice).toBe("required");
    expect(request.parallel_tool_calls).toBe(false);
  });

  it("images (base64 and url) become image parts", () => {
    const { request } = parse({
      model: "m",
      max_tokens: 10,
      messages: [
        {
          role: "user",
          content: [
            { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
            { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
          ],
        },
      ],
    });
    expect(request.messages[0]).toEqual({
      role: "user",
      content: [
        { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
        { type: "image_url", image_url: { url: "https://example.com/cat.jpg" } },
      ],
    });
  });

  it("refuses what Anthropic refuses, naming the field", () => {
    const refusal = (body: unknown) => {
      try {
        parse(body);
      } catch (err) {
        if (err instanceof GatewayError) return { status: err.status, param: err.param, message: err.message };
        throw err;
      }
      throw new Error("accepted");
    };
    const base = { model: "m", max_tokens: 10, messages: [{ role: "user", content: "hi" }] };
    expect(refusal({ ...base, max_tokens: undefined })).toMatchObject({ status: 400, param: "max_tokens" });
    expect(refusal({ ...base, temperature: 1.5 })).toMatchObject({ param: "temperature" });
    const image = (url: string) => ({
      ...base,
      messages: [{ role: "user", content: [{ type: "image", source: { type: "url", url } }] }],
    });
    expect(refusal(image("not a url"))).toMatchObject({
      status: 400,
      param: "messages.0.content.0.source.url",
      message: "'messages.0.content.0.source.url': Invalid URL",
    });
    expect(() => parse(image("https://example.com/cat.jpg"))).not.toThrow();
    expect(refusal({ ...base, messages: [{ role: "system", content: "x" }] })).toMatchObject({
      param: "messages.0.role",
    });
    expect(refusal({ ...base, thinking: { type: "enabled", budget_tokens: 10 } })).toMatchObject({
      param: "thinking.budget_tokens",
    });
    expect(refusal({ ...base, tools: [{ type: "web_search_20250305", name: "web_search" }] }).message).toMatch(
      /server tool "web_search_20250305"/,
    );
    expect(
      refusal({ ...base, messages: [{ role: "user", content: [{ type: "tool_use", id: "t", name: "n", input: {} }] }] })
        .param,
    ).toBe("messages.0.content.0");
  });
});

describe("canonical -> Messages answer", () => {
  it("encodes the recorded tool-use answer's content, stop_reason and usage", async () => {
    const recorded = JSON.parse(await fixture("anthropic/messages-tool-use.json"));
    const encoded = encodeMessage(
      "msg_x",
      {
        model: recorded.model,
        content: null,
        tool_calls: [{ id: "toolu_018oomXF9jsqQiLqv1VatVRr", name: "add", arguments: '{"a":1,"b":2}' }],
        finish_reason: "tool_calls",
        usage: { input_tokens: 599, output_tokens: 68, cached_input_tokens: 0, cache_write_tokens: 0 },
      },
      ROUTE,
    );
    expect(encoded).toMatchObject({
      type: "message",
      role: "assistant",
      model: recorded.model,
      content: [{ type: "tool_use", id: "toolu_018oomXF9jsqQiLqv1VatVRr", name: "add", input: { a: 1, b: 2 } }],
      stop_reason: recorded.stop_reason,
      usage: { input_tokens: 599, output_tokens: 68, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      x_router: ROUTE,
    });
  });

  it("reports cache reads and writes in usage, and tool calls as tool_use even after a plain stop", () => {
    const encoded = encodeMessage(
      "msg_y",
      {
        model: "gpt-4o",
        content: "calling",
        tool_calls: [{ id: "call_1", name: "f", arguments: "{}" }],
        finish_reason: "stop",
        usage: { input_tokens: 17, output_tokens: 100, cached_input_tokens: 5, cache_write_tokens: 2056 },
      },
      ROUTE,
    );
    expect(encoded.stop_reason).toBe("tool_use");
    expect(encoded.usage).toEqual({
      input_tokens: 17,
      cache_creation_input_tokens: 2056,
      cache_read_input_tokens: 5,
      cache_creation: { ephemeral_5m_input_tokens: 2056, ephemeral_1h_input_tokens: 0 },
      output_tokens: 100,
    });
  });
});

describe("canonical events -> Messages stream", () => {
  const replay = (events: MessagesStreamEvent[]) => {
    const writer = new MessagesStreamWriter("msg_stream", "claude-3-5-sonnet-20240620");
    return parseSse(decode([writer.start(), ...events.map((e) => writer.event(e)), writer.end(ROUTE)]));
  };

  for (const file of ["messages-stream-tool-use.sse", "messages-stream-text.sse", "messages-stream-thinking.sse"]) {
    it(`re-encodes ${file} to the recorded block and delta sequence`, async () => {
      const sse = await fixture(`anthropic/${file}`);
      const ours = replay(canonicalEvents(sse));
      expect(shape(ours)).toEqual(shape(parseSse(sse)));
      expect(ours[0]?.data.message).toMatchObject({
        id: "msg_stream",
        type: "message",
        role: "assistant",
        content: [],
      });
      expect(ours.at(-2)?.data.x_router).toEqual(ROUTE);
    });
  }

  it("ends a tool turn with stop_reason tool_use and full usage at message_delta", () => {
    const events: StreamEvent[] = [
      { type: "tool_call_start", index: 0, id: "call_1", name: "f" },
      { type: "tool_call_delta", index: 0, arguments: '{"a":1}' },
      { type: "finish", finish_reason: "stop" },
      { type: "usage", usage: { input_tokens: 10, output_tokens: 3, cached_input_tokens: 4, cache_write_tokens: 0 } },
    ];
    const delta = replay(events as MessagesStreamEvent[]).find((e) => e.event === "message_delta");
    expect(delta?.data.delta.stop_reason).toBe("tool_use");
    expect(delta?.data.usage).toEqual({
      input_tokens: 10,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 4,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
      output_tokens: 3,
    });
  });

  it("a tool call cut off by max_tokens ends with stop_reason max_tokens, not tool_use, in JSON and in the stream", () => {
    const events: StreamEvent[] = [
      { type: "tool_call_start", index: 0, id: "call_1", name: "f" },
      { type: "tool_call_delta", index: 0, arguments: '{"a":' },
      { type: "finish", finish_reason: "length" },
    ];
    const delta = replay(events as MessagesStreamEvent[]).find((e) => e.event === "message_delta");
    expect(delta?.data.delta.stop_reason).toBe("max_tokens");
    const encoded = encodeMessage(
      "msg_z",
      {
        model: "m",
        content: null,
        tool_calls: [{ id: "call_1", name: "f", arguments: '{"a":' }],
        finish_reason: "length",
        usage: null,
      },
      ROUTE,
    );
    expect(encoded.stop_reason).toBe("max_tokens");
  });

  it("sends its ping where Anthropic does: right after the first block's start", async () => {
    const sse = await fixture("anthropic/messages-stream-text.sse");
    const names = (events: ReturnType<typeof parseSse>) => events.map((e) => e.event);
    const recorded = names(parseSse(sse));
    const ours = names(replay(canonicalEvents(sse)));
    expect(ours.slice(0, 3)).toEqual(["message_start", "content_block_start", "ping"]);
    expect(ours.slice(0, 3)).toEqual(recorded.slice(0, 3));
    expect(ours.filter((e) => e === "ping")).toHaveLength(1);
    // An answer with no block still gets its one ping.
    expect(names(replay([{ type: "finish", finish_reason: "stop" }]))).toEqual([
      "message_start",
      "ping",
      "message_delta",
      "message_stop",
    ]);
  });

  it("thinking after a signature is a block of its own, each with its own signature", () => {
    const out = replay([
      { type: "reasoning", text: "First." },
      { type: "reasoning_signature", signature: "sig-a" },
      { type: "reasoning", text: "Second." },
      { type: "reasoning_signature", signature: "sig-b" },
      { type: "text", text: "ok" },
      { type: "finish", finish_reason: "stop" },
    ]);
    const blocks = out
      .filter((e) => e.event === "content_block_start")
      .map((e) => [e.data.index, e.data.content_block.type]);
    expect(blocks).toEqual([
      [0, "thinking"],
      [1, "thinking"],
      [2, "text"],
    ]);
    const deltas = out
      .filter((e) => e.event === "content_block_delta")
      .map((e) => [e.data.index, e.data.delta.thinking ?? e.data.delta.signature ?? e.data.delta.text]);
    expect(deltas).toEqual([
      [0, "First."],
      [0, "sig-a"],
      [1, "Second."],
      [1, "sig-b"],
      [2, "ok"],
    ]);
  });

  it("a failure after commit is an error event, with no message_stop", () => {
    const writer = new MessagesStreamWriter("msg_cut", "m");
    const out = parseSse(
      decode([writer.start(), writer.event({ type: "text", text: "Hel" }), writer.cut("upstream cut", ROUTE, 529)]),
    );
    expect(out.at(-1)).toMatchObject({
      event: "error",
      data: { type: "error", error: { type: "overloaded_error", message: "upstream cut" } },
    });
    expect(out.some((e) => e.event === "message_stop")).toBe(false);
  });

  it("errors use Anthropic's shape and status", async () => {
    const res = anthropicErrorResponse(new GatewayError(400, "max_tokens: Field required", { param: "max_tokens" }));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      type: "error",
      error: { type: "invalid_request_error", message: "max_tokens: Field required" },
    });
  });
});
