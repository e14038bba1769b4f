// Normal path: every recording comes back byte for byte with its recorded Content-Type, picked by stream × tools.
import { describe, expect, it } from "vitest";
import {
  AUTH,
  chat,
  chatBody,
  createSession,
  fixtureText,
  MODELS_PATH,
  readAll,
  recordedContentType,
  runningEmulator,
  splitEvents,
  TOOLS,
} from "./helpers.ts";
import type { ProviderId } from "./types.ts";

const running = runningEmulator();

interface ReplayCase {
  provider: ProviderId;
  kind: string;
  extra: Record<string, unknown>;
  file: string;
  /** The sidecar whose Content-Type the reply must carry. */
  headersOf: string;
}

const STREAM = { stream: true };
const OPENAI_STREAM = { stream: true, stream_options: { include_usage: true } };
const tools = { tools: TOOLS };

const CASES: ReplayCase[] = [
  { provider: "openai", kind: "text", extra: {}, file: "chat-completion-text.json", headersOf: "chat-completion-text" },
  {
    provider: "openai",
    kind: "tool call",
    extra: tools,
    file: "chat-completion-tool-calls.json",
    headersOf: "chat-completion-tool-calls",
  },
  {
    provider: "openai",
    kind: "stream text",
    extra: OPENAI_STREAM,
    file: "chat-completion-stream-text-include-usage.sse",
    headersOf: "chat-completion-stream-text-include-usage",
  },
  {
    provider: "openai",
    kind: "stream tool call",
    extra: { ...OPENAI_STREAM, ...tools },
    file: "chat-completion-stream-tool-call-include-usage.sse",
    headersOf: "chat-completion-stream-tool-call-include-usage",
  },
  { provider: "anthropic", kind: "text", extra: {}, file: "messages-text.json", headersOf: "messages-text" },
  {
    provider: "anthropic",
    kind: "tool call",
    extra: tools,
    file: "messages-tool-use.json",
    headersOf: "messages-tool-use",
  },
  {
    provider: "anthropic",
    kind: "stream text",
    extra: STREAM,
    file: "messages-stream-text.sse",
    headersOf: "messages-stream-text",
  },
  {
    provider: "anthropic",
    kind: "stream tool call",
    extra: { ...STREAM, ...tools },
    file: "messages-stream-tool-use.sse",
    headersOf: "messages-stream-tool-use",
  },
  { provider: "mistral", kind: "text", extra: {}, file: "chat-completion.json", headersOf: "chat-completion" },
  {
    provider: "mistral",
    kind: "tool call",
    extra: tools,
    file: "chat-completion-tool-call.json",
    headersOf: "chat-completion-tool-call",
  },
  {
    provider: "mistral",
    kind: "stream text",
    extra: STREAM,
    file: "chat-completion-stream.sse",
    headersOf: "chat-completion-stream",
  },
  {
    provider: "mistral",
    kind: "stream tool call",
    extra: { ...STREAM, ...tools },
    file: "chat-completion-stream-tool-call.sse",
    headersOf: "chat-completion-stream-tool-call",
  },
  { provider: "together", kind: "text", extra: {}, file: "chat-completion.json", headersOf: "chat-completion" },
  {
    provider: "together",
    kind: "stream text",
    extra: OPENAI_STREAM,
    file: "chat-completion-stream-include-usage.sse",
    headersOf: "chat-completion-stream-include-usage",
  },
  {
    provider: "together",
    kind: "stream tool call",
    extra: { ...STREAM, ...tools },
    file: "chat-completion-stream-tool-call.sse",
    headersOf: "chat-completion-stream-tool-call",
  },
  { provider: "ollama", kind: "text", extra: { stream: false }, file: "api-chat.json", headersOf: "api-chat" },
  {
    provider: "ollama",
    kind: "tool call",
    extra: { stream: false, ...tools },
    file: "api-chat-tool-call.docs-example.json",
    headersOf: "api-chat",
  },
  {
    provider: "ollama",
    kind: "stream text (streaming is the default)",
    extra: {},
    file: "api-chat-stream.ndjson",
    headersOf: "api-chat-stream",
  },
  {
    provider: "ollama",
    kind: "stream tool call",
    extra: tools,
    file: "api-chat-stream-tool-call.docs-example.ndjson",
    headersOf: "api-chat-stream",
  },
];

