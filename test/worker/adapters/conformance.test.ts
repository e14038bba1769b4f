// One conformance suite every provider adapter runs, through the real Worker against the emulator's recorded payloads.
import { describe, expect, it } from "vitest";
import { chat, newSession, PROVIDERS, type ProviderId, sseData } from "../gateway.ts";

interface Expected {
  text: { startsWith: string; finish: string; prompt: number; completion: number };
  stream: { text: string | { startsWith: string; length: number }; finish: string; prompt: number; completion: number };
  tool: { calls: { name: string; arguments: unknown }[]; prompt: number; completion: number };
  streamTool: { calls: { name: string; arguments: unknown }[]; prompt: number; completion: number };
}

/** What each provider's recorded payloads say (test/fixtures/<provider>/, see SOURCES.md). */
/** `midstreamAfter`: events to replay before a mid-stream failure, so at least one content chunk was committed. */
const CASES: Record<ProviderId, { model: string; midstreamAfter: number } & Expected> = {
  openai: {
    model: "openai/gpt-4o-mini",
    midstreamAfter: 4,
    text: {
      startsWith: "The current weather in San Francisco is 70 degrees and sunny",
      finish: "stop",
      prompt: 40,
      completion: 13,
    },
    stream: { text: "10 + 5 equals 15.", finish: "stop", prompt: 23, completion: 8 },
    tool: {
      calls: [
        { name: "get_current_weather", arguments: { location: "San Francisco" } },
        { name: "get_current_weather", arguments: { location: "Boston" } },
      ],
      prompt: 70,
      completion: 46,
    },
    streamTool: { calls: [{ name: "get_capital", arguments: { country: "UK" } }], prompt: 53, completion: 15 },
  },
  anthropic: {
    model: "anthropic/claude-sonnet-4-5-20250929",
    midstreamAfter: 4,
    // Recorded with stop_reason max_tokens: the canonical finish is "length".
    text: { startsWith: "# Who vs. Whom", finish: "length", prompt: 22, completion: 15 },
    stream: {
      text: { startsWith: "Here's an OpenTelemetry-themed joke for you:", length: 689 },
      finish: "stop",
      prompt: 17,
      completion: 171,
    },
    tool: { calls: [{ name: "add", arguments: { a: 1, b: 2 } }], prompt: 599, completion: 68 },
    streamTool: {
      calls: [
        { name: "get_weather", arguments: { location: "San Francisco, CA", unit: "celsius" } },
        { name: "get_time", arguments: { timezone: "America/Los_Angeles" } },
      ],
      prompt: 506,
      completion: 153,
    },
  },
  mistral: {
    model: "mistral/mistral-large-latest",
    midstreamAfter: 4,
    text: {
      startsWith: "The sky appears blue due to a phenomenon called **Rayleigh s",
      finish: "length",
      prompt: 9,
      completion: 100,
    },
    stream: {
      text: { startsWith: "The sky appears blue due to a phenomenon called **Rayleigh s", length: 433 },
      finish: "length",
      prompt: 9,
      completion: 100,
    },
    tool: { calls: [{ name: "get_weather", arguments: { location: "New York City" } }], prompt: 72, completion: 14 },
    streamTool: {
      calls: [{ name: "get_weather", arguments: { location: "New York City" } }],
      prompt: 72,
      completion: 14,
    },
  },
  together: {
    model: "together/meta-llama/Llama-3.3-70B-Instruct-Turbo",
    midstreamAfter: 2,
    // Together's `eos` is a normal stop.
    text: {
      startsWith: " Why don't we ever hear secrets at a OpenTelemetry conventio",
      finish: "stop",
      prompt: 18,
      completion: 35,
    },
    stream: { text: "Hello!", finish: "stop", prompt: 45, completion: 3 },
    tool: { calls: [{ name: "get_weather", arguments: { city: "Paris" } }], prompt: 194, completion: 19 },
    streamTool: { calls: [{ name: "get_weather", arguments: { city: "Paris" } }], prompt: 194, completion: 19 },
  },
  ollama: {
    model: "ollama/llama3.2",
    midstreamAfter: 4,
    text: {
      startsWith: "Okay, I understand. You're testing my model's ability",
      finish: "stop",
      prompt: 19,
      completion: 104,
    },
    stream: {
      text: { startsWith: "Why did the OpenTelemetry agent go to therapy?", length: 212 },
      finish: "stop",
      prompt: 17,
      completion: 50,
    },
    tool: { calls: [{ name: "get_weather", arguments: { city: "Tokyo" } }], prompt: 169, completion: 18 },
    streamTool: { calls: [{ name: "get_weather", arguments: { city: "Tokyo" } }], prompt: 169, completion: 15 },
  },
};

