// Embeddings and the gateway's own APIs, as a user of the official clients meets them: embeddings refused or failed upstream, and the answer the caller gets.
import { describe, expect, it } from "vitest";
import { base64Float32 } from "../../../../src/core/float32-base64.ts";
import { call, newSession, type Session } from "../../gateway.ts";

// biome-ignore lint/suspicious/noExplicitAny: the tests read answers field by field
type Json = Record<string, any>;
const embed = async (s: Session, body: Json, headers: Record<string, string> = {}) => {
  const res = await call(s.env, "/v1/embeddings", { method: "POST", json: body, headers });
  const text = await res.text();
  let json: Json = {};
  try {
    json = JSON.parse(text);
  } catch {}
  return { res, json, text };
};
const shape = (j: Json) => expect(Object.keys(j.error ?? {}).sort()).toEqual(["code", "message", "param", "type"]);

describe("embeddings upstream refusals", () => {
  it("dimensions on ada-002 (OpenAI refuses): a 400 naming dimensions, not a 5xx", async () => {
    const s = await newSession();
    const r = await embed(s, { model: "openai/text-embedding-ada-002", input: "x", dimensions: 8 });
    expect(r.res.status, r.text).toBe(400);
    shape(r.json);
    expect(r.json.error.message).toMatch(/dimensions/);
  });

  it("Ollama dimensions above the model's: 400", async () => {
    const s = await newSession();
    const r = await embed(s, { model: "ollama/all-minilm", input: "x", dimensions: 99 });
    expect(r.res.status, r.text).toBe(400);
    shape(r.json);
  });

  it("ollama dimensions within range: vectors of that length", async () => {
    const s = await newSession();
    const r = await embed(s, { model: "ollama/all-minilm", input: ["a", "b"], dimensions: 4 });
    expect(r.res.status, r.text).toBe(200);
    expect(r.json.data[0].embedding).toHaveLength(4);
  });

  it("a provider 429: 429 with Retry-After in OpenAI's shape", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "status", status: 429, retry_after: "7" }] });
    const r = await embed(s, { model: "openai/text-embedding-3-small", input: "x" });
    expect([429, 503], r.text).toContain(r.res.status);
    shape(r.json);
  });

  it("a provider 500 with fallback on and no same model elsewhere: 5xx in OpenAI's shape", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "status", status: 500 }] });
    const r = await embed(s, { model: "openai/text-embedding-3-small", input: "x" });
    expect(r.res.status).toBeGreaterThanOrEqual(500);
    shape(r.json);
  });

  it("base64 of a 3072-dim model decodes to 3072 floats", async () => {
    const s = await newSession();
    const r = await embed(s, { model: "openai/text-embedding-3-large", input: "x", encoding_format: "base64" });
    expect(r.res.status, r.text).toBe(200);
    const f = await embed(s, { model: "openai/text-embedding-3-large", input: "x" });
    expect(base64Float32(r.json.data[0].embedding)).toHaveLength(f.json.data[0].embedding.length);
  });

  it("model in the response names the model asked for", async () => {
    const s = await newSession();
    for (const model of [
      "openai/text-embedding-3-small",
      "mistral/mistral-embed",
      "ollama/all-minilm",
      "together/BAAI/bge-base-en-v1.5",
    ]) {
      const r = await embed(s, { model, input: "x" });
      expect(r.json.model, model).toBe(model.split("/").slice(1).join("/"));
    }
  });

  it("unknown field warns; wrong types are 400 naming the field", async () => {
    const s = await newSession();
    for (const [body, param] of [
      [{ model: "openai/text-embedding-3-small", input: "x", dimensions: "8" }, "dimensions"],
      [{ model: "openai/text-embedding-3-small", input: "x", dimensions: 0 }, "dimensions"],
      [{ model: "openai/text-embedding-3-small", input: "x", dimensions: 1.5 }, "dimensions"],
      [{ model: "openai/text-embedding-3-small", input: "x", encoding_format: "int8" }, "encoding_format"],
      [{ model: "openai/text-embedding-3-small", input: 5 }, "input"],
      [{ model: "openai/text-embedding-3-small", input: [["a"]] }, "input"],
      [{ model: "openai/text-embedding-3-small", input: ["a", 5] }, "input"],
      [{ model: "openai/text-embedding-3-small", input: Array(2049).fill("a") }, "input"],
      [{ model: "openai/text-embedding-3-small" }, "input"],
      [{ input: "x" }, "model"],
      [{ model: "openai/text-embedding-3-small", input: "x", user: 5 }, "user"],
    ] as const) {
      const r = await embed(s, body);
      expect(r.res.status, `${JSON.stringify(body).slice(0, 100)} ${r.text}`).toBe(400);
      shape(r.json);
      expect(r.json.error.param, JSON.stringify(body).slice(0, 100)).toBe(param);
    }
    const w = await embed(s, { model: "openai/text-embedding-3-small", input: "x", foo: 1 });
    expect(w.res.status).toBe(200);
    expect(w.json.x_router.warnings.join(" ")).toContain("foo");
  });
});
