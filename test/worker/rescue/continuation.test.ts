// Rescue after the commit point, through the official openai client: a committed stream that breaks is continued on a
// prefill-capable candidate (Anthropic, Mistral, Ollama) or spliced onto a restart, so the client reads one answer.

import { createExecutionContext } from "cloudflare:test";
import Anthropic from "@anthropic-ai/sdk";
import { describe, expect, it } from "vitest";
import worker from "../../../src/index.ts";
import { newSession } from "../gateway.ts";
import { CLOCKS, client, completions, lastMessage, readChatStream, recordedText, withGateway } from "./helpers.ts";

/** A message's text, whether a string or (Anthropic) a list of text blocks. */
const textOf = (content: unknown): string =>
  typeof content === "string"
    ? content
    : ((content as { text?: string }[] | undefined) ?? []).map((b) => b.text ?? "").join("");

const USER = [{ role: "user" as const, content: "What is 10 + 5?" }];

/** A streamed chat through the official client for an explicit chain. */
async function ask(session: Awaited<ReturnType<typeof newSession>>, models: string[], router: object = {}) {
  const stream = await client(session).chat.completions.create(
    withGateway(
      { model: models[0]!, messages: USER, stream: true as const, stream_options: { include_usage: true } },
      { models, router: { timeouts: CLOCKS, ...router } },
    ),
  );
  return readChatStream(stream);
}

// The OpenAI recording streams "10", " +", " ", "5", ...: four events in (the role chunk first), the text sent is
// "10 + ", which ends in whitespace.
const CUT = { provider: "openai" as const, model: "gpt-4o-mini", mode: "cut" as const, after_chunks: 4 };

describe("continuation on a candidate that takes an assistant prefill", () => {
  const cases = [
    { name: "Anthropic", ref: "anthropic/claude-haiku-4-5-20251001", provider: "anthropic" as const },
    { name: "Mistral (prefix: true)", ref: "mistral/mistral-small-latest", provider: "mistral" as const },
    { name: "Ollama (a final assistant message)", ref: "ollama/llama3", provider: "ollama" as const },
  ];
  for (const { name, ref, provider } of cases) {
    it(`${name}: the cut answer is continued into the same stream, both attempts reported, usage added`, async () => {
      const rest = await recordedText(await newSession(), ref);
      const s = await newSession({ faults: [CUT] });
      const out = await ask(s, ["openai/gpt-4o-mini", ref]);
      expect(out.error).toBeNull();
      // What the client reads: the text the first candidate sent, then the continuation, nothing repeated.
      expect(out.text).toBe(`10 + ${rest}`);
      expect(out.finishes).toBe(1);
      const sent = lastMessage((await completions(s, provider))[0]);
      // The prefill is the text sent less its trailing whitespace (Anthropic refuses a prefix that ends in it).
      expect(sent?.role).toBe("assistant");
      expect(textOf(sent?.content)).toBe("10 +");
      if (provider === "mistral") expect(sent?.prefix).toBe(true);
      expect(out.xRouter?.attempts.map((a) => `${a.provider}:${a.status}`)).toEqual([
        "openai:failed",
        `${provider}:ok`,
      ]);
      expect(out.xRouter?.attempts.map((a) => a.via ?? "try")).toEqual(["try", "continuation"]);
      expect(out.xRouter?.provider).toBe(provider);
      // Usage adds both legs: the cut one (estimated: it never reported) and the continuation's own.
      const alone = await ask(await newSession(), [ref]);
      expect(out.usage?.completion_tokens).toBeGreaterThan(alone.usage?.completion_tokens ?? 0);
      expect(out.usage?.prompt_tokens).toBeGreaterThan(alone.usage?.prompt_tokens ?? 0);
    });
  }

  it("a stall after the commit point (idle clock) is continued too", async () => {
    const rest = await recordedText(await newSession(), "mistral/mistral-small-latest");
    const s = await newSession({ faults: [{ ...CUT, mode: "stall" }] });
    const t0 = Date.now();
    const out = await ask(s, ["openai/gpt-4o-mini", "mistral/mistral-small-latest"]);
    expect(out.text).toBe(`10 + ${rest}`);
    expect(Date.now() - t0).toBeLessThan(CLOCKS.idle_ms + 2000);
    // The stalled upstream request was aborted, not left running.
    const [first] = await completions(s, "openai");
    expect(first?.aborted).toBe(true);
  });

  it("an error event after the commit point is continued too", async () => {
    const rest = await recordedText(await newSession(), "mistral/mistral-small-latest");
    const s = await newSession({ faults: [{ ...CUT, mode: "midstream_error" }] });
    const out = await ask(s, ["openai/gpt-4o-mini", "mistral/mistral-small-latest"]);
    expect(out.text).toBe(`10 + ${rest}`);
  });

  it("OpenAI and Together are never sent a prefill: with only them left, the answer is spliced or cut", async () => {
    const s = await newSession({ faults: [CUT] });
    const out = await ask(s, ["openai/gpt-4o-mini", "together/meta-llama/Llama-3.3-70B-Instruct-Turbo"]);
    const [call] = await completions(s, "together");
    expect(lastMessage(call)?.role).toBe("user");
    // Together's answer does not begin with "10 + ": no splice, the client gets the error, never a truncated success.
    expect(out.error).not.toBeNull();
  });
});

