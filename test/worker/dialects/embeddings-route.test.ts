// POST /v1/embeddings through the real Worker against the emulator: every provider, base64 and dimensions, fallback
// only within the caller's models list, refusals, and the ledger.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { base64Float32 } from "../../../src/core/float32-base64.ts";
import { call, chat, newSession, type Session } from "../gateway.ts";

// biome-ignore lint/suspicious/noExplicitAny: the tests read answers field by field
type Json = Record<string, any>;
const embed = async (s: Session, body: Json, headers: Record<string, string> = {}) => {
  const res = await call(s.env, "/v1/embeddings", { method: "POST", json: body, headers });
  return { res, json: (await res.json()) as Json };
};

describe("POST /v1/embeddings", () => {
  it.each([
    ["openai/text-embedding-3-small", 1536, "/v1/embeddings"],
    ["mistral/mistral-embed", 1024, "/v1/embeddings"],
    ["together/BAAI/bge-base-en-v1.5", 1024, "/v1/embeddings"],
    ["ollama/all-minilm", 10, "/api/embed"],
  ])("%s answers one vector per input, floats by default", async (model, dims, path) => {
    const s = await newSession();
    const { res, json } = await embed(s, { model, input: ["one", "two"] });
    expect(res.status).toBe(200);
    expect(json.object).toBe("list");
    expect(json.data.map((d: Json) => d.index)).toEqual([0, 1]);
    expect(json.data[0].embedding).toHaveLength(dims);
    expect(json.usage.prompt_tokens).toBeGreaterThan(0);
    expect((await s.requests()).at(-1)?.path).toBe(path);
  });

  it("base64 is little-endian float32 of the same vector, whatever the upstream sent", async () => {
    const s = await newSession();
    for (const model of ["openai/text-embedding-3-small", "together/BAAI/bge-base-en-v1.5"]) {
      const floats = await embed(s, { model, input: "same" });
      const b64 = await embed(s, { model, input: "same", encoding_format: "base64" });
      const decoded = base64Float32(b64.json.data[0].embedding);
      expect(decoded).toHaveLength(floats.json.data[0].embedding.length);
      expect(decoded[3]).toBeCloseTo(floats.json.data[0].embedding[3], 6);
    }
  });

  it("dimensions: OpenAI's field to OpenAI, output_dimension to Mistral, a 400 where the provider cannot", async () => {
    const s = await newSession();
    const short = await embed(s, { model: "openai/text-embedding-3-small", input: "x", dimensions: 256 });
    expect(short.json.data[0].embedding).toHaveLength(256);
    expect((await s.requests()).at(-1)?.body?.dimensions).toBe(256);
    await embed(s, { model: "mistral/mistral-embed", input: "x", dimensions: 8 });
    expect((await s.requests()).at(-1)?.body).toMatchObject({ output_dimension: 8 });
    const together = await embed(s, { model: "together/BAAI/bge-base-en-v1.5", input: "x", dimensions: 8 });
    expect(together.res.status).toBe(400);
    expect(together.json.error.param).toBe("dimensions");
    const tooWide = await embed(s, { model: "openai/text-embedding-3-small", input: "x", dimensions: 5000 });
    // More dimensions than the model has is the caller's error, not an outage: a 400 that says why.
    expect(tooWide.res.status).toBe(400);
    expect(tooWide.json.error.code).toBe("invalid_value");
    expect(tooWide.json.error.message).toMatch(/dimensions 5000 is above the model's 1536/);
    expect(tooWide.json.error.param).toBe("dimensions");
  });

  it("falls back only along the caller's models list; a named model alone never moves to another vector space", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "status", status: 500 }] });
    const alone = await embed(s, { model: "openai/text-embedding-3-small", input: "x" });
    expect(alone.res.status).toBe(502);
    expect(new Set(alone.json.x_router.attempts.map((a: Json) => a.provider))).toEqual(new Set(["openai"]));
    const listed = await embed(s, {
      model: "openai/text-embedding-3-small",
      models: ["openai/text-embedding-3-small", "mistral/mistral-embed"],
      input: "x",
    });
    expect(listed.res.status).toBe(200);
    expect(listed.res.headers.get("x-router-provider")).toBe("mistral");
    expect(listed.json.x_router.attempts.map((a: Json) => a.status)).toContain("failed");
  });

  it("a named model leads the caller's models list, as in chat; an unknown one is a 400 naming `model`", async () => {
    const s = await newSession();
    const led = await embed(s, {
      model: "openai/text-embedding-3-small",
      models: ["mistral/mistral-embed"],
      input: "x",
    });
    expect(led.res.status).toBe(200);
    expect(led.res.headers.get("x-router-provider")).toBe("openai");
    const plan = await call(s.env, "/v1/embeddings", {
      method: "POST",
      json: { model: "no-such-embedder", models: ["mistral/mistral-embed"], input: "x" },
    });
    // An unknown name is a 400 naming the param, as in chat.
    expect(plan.status).toBe(400);
    expect(((await plan.json()) as Json).error).toMatchObject({ param: "model", code: "model_not_found" });
  });

  it("a chat model here is a 400, and an embedding model on chat completions is a 400", async () => {
    const s = await newSession();
    const chatModel = await embed(s, { model: "openai/gpt-4o-mini", input: "x" });
    expect(chatModel.res.status).toBe(400);
    expect(chatModel.json.error.code).toBe("model_not_embedding");
    const wrongWay = await chat(s.env, {
      model: "openai/text-embedding-3-small",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(wrongWay.status).toBe(400);
    expect(((await wrongWay.json()) as Json).error.code).toBe("model_not_chat");
    const anthropic = await embed(s, { model: "anthropic/claude-sonnet-4-5", input: "x" });
    expect(anthropic.res.status).toBe(400);
  });

  it("the ledger bills the input tokens at the input price, dialect embeddings", async () => {
    const s = await newSession();
    const { res, json } = await embed(s, { model: "openai/text-embedding-3-small", input: "hello world" });
    const row = await env.DB.prepare(
      "SELECT dialect, input_tokens, output_tokens, cost_pico FROM requests WHERE id = ?",
    )
      .bind(res.headers.get("x-request-id"))
      .first<Json>();
    expect(row).toMatchObject({ dialect: "embeddings", input_tokens: 2, output_tokens: 0 });
    // text-embedding-3-small: $0.02 per 1M input tokens.
    expect(row?.cost_pico).toBe(2 * 0.02 * 1e6);
    expect(json.x_router.cost_usd).toBeCloseTo(4e-8, 12);
  });

  it("a provider that reports no tokens (Together) is billed from the estimate, and the row says so", async () => {
    const s = await newSession();
    const { res, json } = await embed(s, { model: "together/BAAI/bge-base-en-v1.5", input: "hello there world" });
    expect(json.usage.prompt_tokens).toBeGreaterThan(0);
    expect(Number.isInteger(json.usage.prompt_tokens), String(json.usage.prompt_tokens)).toBe(true);
    expect(json.usage.total_tokens).toBe(json.usage.prompt_tokens);
    const row = await env.DB.prepare("SELECT input_tokens, cost_pico, usage_estimated FROM requests WHERE id = ?")
      .bind(res.headers.get("x-request-id"))
      .first<Json>();
    expect(row?.input_tokens).toBeGreaterThan(0);
    expect(row?.usage_estimated).toBe(1);
    expect(row?.cost_pico).toBeGreaterThan(0);
  });

  it("the input limit is per text: a batch of many short texts is served, one text over the limit is a 400", async () => {
    const s = await newSession();
    const batch = Array.from({ length: 40 }, (_, i) => `text ${i} `.repeat(300));
    const served = await embed(s, { model: "openai/text-embedding-3-small", input: batch });
    expect(served.res.status, JSON.stringify(served.json).slice(0, 300)).toBe(200);
    expect(served.json.data).toHaveLength(40);
    const tooLong = await embed(s, { model: "openai/text-embedding-3-small", input: ["ok", "word ".repeat(40_000)] });
    expect(tooLong.res.status).toBe(400);
    expect(tooLong.json.error.code).toBe("context_length_exceeded");
    expect(tooLong.json.error.message).toMatch(/longest input is above its input limit of 8191/);
  });

  it("budget_remaining and max_latency_ms bind embeddings as they bind chat", async () => {
    const s = await newSession();
    const input = "a sentence to embed";
    const cheap = await embed(s, { model: "openai/text-embedding-3-small", input, router: { budget_remaining: 1 } });
    expect(cheap.res.status).toBe(200);
    const broke = await embed(
      s,
      { model: "openai/text-embedding-3-large", input },
      { "x-router-budget-remaining": "0" },
    );
    expect(broke.res.status).toBe(503);
    expect(JSON.stringify(broke.json.x_router.excluded)).toMatch(/exceeds the \$0 left/);
    const slow = await embed(s, { model: "openai/text-embedding-3-small", input, router: { max_latency_ms: 1 } });
    expect(slow.res.status).toBe(503);
    expect(JSON.stringify(slow.json.x_router.excluded)).toMatch(/latency \d+ ms is above max_latency_ms 1/);
    expect(await s.requests()).toHaveLength(1);
  });
});
