// The Responses codec on recorded OpenAI payloads: recorded requests parse to the canonical request, canonical results
// and events encode back to the recorded Response object and semantic event sequence, and bad input is a 400.
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../../src/core/gateway-error.ts";
import { encodeResponse } from "../../../src/dialects/responses/encoder.ts";
import { openReasoning, sealReasoning } from "../../../src/dialects/responses/reasoning-state.ts";
import { parseResponsesBody, toCanonical } from "../../../src/dialects/responses/request.ts";
import { type ResponsesStreamEvent, ResponsesStreamWriter } from "../../../src/dialects/responses/stream.ts";
import { decode, fixture, parseSse, ROUTE, recordedRequest } from "./fixtures.ts";

const parse = (body: unknown, history = []) => toCanonical(parseResponsesBody(body), history);
let ids = 0;
const newId = (prefix: string) => `${prefix}_${++ids}`;

function refusal(body: unknown) {
  try {
    parse(body);
  } catch (err) {
    if (err instanceof GatewayError) return { status: err.status, param: err.param, message: err.message };
    throw err;
  }
  throw new Error("accepted");
}

/** Canonical events from a recorded Responses stream (what an OpenAI-dialect upstream would have produced). */
function canonicalEvents(sse: string): ResponsesStreamEvent[] {
  const out: ResponsesStreamEvent[] = [];
  const calls = new Map<string, number>();
  for (const { data } of parseSse(sse)) {
    if (data.type === "response.output_item.added" && data.item.type === "function_call") {
      calls.set(data.item.id, calls.size);
      out.push({ type: "tool_call_start", index: calls.size - 1, id: data.item.call_id, name: data.item.name });
    }
    if (data.type === "response.output_text.delta") out.push({ type: "text", text: data.delta });
    if (data.type === "response.function_call_arguments.delta")
      out.push({ type: "tool_call_delta", index: calls.get(data.item_id) ?? -1, arguments: data.delta });
    if (data.type === "response.completed") {
      const u = data.response.usage;
      out.push({ type: "finish", finish_reason: calls.size > 0 ? "tool_calls" : "stop" });
      out.push({
        type: "usage",
        usage: {
          input_tokens: u.input_tokens - u.input_tokens_details.cached_tokens,
          cached_input_tokens: u.input_tokens_details.cached_tokens,
          cache_write_tokens: 0,
          output_tokens: u.output_tokens,
          reasoning_tokens: u.output_tokens_details.reasoning_tokens,
        },
      });
    }
  }
  return out;
}

