// How the adapters read each provider's streamed and JSON answers into every client dialect: tool calls without arguments,
// prompt-cache usage, Together's cached tokens, stop sequences, and parallel tool calls per provider.
import { describe, expect, it } from "vitest";
import { call, chat, newSession, sseData } from "../gateway.ts";

/** Every SSE event's data payload, `event:` lines or not. */
async function events(res: Response): Promise<any[]> {
  const text = await res.text();
  return text
    .split("\n\n")
    .map((b) =>
      b
        .split("\n")
        .find((l) => l.startsWith("data: "))
        ?.slice(6),
    )
    .filter((d): d is string => d !== undefined && d !== "[DONE]")
    .map((d) => JSON.parse(d));
}

const b64 = (s: string) => btoa(unescape(encodeURIComponent(s)));
const ev = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

/** A real-shaped Anthropic stream: a tool_use whose input is empty (Anthropic sends one input_json_delta of ""). */
const anthropicNoArgToolStream = [
  ev("message_start", {
    message: {
      id: "msg_1",
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5-20250929",
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 50, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 },
    },
  }),
  ev("content_block_start", {
    index: 0,
    content_block: { type: "tool_use", id: "toolu_01A", name: "get_time", input: {} },
  }),
  ev("content_block_delta", { index: 0, delta: { type: "input_json_delta", partial_json: "" } }),
  ev("content_block_stop", { index: 0 }),
  ev("message_delta", { delta: { stop_reason: "tool_use", stop_sequence: null }, usage: { output_tokens: 12 } }),
  ev("message_stop", {}),
];

const TOOLS = [{ type: "function", function: { name: "get_time", parameters: { type: "object", properties: {} } } }];

describe("Anthropic: a streamed tool call without arguments", () => {
  it("chat stream: the call's arguments add up to valid JSON ({}), as the same answer non-streamed gives", async () => {
    const s = await newSession({
      faults: [{ provider: "anthropic", mode: "raw", times: 1, pieces: anthropicNoArgToolStream.map(b64) }],
    });
    const res = await chat(s.env, {
      model: "anthropic/claude-sonnet-4-5-20250929",
      messages: [{ role: "user", content: "what time is it" }],
      tools: TOOLS,
      stream: true,
      router: { fallback: false },
    });
    expect(res.status).toBe(200);
    const chunks = await sseData(res);
    let args = "";
    let name = "";
    for (const c of chunks) {
      if (c === "[DONE]") continue;
      for (const tc of ((c as any).choices?.[0]?.delta?.tool_calls ?? []) as any[]) {
        if (tc.function?.name) name = tc.function.name;
        args += tc.function?.arguments ?? "";
      }
    }
    expect(name).toBe("get_time");
    expect(() => JSON.parse(args)).not.toThrow();
  });

  it("responses stream: function_call_arguments.done and the output item carry valid JSON", async () => {
    const s = await newSession({
      faults: [{ provider: "anthropic", mode: "raw", times: 1, pieces: anthropicNoArgToolStream.map(b64) }],
    });
    const res = await call(s.env, "/v1/responses", {
      method: "POST",
      json: {
        model: "anthropic/claude-sonnet-4-5-20250929",
        input: "what time is it",
        tools: [{ type: "function", name: "get_time", parameters: { type: "object", properties: {} } }],
        stream: true,
        router: { fallback: false },
      },
    });
    expect(res.status).toBe(200);
    const evs = await events(res);
    const done = evs.find((e) => e.type === "response.function_call_arguments.done");
    expect(done).toBeDefined();
    expect(() => JSON.parse(done.arguments)).not.toThrow();
  });
});

describe("Anthropic prompt-cache usage (recorded messages-prompt-cache-read.json: input 11, cache_read 2055)", () => {
  const body = (extra: object = {}) => ({
    model: "anthropic/claude-sonnet-4-5-20250929",
    messages: [
      { role: "system", content: [{ type: "text", text: "long doc", cache_control: { type: "ephemeral" } }] },
      { role: "user", content: "q" },
    ],
    router: { fallback: false },
    ...extra,
  });
  it("chat: prompt_tokens counts every prompt token; cached_tokens the reads", async () => {
    const s = await newSession();
    const res = await chat(s.env, body());
    expect(res.status, await res.clone().text()).toBe(200);
    const j = (await res.json()) as any;
    expect(j.usage.prompt_tokens).toBe(2066);
    expect(j.usage.prompt_tokens_details.cached_tokens).toBe(2055);
    expect(j.usage.completion_tokens).toBe(100);
    expect(j.choices[0].finish_reason).toBe("length");
  });
});

