// POST /v1/embeddings as the official openai client and the Vercel AI SDK meet it.
import { embed, embedMany } from "ai";
import { describe, expect, it } from "vitest";
import { ADMIN, openaiFor } from "../dialects/ai-sdk-helpers.ts";
import { call, newSession, type Session } from "../gateway.ts";

// biome-ignore lint/suspicious/noExplicitAny: probes read answers field by field
type Json = Record<string, any>;
const post = async (s: Session, body: Json, headers: Record<string, string> = {}) => {
  const res = await call(s.env, "/v1/embeddings", { method: "POST", json: body, headers });
  const text = await res.text();
  let json: Json = {};
  try {
    json = JSON.parse(text);
  } catch {}
  return { res, json, text };
};
const b64 = (text: string) => Buffer.from(text).toString("base64");

describe("embeddings through the SDKs", () => {
  it("AI SDK embed and embedMany (dimensions as a provider option) get one vector per value, in order", async () => {
    const s = await newSession({}, { ADMIN_KEY: ADMIN });
    const openai = openaiFor(s);
    const one = await embed({ model: openai.embedding("openai/text-embedding-3-small"), value: "hello" });
    expect(one.embedding).toHaveLength(1536);
    expect(one.usage.tokens).toBeGreaterThan(0);
    const many = await embedMany({
      model: openai.embedding("ollama/all-minilm"),
      values: ["a", "b", "c"],
      providerOptions: { openai: { dimensions: 4 } },
    });
    expect(many.embeddings.map((e) => e.length)).toEqual([4, 4, 4]);
    expect(many.embeddings[0]).not.toEqual(many.embeddings[1]);
  });

  it("a models list moves past a model that cannot shorten to one that can (dimensions kept)", async () => {
    const s = await newSession();
    const r = await post(s, {
      model: "together/BAAI/bge-base-en-v1.5",
      models: ["together/BAAI/bge-base-en-v1.5", "openai/text-embedding-3-small"],
      input: "x",
      dimensions: 256,
    });
    expect(r.res.status, r.text).toBe(200);
    expect(r.json.model).toBe("text-embedding-3-small");
    expect(r.json.data[0].embedding).toHaveLength(256);
    for (const h of ["x-request-id", "x-router-provider", "x-router-model", "x-router-strategy", "x-router-attempts"])
      expect(r.res.headers.get(h), h).not.toBeNull();
    expect(r.res.headers.get("x-router-attempts")).toBe("2");
  });
});

describe("embeddings: what the upstream answers wrongly", () => {
  // An upstream answer that repeats an index (so one input has no vector) must fail the attempt. Today it goes out
  // as 200 with `null` in `data`; the openai client's default (base64) decoding then throws a TypeError on it
  // (node_modules/openai/lib/embeddings.mjs: `const { embedding } = embeddingBase64Obj`), and OpenAI itself always
  // answers one item per input ("data": [{"object": "embedding", "index", "embedding"}], DESIGN).
  it("a repeated index from upstream is a failed attempt, never a null item in data", async () => {
    const upstream = JSON.stringify({
      object: "list",
      model: "text-embedding-3-small",
      data: [
        { object: "embedding", index: 0, embedding: [0.1, 0.2] },
        { object: "embedding", index: 0, embedding: [0.1, 0.2] },
        { object: "embedding", index: 2, embedding: [0.3, 0.4] },
      ],
      usage: { prompt_tokens: 3, total_tokens: 3 },
    });
    const s = await newSession({
      faults: [{ provider: "openai", mode: "raw", content_type: "application/json", pieces: [b64(upstream)] }],
    });
    const r = await post(s, {
      model: "openai/text-embedding-3-small",
      input: ["a", "b", "c"],
      router: { fallback: false },
    });
    expect(r.res.status, r.text).toBeGreaterThanOrEqual(500);
    expect(r.json.error?.type, r.text).toBeTypeOf("string");
  });
});