describe("Responses request -> canonical", () => {
  it("parses the recorded function-call request: message items, flat function tools, tool_choice", async () => {
    const { request, warnings } = parse(await recordedRequest("openai/responses-function-call"));
    expect(warnings).toEqual([]);
    expect(request.messages).toEqual([{ role: "user", content: "What's the weather in Paris?" }]);
    expect(request.tools?.[0]).toEqual({
      type: "function",
      function: {
        name: "get_weather",
        description: "Get the current weather for a location",
        parameters: {
          type: "object",
          properties: { location: { type: "string", description: "City name" } },
          required: ["location"],
        },
      },
    });
    expect(request.tool_choice).toBe("required");
  });

  it("parses the recorded streamed tool-choice request: system message, input_text parts, named tool_choice", async () => {
    const { request } = parse(await recordedRequest("openai/responses-stream-function-call"));
    expect(request.stream).toBe(true);
    expect(request.max_output_tokens).toBe(80);
    expect(request.messages).toEqual([
      { role: "system", content: "Call tools exactly as requested." },
      { role: "user", content: [{ type: "text", text: "Call get_weather with city exactly Paris." }] },
    ]);
    expect(request.tool_choice).toEqual({ type: "function", function: { name: "get_weather" } });
  });

  it("carries reasoning.effort, a string input and instructions before a stored conversation", async () => {
    const reasoning = parse(await recordedRequest("openai/responses-reasoning")).request;
    expect(reasoning.reasoning).toEqual({ effort: "low" });
    expect(reasoning.messages).toEqual([{ role: "user", content: "Count r's in strawberry" }]);
    const continued = toCanonical(parseResponsesBody({ model: "m", input: "and then?", instructions: "Be brief." }), [
      { role: "user", content: "first" },
      { role: "assistant", content: "answer" },
    ]).request.messages;
    expect(continued.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"]);
  });

  it("a function_call / function_call_output round trip becomes an assistant tool call and a tool message", () => {
    const { request } = parse({
      model: "m",
      input: [
        { role: "user", content: "weather?" },
        { type: "function_call", call_id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' },
        { type: "function_call", call_id: "call_2", name: "get_weather", arguments: '{"city":"Rome"}' },
        { type: "function_call_output", call_id: "call_1", output: "18C" },
        { type: "function_call_output", call_id: "call_2", output: "25C" },
      ],
      text: { format: { type: "json_schema", name: "w", schema: { type: "object" }, strict: true } },
    });
    expect(request.messages[1]).toEqual({
      role: "assistant",
      content: null,
      tool_calls: [
        { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
        { id: "call_2", type: "function", function: { name: "get_weather", arguments: '{"city":"Rome"}' } },
      ],
    });
    expect(request.messages.slice(2)).toEqual([
      { role: "tool", tool_call_id: "call_1", content: "18C" },
      { role: "tool", tool_call_id: "call_2", content: "25C" },
    ]);
    expect(request.response_format).toEqual({
      type: "json_schema",
      json_schema: { name: "w", schema: { type: "object" }, strict: true },
    });
  });

  it("sealed reasoning handed back goes with the tool-call turn after it; the text before calls is the same turn", () => {
    const thinking = [{ type: "thinking" as const, thinking: "Look it up.", signature: "sig-1" }];
    const sealed = sealReasoning(thinking);
    expect(sealed).toMatch(/^swy1\./);
    expect(openReasoning(sealed!)).toEqual(thinking);
    expect(openReasoning("gAAAA-openai-state")).toBeNull();
    expect(sealReasoning([{ type: "thinking", thinking: "unsigned" }])).toBeNull();
    const { request, warnings } = parse({
      model: "m",
      input: [
        { role: "user", content: "weather?" },
        {
          type: "reasoning",
          id: "rs_1",
          summary: [{ type: "summary_text", text: "Look it up." }],
          encrypted_content: sealed,
        },
        { type: "message", role: "assistant", content: [{ type: "output_text", text: "Checking." }] },
        { type: "function_call", call_id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' },
        { type: "function_call_output", call_id: "call_1", output: "18C" },
      ],
    });
    expect(warnings).toEqual([]);
    expect(request.messages[1]).toEqual({
      role: "assistant",
      content: "Checking.",
      reasoning: thinking,
      tool_calls: [
        { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
      ],
    });
    expect(request.messages[2]).toEqual({ role: "tool", tool_call_id: "call_1", content: "18C" });
  });

  it("a built-in tool is a 400 naming it; so are unknown item types and bad fields", () => {
    expect(refusal({ model: "m", input: "x", tools: [{ type: "web_search" }] })).toMatchObject({
      status: 400,
      param: "tools.0.type",
      message: expect.stringContaining('"web_search"'),
    });
    expect(
      refusal({ model: "m", input: "x", tools: [{ type: "code_interpreter", container: { type: "auto" } }] }).message,
    ).toMatch(/code_interpreter/);
    // Every built-in tool asked for is named, not only the first.
    const both = refusal({
      model: "m",
      input: "x",
      tools: [{ type: "file_search" }, { type: "function", name: "f", parameters: {} }, { type: "code_interpreter" }],
    });
    expect(both).toMatchObject({ status: 400, param: "tools.0.type" });
    expect(both.message).toContain('"file_search" (tools.0)');
    expect(both.message).toContain('"code_interpreter" (tools.2)');
    expect(refusal({ model: "m", input: [{ type: "item_reference", id: "msg_1" }] }).param).toBe("input.0.type");
    expect(refusal({ model: "m", input: "x", temperature: 3 }).param).toBe("temperature");
    expect(refusal({ model: "m", input: "x", reasoning: { effort: "extreme" } }).param).toBe("reasoning.effort");
    expect(refusal({ model: "m", input: "x", tool_choice: { type: "file_search" } }).param).toBe("tool_choice");
    expect(refusal({ input: "x" }).param).toBe("model");
  });
});

describe("canonical -> Response object", () => {
  it("encodes the recorded function-call answer's output item, status and usage", async () => {
    const recorded = JSON.parse(await fixture("openai/responses-function-call.json"));
    const call = recorded.output.find((i: { type: string }) => i.type === "function_call");
    const encoded = encodeResponse(
      {
        id: "resp_1",
        created_at: recorded.created_at,
        body: parseResponsesBody(await recordedRequest("openai/responses-function-call")),
      },
      {
        model: recorded.model,
        content: null,
        tool_calls: [{ id: call.call_id, name: call.name, arguments: call.arguments }],
        finish_reason: "tool_calls",
        usage: {
          input_tokens: recorded.usage.input_tokens,
          output_tokens: recorded.usage.output_tokens,
          cached_input_tokens: 0,
          cache_write_tokens: 0,
        },
      },
      ROUTE,
      recorded.completed_at,
      newId,
    );
    const { id: _id, ...callShape } = call;
    expect(encoded.output).toEqual([{ id: expect.stringMatching(/^fc_/), ...callShape }]);
    expect(encoded).toMatchObject({
      object: "response",
      status: "completed",
      model: recorded.model,
      tool_choice: "required",
      usage: recorded.usage,
      x_router: ROUTE,
    });
  });

  it("encodes text as a message item like the recorded text answer, reasoning tokens in usage", async () => {
    const recorded = JSON.parse(await fixture("openai/responses-reasoning.json"));
    const encoded = encodeResponse(
      {
        id: "resp_2",
        created_at: 1,
        body: parseResponsesBody({ model: "gpt-5-nano", input: "x", reasoning: { effort: "low" } }),
      },
      {
        model: "gpt-5-nano",
        content: "3",
        tool_calls: [],
        finish_reason: "stop",
        usage: {
          input_tokens: 11,
          output_tokens: 131,
          cached_input_tokens: 0,
          cache_write_tokens: 0,
          reasoning_tokens: 64,
        },
      },
      ROUTE,
      2,
      newId,
    );
    const message = recorded.output.find((i: { type: string }) => i.type === "message");
    expect(encoded.output).toEqual([{ ...message, id: expect.stringMatching(/^msg_/) }]);
    expect(encoded.usage).toEqual(recorded.usage);
    expect(encoded.reasoning).toEqual({ effort: "low", summary: null });
  });

  it("a length stop is incomplete with max_output_tokens as the reason", () => {
    const encoded = encodeResponse(
      { id: "r", created_at: 1, body: parseResponsesBody({ model: "m", input: "x" }) },
      { model: "m", content: "cut", tool_calls: [], finish_reason: "length", usage: null },
      ROUTE,
      2,
      newId,
    );
    expect(encoded).toMatchObject({ status: "incomplete", incomplete_details: { reason: "max_output_tokens" } });
  });
});

describe("canonical events -> Responses stream", () => {
  const writerFor = (body: unknown) =>
    new ResponsesStreamWriter(
      { id: "resp_s", created_at: 1, body: parseResponsesBody(body) },
      "gpt-4.1-nano",
      newId,
      () => 5000,
    );

  for (const stem of ["responses-stream-text", "responses-stream-function-call"]) {
    it(`re-encodes ${stem} to the recorded event sequence, numbered from 0`, async () => {
      const sse = await fixture(`openai/${stem}.sse`);
      const writer = writerFor(await recordedRequest(`openai/${stem}`));
      const ours = parseSse(
        decode([writer.start(), ...canonicalEvents(sse).map((e) => writer.event(e)), writer.end(ROUTE)]),
      );
      const recorded = parseSse(sse);
      expect(ours.map((e) => e.event)).toEqual(recorded.map((e) => e.event));
      expect(ours.map((e) => e.data.type)).toEqual(recorded.map((e) => e.data.type));
      expect(ours.map((e) => e.data.sequence_number)).toEqual(recorded.map((e) => e.data.sequence_number));
      const strip = (e: (typeof ours)[number]) => e.data.delta ?? e.data.text ?? e.data.arguments ?? e.data.item?.type;
      expect(ours.map(strip)).toEqual(recorded.map(strip));
      const done = ours.at(-1)?.data.response;
      const recordedDone = recorded.at(-1)?.data.response;
      expect(done.status).toBe("completed");
      expect(done.usage).toEqual(recordedDone.usage);
      expect(done.output.map((i: { type: string; status: string }) => [i.type, i.status])).toEqual(
        recordedDone.output.map((i: { type: string; status: string }) => [i.type, i.status]),
      );
      expect(done.x_router).toEqual(ROUTE);
    });
  }

  it("each streamed reasoning item seals only its own thinking; a redacted block alone gets an item of its own", () => {
    const writer = writerFor({ model: "m", input: "x", stream: true, include: ["reasoning.encrypted_content"] });
    const events: ResponsesStreamEvent[] = [
      { type: "reasoning_redacted", data: "opaque" },
      { type: "reasoning", text: "First." },
      { type: "reasoning_signature", signature: "sig-a" },
      { type: "tool_call_start", index: 0, id: "call_1", name: "f" },
      { type: "tool_call_delta", index: 0, arguments: "{}" },
      { type: "reasoning", text: "Second." },
      { type: "reasoning_signature", signature: "sig-b" },
      { type: "tool_call_start", index: 1, id: "call_2", name: "g" },
      { type: "finish", finish_reason: "tool_calls" },
    ];
    const out = parseSse(decode([writer.start(), ...events.map((e) => writer.event(e)), writer.end(ROUTE)]));
    const output = out.at(-1)?.data.response.output as {
      type: string;
      summary?: unknown;
      encrypted_content?: string;
    }[];
    expect(output.map((i) => i.type)).toEqual([
      "reasoning",
      "reasoning",
      "function_call",
      "reasoning",
      "function_call",
    ]);
    const sealed = output.filter((i) => i.type === "reasoning").map((i) => openReasoning(i.encrypted_content ?? ""));
    expect(sealed).toEqual([
      [{ type: "redacted_thinking", data: "opaque" }],
      [{ type: "thinking", thinking: "First.", signature: "sig-a" }],
      [{ type: "thinking", thinking: "Second.", signature: "sig-b" }],
    ]);
    expect(output[0]?.summary).toEqual([]);
    // The same item is announced and finished in the stream.
    const added = out.filter((e) => e.data.type === "response.output_item.added").map((e) => e.data.item.type);
    expect(added).toEqual(output.map((i) => i.type));
    // The stored turn keeps all three, in order.
    expect(writer.assistantMessage()).toMatchObject({
      role: "assistant",
      reasoning: [
        { type: "redacted_thinking", data: "opaque" },
        { type: "thinking", thinking: "First.", signature: "sig-a" },
        { type: "thinking", thinking: "Second.", signature: "sig-b" },
      ],
    });
  });

  it("a failure after commit is response.failed with the error, never response.completed", () => {
    const writer = writerFor({ model: "m", input: "x", stream: true });
    const out = parseSse(
      decode([writer.start(), writer.event({ type: "text", text: "Hel" }), writer.cut("upstream cut", ROUTE)]),
    );
    const last = out.at(-1);
    expect(last?.data.type).toBe("response.failed");
    expect(last?.data.response).toMatchObject({
      status: "failed",
      error: { code: "server_error", message: "upstream cut" },
    });
    expect(last?.data.response.output[0]).toMatchObject({ type: "message", status: "incomplete" });
    expect(out.some((e) => e.data.type === "response.completed")).toBe(false);
  });

  it("a mid-stream rate limit fails the response with rate_limit_exceeded, anything else with server_error", () => {
    const failed = (status: number) => {
      const writer = writerFor({ model: "m", input: "x", stream: true });
      const out = parseSse(decode([writer.event({ type: "text", text: "Hel" }), writer.cut("cut", ROUTE, status)]));
      return out.at(-1)?.data.response.error.code;
    };
    expect(failed(429)).toBe("rate_limit_exceeded");
    expect(failed(529)).toBe("server_error");
    expect(failed(500)).toBe("server_error");
  });

  it("a provider that interleaves two calls' deltas loses none of either call's arguments", () => {
    const writer = writerFor({ model: "m", input: "x", stream: true });
    const out = parseSse(
      decode([
        writer.event({ type: "tool_call_start", index: 0, id: "call_1", name: "f" }),
        writer.event({ type: "tool_call_delta", index: 0, arguments: '{"a":' }),
        writer.event({ type: "tool_call_start", index: 1, id: "call_2", name: "g" }),
        writer.event({ type: "tool_call_delta", index: 1, arguments: '{"b":' }),
        writer.event({ type: "tool_call_delta", index: 0, arguments: "1}" }),
        writer.event({ type: "tool_call_delta", index: 1, arguments: "2}" }),
        writer.event({ type: "finish", finish_reason: "tool_calls" }),
        writer.end(ROUTE),
      ]),
    );
    const completed = out.at(-1)?.data.response;
    expect(completed.status).toBe("completed");
    expect(completed.output.map((i: { arguments: string }) => i.arguments)).toEqual(['{"a":1}', '{"b":2}']);
    const deltas = out.filter((e) => e.data.type === "response.function_call_arguments.delta");
    expect(deltas.map((e) => [e.data.output_index, e.data.delta])).toEqual([
      [0, '{"a":'],
      [1, '{"b":'],
      [0, "1}"],
      [1, "2}"],
    ]);
    expect(writer.assistantMessage()).toMatchObject({
      tool_calls: [
        { id: "call_1", function: { name: "f", arguments: '{"a":1}' } },
        { id: "call_2", function: { name: "g", arguments: '{"b":2}' } },
      ],
    });
  });

  it("a length stop leaves the item it cut incomplete, the ones before it completed, and no completed_at", () => {
    const writer = writerFor({ model: "m", input: "x", stream: true });
    const out = parseSse(
      decode([
        writer.event({ type: "text", text: "Calling." }),
        writer.event({ type: "tool_call_start", index: 0, id: "call_1", name: "f" }),
        writer.event({ type: "tool_call_delta", index: 0, arguments: '{"a":' }),
        writer.event({ type: "finish", finish_reason: "length" }),
        writer.end(ROUTE),
      ]),
    );
    const last = out.at(-1);
    expect(last?.data.type).toBe("response.incomplete");
    expect(last?.data.response).toMatchObject({
      status: "incomplete",
      completed_at: null,
      incomplete_details: { reason: "max_output_tokens" },
    });
    expect(last?.data.response.output.map((i: { status: string }) => i.status)).toEqual(["completed", "incomplete"]);
    const done = out.filter((e) => e.data.type === "response.output_item.done").map((e) => e.data.item.status);
    expect(done).toEqual(["completed", "incomplete"]);

    const json = encodeResponse(
      { id: "resp_1", created_at: 1, body: parseResponsesBody({ model: "m", input: "x" }) },
      {
        model: "m",
        content: "Calling.",
        tool_calls: [{ id: "call_1", name: "f", arguments: '{"a":' }],
        finish_reason: "length",
        usage: null,
      },
      ROUTE,
      2,
      newId,
    );
    expect(json).toMatchObject({ status: "incomplete", completed_at: null });
    expect(json.output.map((i) => i.status)).toEqual(["completed", "incomplete"]);
    const whole = encodeResponse(
      { id: "resp_2", created_at: 1, body: parseResponsesBody({ model: "m", input: "x" }) },
      { model: "m", content: "Hi.", tool_calls: [], finish_reason: "stop", usage: null },
      ROUTE,
      2,
      newId,
    );
    expect(whole).toMatchObject({ status: "completed", completed_at: 2 });
    expect(whole.output.map((i) => i.status)).toEqual(["completed"]);
  });

  it("thinking that came as its signature alone is sealed in a reasoning item of its own", () => {
    const writer = writerFor({ model: "m", input: "x", stream: true, include: ["reasoning.encrypted_content"] });
    const out = parseSse(
      decode([
        writer.event({ type: "reasoning_signature", signature: "sig-only" }),
        writer.event({ type: "text", text: "ok" }),
        writer.event({ type: "finish", finish_reason: "stop" }),
        writer.end(ROUTE),
      ]),
    );
    const output = out.at(-1)?.data.response.output as { type: string; encrypted_content?: string }[];
    expect(output.map((i) => i.type)).toEqual(["reasoning", "message"]);
    expect(openReasoning(output[0]?.encrypted_content ?? "")).toEqual([
      { type: "thinking", thinking: "", signature: "sig-only" },
    ]);
  });

  it("streams reasoning as a reasoning item with summary text deltas before the answer", () => {
    const writer = writerFor({ model: "m", input: "x", stream: true });
    const out = parseSse(
      decode([
        writer.start(),
        writer.event({ type: "reasoning", text: "think" }),
        writer.event({ type: "text", text: "ok" }),
        writer.event({ type: "finish", finish_reason: "stop" }),
        writer.end(ROUTE),
      ]),
    );
    expect(out.map((e) => e.data.type)).toContain("response.reasoning_summary_text.delta");
    expect(out.at(-1)?.data.response.output.map((i: { type: string }) => i.type)).toEqual(["reasoning", "message"]);
  });
});