describe("Together usage (top-level cached_tokens)", () => {
  it("a streamed answer's cached_tokens reach the client", async () => {
    const pieces = [
      `data: ${JSON.stringify({ id: "t1", object: "chat.completion.chunk", created: 1, model: "meta-llama/Llama-3.3-70B-Instruct-Turbo", choices: [{ index: 0, text: "Hi", logprobs: null, finish_reason: null, delta: { token_id: 1, role: "assistant", content: "Hi" } }] })}\n\n`,
      `data: ${JSON.stringify({ id: "t1", object: "chat.completion.chunk", created: 1, model: "meta-llama/Llama-3.3-70B-Instruct-Turbo", choices: [{ index: 0, text: "", logprobs: null, finish_reason: "stop", seed: 1, delta: { token_id: 2, role: "assistant", content: "" } }], usage: { prompt_tokens: 45, completion_tokens: 3, total_tokens: 48, cached_tokens: 32 } })}\n\n`,
      "data: [DONE]\n\n",
    ];
    const s = await newSession({ faults: [{ provider: "together", mode: "raw", times: 1, pieces: pieces.map(b64) }] });
    const res = await chat(s.env, {
      model: "together/meta-llama/Llama-3.3-70B-Instruct-Turbo",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
      stream_options: { include_usage: true },
      router: { fallback: false },
    });
    const chunks = (await sseData(res)) as any[];
    const usage = chunks.find((c) => c !== "[DONE]" && c.usage)?.usage;
    expect(usage).toMatchObject({
      prompt_tokens: 45,
      completion_tokens: 3,
      prompt_tokens_details: { cached_tokens: 32 },
    });
  });
});

