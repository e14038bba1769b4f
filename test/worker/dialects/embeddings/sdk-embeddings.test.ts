// Embeddings and the gateway's own APIs, as a user of the official clients meets them: the official openai SDK against POST /v1/embeddings.
import { createExecutionContext } from "cloudflare:test";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import worker from "../../../../src/index.ts";
import { call, newSession, type Session } from "../../gateway.ts";

const workerFetch = (s: Session): typeof fetch =>
  (async (input: RequestInfo | URL, init?: RequestInit) =>
    worker.fetch(new Request(input, init), s.env, createExecutionContext())) as typeof fetch;
const ADMIN = "admin-key-for-embeddings-sdk-0123456789";
const client = (s: Session) =>
  new OpenAI({ baseURL: "http://127.0.0.1:8787/v1", apiKey: ADMIN, fetch: workerFetch(s), maxRetries: 0 });

describe("openai SDK embeddings", () => {
  it.each([
    "openai/text-embedding-3-small",
    "mistral/mistral-embed",
    "together/BAAI/bge-base-en-v1.5",
    "ollama/all-minilm",
  ])("default (base64 asked, decoded by the SDK) matches floats: %s", async (model) => {
    const s = await newSession({}, { ADMIN_KEY: ADMIN });
    const c = client(s);
    const b = await c.embeddings.create({ model, input: ["hello", "world"] });
    const f = await c.embeddings.create({ model, input: ["hello", "world"], encoding_format: "float" });
    expect(b.data).toHaveLength(2);
    expect(f.data).toHaveLength(2);
    expect(Array.isArray(b.data[0]!.embedding)).toBe(true);
    expect(b.data[0]!.embedding.length).toBe(f.data[0]!.embedding.length);
    expect(b.data[1]!.embedding[2]).toBeCloseTo(f.data[1]!.embedding[2]!, 5);
    expect(b.usage.prompt_tokens).toBeGreaterThan(0);
    expect(b.usage.total_tokens).toBe(b.usage.prompt_tokens);
  });

  it("dimensions via SDK", async () => {
    const s = await newSession({}, { ADMIN_KEY: ADMIN });
    const r = await client(s).embeddings.create({ model: "openai/text-embedding-3-small", input: "x", dimensions: 64 });
    expect(r.data[0]!.embedding).toHaveLength(64);
    const m = await client(s).embeddings.create({ model: "mistral/mistral-embed", input: "x", dimensions: 64 });
    expect(m.data[0]!.embedding).toHaveLength(64);
  });

  it("very long input: a clean 400 from the SDK, not a 5xx", async () => {
    const s = await newSession({}, { ADMIN_KEY: ADMIN });
    const err = await client(s)
      .embeddings.create({ model: "openai/text-embedding-3-small", input: "word ".repeat(50000) })
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(err.status).toBe(400);
    expect(err.error).toMatchObject({ message: expect.any(String), type: expect.any(String) });
  });

  it("empty string input: a 400 with OpenAI's error shape, param input", async () => {
    const s = await newSession({}, { ADMIN_KEY: ADMIN });
    const err = await client(s)
      .embeddings.create({ model: "openai/text-embedding-3-small", input: "" })
      .catch((e) => e);
    expect(err.status).toBe(400);
    expect(err.error).toMatchObject({ type: "invalid_request_error", param: "input" });
    expect(Object.keys(err.error).sort()).toEqual(expect.arrayContaining(["code", "message", "param", "type"]));
  });

  it("null encoding_format / dimensions / user are 'not set'", async () => {
    const s = await newSession({}, { ADMIN_KEY: ADMIN });
    const res = await call(s.env, "/v1/embeddings", {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN}` },
      json: { model: "openai/text-embedding-3-small", input: "x", encoding_format: null, dimensions: null, user: null },
    });
    expect(res.status).toBe(200);
  });

  it("2048 inputs via SDK", async () => {
    const s = await newSession({}, { ADMIN_KEY: ADMIN });
    const input = Array.from({ length: 2048 }, (_, i) => `text ${i}`);
    const r = await client(s).embeddings.create({ model: "openai/text-embedding-3-small", input });
    expect(r.data).toHaveLength(2048);
    expect(r.data.map((d) => d.index)).toEqual(input.map((_, i) => i));
  });
});