describe("splice on restart", () => {
  it("a restart whose answer begins with exactly the text sent is joined on: the client reads the whole answer once", async () => {
    const whole = await recordedText(await newSession(), "openai/gpt-4o-mini");
    // Another OpenAI model (no prefill) restarts from scratch and, here, gives the same answer.
    const s = await newSession({ faults: [CUT] });
    const out = await ask(s, ["openai/gpt-4o-mini", "openai/gpt-4o"]);
    expect(out.error).toBeNull();
    expect(out.text).toBe(whole);
    const calls = await completions(s, "openai");
    expect(calls.map((c) => c.body?.model)).toEqual(["gpt-4o-mini", "gpt-4o"]);
    expect(lastMessage(calls[1])?.role).toBe("user");
    expect(out.xRouter?.attempts.map((a) => `${a.model}:${a.status}`)).toEqual(["gpt-4o-mini:failed", "gpt-4o:ok"]);
    expect(out.xRouter?.attempts.map((a) => a.via ?? "try")).toEqual(["try", "splice"]);
  });

  it("a restart whose answer differs is not joined on: the client gets the error event, no truncated success", async () => {
    const s = await newSession({ faults: [CUT] });
    const out = await ask(s, ["openai/gpt-4o-mini", "together/meta-llama/Llama-3.3-70B-Instruct-Turbo"]);
    expect(out.text).toBe("10 + ");
    expect(out.finishes).toBe(0);
    expect(out.error).not.toBeNull();
    expect(String((out.error as Error).message)).toMatch(/cut off/);
    // The restart was read only as far as it takes to see that it differs, then aborted.
    const [restart] = await completions(s, "together");
    expect(restart).toBeDefined();
  });

  it("a prefill refused with a 400 is never the final error: the same candidate restarts and is spliced on", async () => {
    const whole = await recordedText(await newSession(), "mistral/mistral-small-latest");
    const s = await newSession({
      faults: [
        { provider: "mistral", model: "mistral-small-latest", mode: "cut", after_chunks: 3 },
        { provider: "mistral", model: "mistral-large-latest", mode: "status", status: 400, times: 1 },
      ],
    });
    const out = await ask(s, ["mistral/mistral-small-latest", "mistral/mistral-large-latest"]);
    expect(out.error).toBeNull();
    expect(out.text).toBe(whole);
    const calls = await completions(s, "mistral");
    expect(calls.map((c) => c.body?.model)).toEqual([
      "mistral-small-latest",
      "mistral-large-latest",
      "mistral-large-latest",
    ]);
    // First the prefill (refused), then the restart from scratch.
    expect(lastMessage(calls[1])).toMatchObject({ role: "assistant", prefix: true });
    expect(lastMessage(calls[2])?.role).toBe("user");
  });
});

describe("never once a tool call has started", () => {
  it("a stream cut inside a tool call ends in the error event; nothing else is called", async () => {
    const s = await newSession({
      faults: [{ provider: "openai", model: "gpt-4o-mini", mode: "cut", after_chunks: 3 }],
    });
    const stream = await client(s).chat.completions.create({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "What's the weather in Paris?" }],
      tools: [
        {
          type: "function",
          function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
        },
      ],
      stream: true,
      ...{ models: ["openai/gpt-4o-mini", "mistral/mistral-small-latest"], router: { timeouts: CLOCKS } },
    });
    const out = await readChatStream(stream);
    expect(out.error).not.toBeNull();
    expect(await completions(s, "mistral")).toHaveLength(0);
  });
});

describe("the Responses dialect gets the same rescue", () => {
  it("a cut stream is continued: the whole text, ended as the continuation ended it", async () => {
    const rest = await recordedText(await newSession(), "mistral/mistral-small-latest");
    const s = await newSession({ faults: [CUT] });
    const stream = await client(s, {
      "x-router-timeout-idle-ms": String(CLOCKS.idle_ms),
    }).responses.create({
      model: "openai/gpt-4o-mini",
      input: "What is 10 + 5?",
      stream: true,
      ...{ models: ["openai/gpt-4o-mini", "mistral/mistral-small-latest"] },
    });
    let text = "";
    const types: string[] = [];
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === "response.output_text.delta") text += event.delta;
      expect(event.type).not.toBe("response.failed");
    }
    expect(text).toBe(`10 + ${rest}`);
    // The answer ends as the continuation ended it (the Mistral recording stops at its token limit: incomplete), and
    // never as response.failed.
    expect(types.at(-1)).toBe("response.incomplete");
  });
});

describe("the Messages dialect gets the same rescue", () => {
  it("a cut stream is continued: the Anthropic SDK reads the whole text and a normal message_stop", async () => {
    const rest = await recordedText(await newSession(), "mistral/mistral-small-latest");
    const s = await newSession({ faults: [CUT] });
    const sessionEnv = { ...s.env, ADMIN_KEY: "admin-key-for-rescue-tests-0123456789" };
    const anthropic = new Anthropic({
      baseURL: "http://127.0.0.1:8787",
      apiKey: "admin-key-for-rescue-tests-0123456789",
      maxRetries: 0,
      defaultHeaders: { "x-router-timeout-idle-ms": String(CLOCKS.idle_ms) },
      fetch: async (url: string | URL | Request, init?: RequestInit) =>
        worker.fetch(new Request(url, init), sessionEnv, createExecutionContext()),
    });
    const stream = anthropic.messages.stream({
      model: "openai/gpt-4o-mini",
      max_tokens: 200,
      messages: [{ role: "user", content: "What is 10 + 5?" }],
      ...{ models: ["openai/gpt-4o-mini", "mistral/mistral-small-latest"] },
    });
    const message = await stream.finalMessage();
    const text = message.content.map((b) => (b.type === "text" ? b.text : "")).join("");
    expect(text).toBe(`10 + ${rest}`);
    expect(await completions(s, "mistral")).toHaveLength(1);
  });
});