const TOOLS = [
  {
    type: "function",
    function: {
      name: "get_weather",
      description: "Weather for a city",
      parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    },
  },
];
const USER = [{ role: "user", content: "Hello" }];
const NO_FALLBACK = { fallback: false };

type Chunk = {
  choices?: {
    delta?: {
      content?: string;
      tool_calls?: { index: number; id?: string; function?: { name?: string; arguments?: string } }[];
    };
    finish_reason?: string | null;
  }[];
  usage?: { prompt_tokens: number; completion_tokens: number } | null;
  x_router?: unknown;
  error?: unknown;
};

function collect(chunks: (Record<string, unknown> | "[DONE]")[]) {
  let text = "";
  let finish: string | null = null;
  let usage: Chunk["usage"] = null;
  const calls = new Map<number, { id: string; name: string; arguments: string }>();
  for (const raw of chunks) {
    if (raw === "[DONE]") continue;
    const chunk = raw as Chunk;
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices?.[0];
    if (!choice) continue;
    text += choice.delta?.content ?? "";
    for (const call of choice.delta?.tool_calls ?? []) {
      const seen = calls.get(call.index);
      if (seen === undefined)
        calls.set(call.index, {
          id: call.id ?? "",
          name: call.function?.name ?? "",
          arguments: call.function?.arguments ?? "",
        });
      else seen.arguments += call.function?.arguments ?? "";
    }
    finish = choice.finish_reason ?? finish;
  }
  return { text, finish, usage, calls: [...calls.values()] };
}

