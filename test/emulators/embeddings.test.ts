// Embeddings endpoints (OpenAI, Mistral, Together /v1/embeddings; Ollama /api/embed) and Anthropic's cache, thinking
// and count_tokens answers, against a running emulator.
import { describe, expect, it } from "vitest";
import { fromBase64, shorten, vectorOf } from "./embeddings/vectors.ts";
import { AUTH, createSession, fixtureText, readAll, runningEmulator } from "./helpers.ts";
import type { ProviderId } from "./types.ts";

const running = runningEmulator();

const EMBED_PATH: Partial<Record<ProviderId, string>> = {
  openai: "/embeddings",
  mistral: "/embeddings",
  together: "/embeddings",
  ollama: "/api/embed",
};

async function post(provider: ProviderId, path: string, body: unknown, root = running.base) {
  const res = await fetch(`${root[provider]}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...AUTH[provider] },
    body: JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: a test reads the answers field by field and asserts each one
  return { res, json: (await res.json()) as Record<string, any> };
}
const embed = (provider: ProviderId, body: unknown) => post(provider, EMBED_PATH[provider] ?? "", body);
const norm = (v: number[]) => Math.hypot(...v);

describe("OpenAI /v1/embeddings", () => {
  it("answers floats by default, with the recorded vector, model name and headers", async () => {
    const { res, json } = await embed("openai", { model: "text-embedding-ada-002", input: "hello world" });
    expect(res.status).toBe(200);
    expect(res.headers.get("openai-model")).toBe("text-embedding-ada-002-v2");
    const recorded = JSON.parse(fixtureText("openai", "embeddings-float.json"));
    expect(json).toEqual(recorded);
  });

  it("answers base64 little-endian float32 and shortens to `dimensions` as text-embedding-3 does", async () => {
    const { json } = await embed("openai", {
      model: "text-embedding-3-small",
      input: "hello world",
      encoding_format: "base64",
      dimensions: 256,
    });
    const vector = fromBase64(json.data[0].embedding);
    expect(vector).toHaveLength(256);
    expect(norm(vector)).toBeCloseTo(1, 5);
    const recorded = vectorOf(
      JSON.parse(fixtureText("openai", "embeddings-base64-dimensions-512.json")).data[0].embedding,
    );
    expect(vector[0]).toBeCloseTo(shorten(recorded, 256)[0] ?? Number.NaN, 6);
    expect(json.model).toBe("text-embedding-3-small");
  });

  it("refuses `dimensions` on ada-002 and a bad input, in OpenAI's shape", async () => {
    const dims = await embed("openai", { model: "text-embedding-ada-002", input: "x", dimensions: 8 });
    expect(dims.res.status).toBe(400);
    expect(dims.json.error.message).toBe("This model does not support specifying dimensions.");
    const bad = await embed("openai", { model: "text-embedding-3-small", input: [{}] });
    expect(bad.res.status).toBe(400);
    expect(bad.json.error.message).toMatch(/'\$\.input' is invalid/);
  });

  it("answers one distinct vector per input, in order", async () => {
    const { json } = await embed("openai", { model: "text-embedding-3-small", input: ["a", "b", "c"] });
    expect(json.data.map((d: { index: number }) => d.index)).toEqual([0, 1, 2]);
    expect(json.data[0].embedding).toHaveLength(1536);
    expect(json.data[1].embedding).not.toEqual(json.data[0].embedding);
    expect(json.usage.prompt_tokens).toBeGreaterThan(0);
  });
});

describe("Mistral, Together and Ollama embeddings", () => {
  it("Mistral answers its 1024 recorded floats, base64 on request, and refuses OpenAI's `dimensions` (422)", async () => {
    const { json } = await embed("mistral", { model: "mistral-embed", input: "Hello world", encoding_format: "float" });
    expect(json.data[0].embedding).toEqual(JSON.parse(fixtureText("mistral", "embeddings.json")).data[0].embedding);
    const b64 = await embed("mistral", { model: "mistral-embed", input: ["x", "y"], encoding_format: "base64" });
    expect(fromBase64(b64.json.data[1].embedding)).toHaveLength(1024);
    const refused = await embed("mistral", { model: "mistral-embed", input: "x", dimensions: 8 });
    expect(refused.res.status).toBe(422);
    expect(refused.json.message.detail[0].loc).toEqual(["body", "dimensions"]);
  });

  it("Together answers the OpenAI list shape with floats", async () => {
    const { res, json } = await embed("together", { model: "BAAI/bge-large-en-v1.5", input: ["x", "y"] });
    expect(res.status).toBe(200);
    expect(json.object).toBe("list");
    expect(json.data).toHaveLength(2);
    expect(json.data[0].embedding).toHaveLength(1024);
  });

  it("Together and OpenAI need a bearer key for embeddings too", async () => {
    const res = await fetch(`${running.base.together}/embeddings`, {
      method: "POST",
      body: JSON.stringify({ model: "m", input: "x" }),
    });
    expect(res.status).toBe(401);
  });

  it("Ollama /api/embed answers one vector per input and truncates to `dimensions`", async () => {
    const one = await embed("ollama", { model: "all-minilm", input: "Why is the sky blue?" });
    expect(one.json.embeddings).toEqual(JSON.parse(fixtureText("ollama", "api-embed.docs-example.json")).embeddings);
    expect(one.json.prompt_eval_count).toBeGreaterThan(0);
    const short = await embed("ollama", { model: "all-minilm", input: ["a", "b", "c"], dimensions: 4 });
    expect(short.json.embeddings).toHaveLength(3);
    expect(norm(short.json.embeddings[2])).toBeCloseTo(1, 6);
    const bad = await embed("ollama", { model: "all-minilm", input: "x", dimensions: 99 });
    expect(bad.res.status).toBe(400);
    expect(typeof bad.json.error).toBe("string");
  });

  it("faults apply to embeddings as to chat", async () => {
    const session = await createSession(running.emulator.url, {
      faults: [{ provider: "openai", mode: "status", status: 429 }],
    });
    const { res } = await post(
      "openai",
      "/embeddings",
      { model: "text-embedding-3-small", input: "x" },
      session.base_urls,
    );
    expect(res.status).toBe(429);
  });
});

describe("Anthropic prompt caching, thinking and count_tokens", () => {
  const ask = (extra: Record<string, unknown>) =>
    post("anthropic", "/v1/messages", {
      model: "claude-sonnet-4-20250514",
      max_tokens: 100,
      messages: [{ role: "user", content: "What is a system" }],
      ...extra,
    });
  const cachedSystem = (ttl?: string) => [
    { type: "text", text: "a long guide", cache_control: { type: "ephemeral", ...(ttl ? { ttl } : {}) } },
  ];

  it("a breakpoint answers the recorded cache read; ttl 1h the recorded 1-hour write", async () => {
    const read = await ask({ system: cachedSystem() });
    expect(read.json.usage).toMatchObject({ cache_read_input_tokens: 2055, cache_creation_input_tokens: 0 });
    const write = await ask({ system: cachedSystem("1h") });
    expect(write.json.usage.cache_creation).toEqual({ ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 2056 });
  });

  it("a streamed request with a breakpoint replays the recorded cache-read stream", async () => {
    const res = await fetch(`${running.base.anthropic}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", ...AUTH.anthropic },
      body: JSON.stringify({
        model: "m",
        max_tokens: 10,
        stream: true,
        messages: [{ role: "user", content: [{ type: "text", text: "q", cache_control: { type: "ephemeral" } }] }],
      }),
    });
    expect((await readAll(res)).text).toBe(fixtureText("anthropic", "messages-stream-prompt-cache-read.sse"));
  });

  it("thinking streams the recorded thinking_delta events, and without streaming folds them into blocks", async () => {
    const thinking = { type: "enabled", budget_tokens: 1024 };
    const res = await fetch(`${running.base.anthropic}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", ...AUTH.anthropic },
      body: JSON.stringify({
        model: "m",
        max_tokens: 8192,
        stream: true,
        thinking,
        messages: [{ role: "user", content: "q" }],
      }),
    });
    expect((await readAll(res)).text).toBe(fixtureText("anthropic", "messages-stream-thinking.sse"));
    const { json } = await ask({ thinking });
    expect(json.content.map((b: { type: string }) => b.type)).toEqual(["thinking", "text"]);
    expect(json.content[0].thinking).toMatch(/^The user wants two names/);
    expect(json.content[0].signature.length).toBeGreaterThan(100);
    expect(json.stop_reason).toBe("end_turn");
    expect(json.usage.output_tokens).toBe(133);
  });

  it("count_tokens answers the recorded count for the recorded request and needs no max_tokens", async () => {
    const recorded = await post("anthropic", "/v1/messages/count_tokens", {
      model: "claude-sonnet-4-5",
      messages: [{ role: "user", content: [{ type: "text", text: "The quick brown fox jumps over the lazydog." }] }],
    });
    expect(recorded.json).toEqual({ input_tokens: 19 });
    const other = await post("anthropic", "/v1/messages/count_tokens", {
      model: "claude-sonnet-4-5",
      messages: [{ role: "user", content: "x".repeat(400) }],
    });
    expect(other.json.input_tokens).toBeGreaterThan(90);
    const bad = await post("anthropic", "/v1/messages/count_tokens", { model: "claude-sonnet-4-5" });
    expect(bad.res.status).toBe(400);
    expect(bad.json.type).toBe("error");
  });
});