describe("recorded replies", () => {
  it.each(CASES)("$provider $kind: $file byte for byte", async ({ provider, extra, file, headersOf }) => {
    const res = await chat(running.base[provider], provider, chatBody(provider, extra));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(recordedContentType(provider, headersOf));
    expect(res.headers.get("content-encoding")).toBeNull();
    expect(await res.text()).toBe(fixtureText(provider, file));
  });

  it("together non-streaming tool call is the synthesized OpenAI-shaped answer", async () => {
    const res = await chat(running.base.together, "together", chatBody("together", { tools: TOOLS }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      object: string;
      choices: { finish_reason: string; message: { tool_calls: { id: string; function: { arguments: string } }[] } }[];
    };
    expect(body.object).toBe("chat.completion");
    expect(body.choices[0]?.finish_reason).toBe("tool_calls");
    expect(JSON.parse(body.choices[0]?.message.tool_calls[0]?.function.arguments ?? "")).toEqual({ city: "Paris" });
  });

  it("anthropic ?beta=true query is accepted like the SDKs send it", async () => {
    const res = await fetch(`${running.base.anthropic}/v1/messages?beta=true`, {
      method: "POST",
      headers: AUTH.anthropic,
      body: JSON.stringify(chatBody("anthropic")),
    });
    expect(await res.text()).toBe(fixtureText("anthropic", "messages-text.json"));
  });
});

describe("OpenAI include_usage", () => {
  it.each([
    ["text", {}, "chat-completion-stream-text-include-usage.sse"],
    ["tool call", tools, "chat-completion-stream-tool-call-include-usage.sse"],
  ] as const)("without include_usage the %s stream loses only the usage chunk", async (_kind, extra, file) => {
    const res = await chat(running.base.openai, "openai", chatBody("openai", { stream: true, ...extra }));
    const recorded = splitEvents(fixtureText("openai", file), "sse");
    const usageChunks = recorded.filter((event) => event.includes('"choices":[],'));
    expect(usageChunks).toHaveLength(1);
    expect(await res.text()).toBe(recorded.filter((event) => !usageChunks.includes(event)).join(""));
  });
});

describe("model listings", () => {
  const list = async (provider: ProviderId, prefix = running.base[provider]): Promise<unknown> => {
    const res = await fetch(`${prefix}${MODELS_PATH[provider]}`, { headers: AUTH[provider] });
    expect(res.status).toBe(200);
    return res.json();
  };

  it.each(["openai", "mistral"] as const)("%s answers an OpenAI list", async (provider) => {
    const body = (await list(provider)) as { object: string; data: Record<string, unknown>[] };
    expect(body.object).toBe("list");
    for (const model of body.data) expect(Object.keys(model)).toEqual(["id", "object", "created", "owned_by"]);
  });

  it("together answers a bare array", async () => {
    const body = (await list("together")) as { id: string; object: string }[];
    expect(Array.isArray(body)).toBe(true);
    expect(body[0]?.object).toBe("model");
  });

  it("anthropic answers its paged shape", async () => {
    const body = (await list("anthropic")) as {
      data: { type: string; id: string }[];
      has_more: boolean;
      first_id: string;
    };
    expect(body.has_more).toBe(false);
    expect(body.data[0]?.type).toBe("model");
    expect(body.first_id).toBe(body.data[0]?.id);
  });

  it("ollama /api/tags replays the documented example", async () => {
    const res = await fetch(`${running.base.ollama}/api/tags`);
    expect(await res.text()).toBe(fixtureText("ollama", "api-tags.docs-example.json"));
  });

  it("ollama /api/tags lists a session's ollama_models", async () => {
    const session = await createSession(running.emulator.url, { ollama_models: ["llama3.2:latest", "qwen3:0.6b"] });
    const body = (await list("ollama", session.base_urls.ollama)) as {
      models: { name: string; model: string; details: unknown }[];
    };
    expect(body.models.map((model) => model.name)).toEqual(["llama3.2:latest", "qwen3:0.6b"]);
    expect(body.models[1]?.model).toBe("qwen3:0.6b");
    expect(body.models[1]?.details).toBeDefined();
  });
});

describe("pacing", () => {
  it("chunk_delay_ms spaces the events so the client reads them one by one", async () => {
    const session = await createSession(running.emulator.url, { chunk_delay_ms: 25 });
    const started = Date.now();
    const res = await chat(session.base_urls.together, "together", chatBody("together", STREAM));
    const { text, chunks } = await readAll(res);
    const file = fixtureText("together", "chat-completion-stream-include-usage.sse");
    expect(text).toBe(file);
    expect(chunks).toBe(splitEvents(file, "sse").length);
    expect(Date.now() - started).toBeGreaterThanOrEqual(70);
  });
});