for (const provider of PROVIDERS) {
  const c = CASES[provider];

  describe(`${provider} adapter conformance`, () => {
    it("answers text with its finish reason and usage", async () => {
      const s = await newSession();
      const res = await chat(s.env, { model: c.model, messages: USER, router: NO_FALLBACK });
      const body = (await res.json()) as {
        choices: { message: { content: string; tool_calls?: unknown }; finish_reason: string }[];
        usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
        x_router: { provider: string };
      };
      expect(res.status, JSON.stringify(body)).toBe(200);
      expect(body.choices[0]?.message.content.startsWith(c.text.startsWith)).toBe(true);
      expect(body.choices[0]?.message.tool_calls).toBeUndefined();
      expect(body.choices[0]?.finish_reason).toBe(c.text.finish);
      expect(body.usage).toMatchObject({
        prompt_tokens: c.text.prompt,
        completion_tokens: c.text.completion,
        total_tokens: c.text.prompt + c.text.completion,
      });
      expect(body.x_router.provider).toBe(provider);
      expect(res.headers.get("x-router-provider")).toBe(provider);
    });

    it("streams text, then the finish reason, usage (when asked) and [DONE]", async () => {
      const s = await newSession();
      const res = await chat(s.env, {
        model: c.model,
        messages: USER,
        stream: true,
        stream_options: { include_usage: true },
        router: NO_FALLBACK,
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("text/event-stream");
      const chunks = await sseData(res);
      expect(chunks.at(-1)).toBe("[DONE]");
      const got = collect(chunks);
      if (typeof c.stream.text === "string") expect(got.text).toBe(c.stream.text);
      else {
        expect(got.text.startsWith(c.stream.text.startsWith)).toBe(true);
        expect(got.text.length).toBe(c.stream.text.length);
      }
      expect(got.finish).toBe(c.stream.finish);
      expect(got.usage).toMatchObject({ prompt_tokens: c.stream.prompt, completion_tokens: c.stream.completion });
      // The usage chunk is the OpenAI kind: no choices, just usage (and our route report).
      const usageChunk = chunks.at(-2) as Chunk;
      expect(usageChunk.choices).toEqual([]);
      expect(usageChunk.x_router).toMatchObject({ provider });
    });

    it("keeps usage out of the stream when the client did not ask for it", async () => {
      const s = await newSession();
      const res = await chat(s.env, { model: c.model, messages: USER, stream: true, router: NO_FALLBACK });
      const chunks = await sseData(res);
      expect(chunks.at(-1)).toBe("[DONE]");
      expect(chunks.filter((ch) => ch !== "[DONE]" && "usage" in ch)).toEqual([]);
      const last = chunks.at(-2) as Chunk;
      expect(last.choices?.[0]?.finish_reason).toBe(c.stream.finish);
      expect(last.x_router).toMatchObject({ provider });
    });

    it("returns tool calls with JSON arguments", async () => {
      const s = await newSession();
      const res = await chat(s.env, { model: c.model, messages: USER, tools: TOOLS, router: NO_FALLBACK });
      const body = (await res.json()) as {
        choices: {
          message: {
            content: string | null;
            tool_calls: { id: string; type: string; function: { name: string; arguments: string } }[];
          };
          finish_reason: string;
        }[];
        usage: { prompt_tokens: number; completion_tokens: number };
      };
      expect(res.status, JSON.stringify(body)).toBe(200);
      const calls = body.choices[0]?.message.tool_calls ?? [];
      expect(calls.map((t) => ({ name: t.function.name, arguments: JSON.parse(t.function.arguments) }))).toEqual(
        c.tool.calls,
      );
      for (const call of calls) {
        expect(call.type).toBe("function");
        expect(call.id).not.toBe("");
      }
      expect(body.choices[0]?.finish_reason).toBe("tool_calls");
      expect(body.usage).toMatchObject({ prompt_tokens: c.tool.prompt, completion_tokens: c.tool.completion });
    });

    it("streams tool calls whose argument fragments reassemble", async () => {
      const s = await newSession();
      const res = await chat(s.env, {
        model: c.model,
        messages: USER,
        tools: TOOLS,
        stream: true,
        stream_options: { include_usage: true },
        router: NO_FALLBACK,
      });
      const chunks = await sseData(res);
      expect(chunks.at(-1)).toBe("[DONE]");
      const got = collect(chunks);
      expect(got.calls.map((t) => ({ name: t.name, arguments: JSON.parse(t.arguments) }))).toEqual(c.streamTool.calls);
      expect(got.calls.every((t) => t.id !== "")).toBe(true);
      expect(got.finish).toBe("tool_calls");
      expect(got.usage).toMatchObject({
        prompt_tokens: c.streamTool.prompt,
        completion_tokens: c.streamTool.completion,
      });
    });

    it("turns a 400 into a 400 that is not retried", async () => {
      const s = await newSession({ faults: [{ provider, mode: "status", status: 400 }] });
      const res = await chat(s.env, { model: c.model, messages: USER, router: NO_FALLBACK });
      const body = (await res.json()) as { error: { message: string; type: string } };
      expect(res.status).toBe(400);
      expect(body.error.type).toBe("invalid_request_error");
      expect((await s.requests()).filter((r) => r.path.includes("chat") || r.path.includes("messages"))).toHaveLength(
        1,
      );
    });

    it("retries a 429 after its retry-after-ms, then reports 429 with Retry-After", async () => {
      const s = await newSession({
        faults: [{ provider, mode: "status", status: 429, retry_after_ms: 20, retry_after: "1" }],
      });
      const res = await chat(s.env, { model: c.model, messages: USER, router: NO_FALLBACK });
      const body = (await res.json()) as { error: { code: string }; x_router: { attempts: { status: string }[] } };
      expect(res.status).toBe(429);
      expect(res.headers.get("retry-after")).not.toBeNull();
      expect(body.error.code).toBe("rate_limit_exceeded");
      expect(body.x_router.attempts).toHaveLength(2);
      expect(await s.requests()).toHaveLength(2);
    });

    it("reports a persistent 5xx as 502 with the attempts", async () => {
      const s = await newSession({ faults: [{ provider, mode: "status", status: 500 }] });
      const res = await chat(s.env, { model: c.model, messages: USER, router: NO_FALLBACK });
      const body = (await res.json()) as {
        error: { type: string; code: string; message: string };
        x_router: { attempts: { provider: string; status: string; error: string }[] };
      };
      expect(res.status).toBe(502);
      expect(body.error.code).toBe("upstream_failed");
      expect(body.x_router.attempts.every((a) => a.provider === provider && a.status === "failed")).toBe(true);
    });

    it("reads an error with an empty body", async () => {
      const s = await newSession({ faults: [{ provider, mode: "empty_error", status: 503 }] });
      const res = await chat(s.env, { model: c.model, messages: USER, router: NO_FALLBACK });
      const body = (await res.json()) as { error: { message: string } };
      expect(res.status).toBe(502);
      expect(body.error.message).toContain("empty body");
    });

    it("never passes a malformed chunk to the client", async () => {
      const s = await newSession({ faults: [{ provider, mode: "malformed", after_chunks: 0 }] });
      const res = await chat(s.env, { model: c.model, messages: USER, stream: true, router: NO_FALLBACK });
      // Before the commit point the failure is invisible: a plain JSON error, no half-written stream.
      expect(res.status).toBe(502);
      const body = (await res.json()) as { error: { message: string } };
      expect(body.error.message).toMatch(/not valid JSON/);
    });

    it("ends a stream that fails after commit with an error event and no [DONE]", async () => {
      const s = await newSession({ faults: [{ provider, mode: "midstream_error", after_chunks: c.midstreamAfter }] });
      const res = await chat(s.env, { model: c.model, messages: USER, stream: true, router: NO_FALLBACK });
      expect(res.status).toBe(200);
      const chunks = await sseData(res);
      expect(chunks).not.toContain("[DONE]");
      const last = chunks.at(-1) as { error?: { code: string; message: string } };
      expect(last.error?.code).toBe("stream_interrupted");
      expect(collect(chunks.slice(0, -1)).text.length).toBeGreaterThan(0);
    });
  });
}