describe("Anthropic stop_sequence", () => {
  it("Messages client gets stop_reason stop_sequence with the sequence; chat client finish_reason stop", async () => {
    const msg = {
      id: "msg_2",
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5-20250929",
      content: [{ type: "text", text: "one two" }],
      stop_reason: "stop_sequence",
      stop_sequence: "three",
      usage: { input_tokens: 5, output_tokens: 2, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    };
    const fault = {
      provider: "anthropic" as const,
      mode: "raw" as const,
      times: 1,
      content_type: "application/json",
      pieces: [b64(JSON.stringify(msg))],
    };
    const s = await newSession({ faults: [fault] });
    const res = await call(s.env, "/v1/messages", {
      method: "POST",
      json: {
        model: "anthropic/claude-sonnet-4-5-20250929",
        max_tokens: 20,
        stop_sequences: ["three"],
        messages: [{ role: "user", content: "count" }],
        router: { fallback: false },
      },
    });
    const j = (await res.json()) as any;
    expect(j.stop_reason).toBe("stop_sequence");
    expect(j.stop_sequence).toBe("three");
    await s.setFaults([fault]);
    const r2 = await chat(s.env, {
      model: "anthropic/claude-sonnet-4-5-20250929",
      stop: "three",
      messages: [{ role: "user", content: "count" }],
      router: { fallback: false },
    });
    expect(((await r2.json()) as any).choices[0].finish_reason).toBe("stop");
  });
});

describe("parallel streamed tool calls, per provider, in the chat stream", () => {
  const collect = (chunks: any[]) => {
    const calls = new Map<number, { id?: string; name?: string; args: string }>();
    for (const c of chunks) {
      if (c === "[DONE]") continue;
      for (const tc of (c.choices?.[0]?.delta?.tool_calls ?? []) as any[]) {
        const cur = calls.get(tc.index) ?? { args: "" };
        if (tc.id) cur.id = tc.id;
        if (tc.function?.name) cur.name = tc.function.name;
        cur.args += tc.function?.arguments ?? "";
        calls.set(tc.index, cur);
      }
    }
    return [...calls.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
  };

  it("Ollama: two calls on one NDJSON line (arguments as objects) become indices 0 and 1 with distinct ids", async () => {
    const lines = [
      JSON.stringify({
        model: "llama3.2",
        created_at: "2025-07-07T20:22:19Z",
        message: {
          role: "assistant",
          content: "",
          tool_calls: [
            { function: { name: "get_weather", arguments: { city: "Tokyo" } } },
            { function: { name: "get_weather", arguments: { city: "Paris" } } },
          ],
        },
        done: false,
      }) + "\n",
      JSON.stringify({
        model: "llama3.2",
        created_at: "2025-07-07T20:22:19Z",
        message: { role: "assistant", content: "" },
        done_reason: "stop",
        done: true,
        prompt_eval_count: 169,
        eval_count: 15,
      }) + "\n",
    ];
    const s = await newSession({
      faults: [
        { provider: "ollama", mode: "raw", times: 1, content_type: "application/x-ndjson", pieces: lines.map(b64) },
      ],
    });
    const res = await chat(s.env, {
      model: "ollama/llama3.2",
      stream: true,
      messages: [{ role: "user", content: "w" }],
      tools: [
        {
          type: "function",
          function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
        },
      ],
      router: { fallback: false },
    });
    const chunks = (await sseData(res)) as any[];
    const calls = collect(chunks);
    expect(calls.map((c) => JSON.parse(c.args))).toEqual([{ city: "Tokyo" }, { city: "Paris" }]);
    expect(new Set(calls.map((c) => c.id)).size).toBe(2);
    const fin = chunks.find((c) => c !== "[DONE]" && c.choices?.[0]?.finish_reason);
    expect(fin.choices[0].finish_reason).toBe("tool_calls");
  });

  it("Anthropic: text then two tool_use blocks become tool_calls 0 and 1", async () => {
    const st = [
      ev("message_start", {
        message: {
          id: "m",
          type: "message",
          role: "assistant",
          model: "claude-sonnet-4-5-20250929",
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 10, output_tokens: 1 },
        },
      }),
      ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
      ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: "Checking." } }),
      ev("content_block_stop", { index: 0 }),
      ev("content_block_start", {
        index: 1,
        content_block: { type: "tool_use", id: "toolu_A", name: "get_weather", input: {} },
      }),
      ev("content_block_delta", { index: 1, delta: { type: "input_json_delta", partial_json: "" } }),
      ev("content_block_delta", { index: 1, delta: { type: "input_json_delta", partial_json: '{"city": "Tok' } }),
      ev("content_block_delta", { index: 1, delta: { type: "input_json_delta", partial_json: 'yo"}' } }),
      ev("content_block_stop", { index: 1 }),
      ev("content_block_start", {
        index: 2,
        content_block: { type: "tool_use", id: "toolu_B", name: "get_weather", input: {} },
      }),
      ev("content_block_delta", { index: 2, delta: { type: "input_json_delta", partial_json: '{"city": "Paris"}' } }),
      ev("content_block_stop", { index: 2 }),
      ev("message_delta", { delta: { stop_reason: "tool_use", stop_sequence: null }, usage: { output_tokens: 40 } }),
      ev("message_stop", {}),
    ];
    const s = await newSession({ faults: [{ provider: "anthropic", mode: "raw", times: 1, pieces: st.map(b64) }] });
    const res = await chat(s.env, {
      model: "anthropic/claude-sonnet-4-5-20250929",
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "w" }],
      tools: [
        {
          type: "function",
          function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
        },
      ],
      router: { fallback: false },
    });
    const chunks = (await sseData(res)) as any[];
    const calls = collect(chunks);
    expect(calls.map((c) => c.id)).toEqual(["toolu_A", "toolu_B"]);
    expect(calls.map((c) => JSON.parse(c.args))).toEqual([{ city: "Tokyo" }, { city: "Paris" }]);
    const usage = chunks.find((c) => c !== "[DONE]" && c.usage)?.usage;
    expect(usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 40 });
  });
});
