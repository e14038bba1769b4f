// Floats written as OpenAI writes them. The gateway asks OpenAI (and Mistral) for base64, a third of the bytes, and
// decodes it to float32 values; a caller asking `encoding_format: "float"` gets each value as the shortest decimal
// that reads back as that float32, which is what OpenAI's own float answer says
// (test/fixtures/openai/embeddings-float.json), not the double's 17 digits. Floats a provider sent as floats
// (Together, Ollama) pass unchanged.
import { describe, expect, it } from "vitest";
import { shortestFloat32 } from "../../../../src/core/float32-base64.ts";
import { encodeEmbeddings } from "../../../../src/dialects/embeddings/encoder.ts";
import { call, newSession } from "../../gateway.ts";
import { fixture, ROUTE } from "../fixtures.ts";

/** The numbers of the first vector of a JSON answer as written, e.g. "-0.014907048". */
function firstVectorText(body: string): string[] {
  const start = body.indexOf("[", body.indexOf('"embedding"'));
  return body
    .slice(start + 1, body.indexOf("]", start))
    .split(",")
    .map((t) => t.trim());
}

async function floats(model: string): Promise<{ text: string; upstream: unknown }> {
  const s = await newSession();
  const res = await call(s.env, "/v1/embeddings", {
    method: "POST",
    json: { model, input: "hello world", encoding_format: "float" },
  });
  const text = await res.text();
  expect(res.status, text.slice(0, 300)).toBe(200);
  return { text, upstream: (await s.requests()).at(-1)?.body };
}

describe("embedding floats as text", () => {
  it("openai (base64 upstream) as floats: the same text as OpenAI's recorded float answer", async () => {
    const { text, upstream } = await floats("openai/text-embedding-ada-002");
    expect(upstream).toMatchObject({ encoding_format: "base64" });
    const ours = firstVectorText(text);
    expect(ours).toHaveLength(1536);
    expect(ours).toEqual(firstVectorText(await fixture("openai/embeddings-float.json")));
    expect(text.length).toBeLessThan(25_000);
  });

  it("mistral as floats: each value the same float32 as Mistral's recorded float answer", async () => {
    const { text } = await floats("mistral/mistral-embed");
    const recorded = firstVectorText(await fixture("mistral/embeddings.json")).map((t) => Math.fround(Number(t)));
    expect(firstVectorText(text).map((t) => Math.fround(Number(t)))).toEqual(recorded);
  });

  it("floats a provider sent as floats pass unchanged; decoded float32 values are written short", () => {
    const result = { model: "m", vectors: [[0.1 + 1e-12, -0.022186279296875]], input_tokens: 1 };
    const json = encodeEmbeddings(result, "float", 1, ROUTE) as { data: { embedding: number[] }[] };
    expect(json.data[0]?.embedding).toEqual([0.1 + 1e-12, -0.022186279296875]);
    const f32 = encodeEmbeddings({ ...result, float32: true, vectors: [[Math.fround(0.1)]] }, "float", 1, ROUTE) as {
      data: { embedding: number[] }[];
    };
    expect(f32.data[0]?.embedding).toEqual([0.1]);
  });

  it("shortestFloat32 reads back as the same float32 in at most 9 digits; a double is left alone", () => {
    for (const v of [0.1, -0.014907048, 1 / 3, 3.4028234663852886e38, 1.401298464324817e-45, 0, -0]) {
      const f = Math.fround(v);
      const short = shortestFloat32(f);
      expect(Math.fround(short)).toBe(f);
      const digits = String(short)
        .replace(/^-|e.*$/g, "")
        .replace(".", "")
        .replace(/^0+/, "");
      expect(digits.length, String(short)).toBeLessThanOrEqual(9);
      expect(Object.is(short, -0)).toBe(Object.is(f, -0));
    }
    expect(shortestFloat32(Math.fround(0.1))).toBe(0.1);
    expect(shortestFloat32(0.1 + 1e-12)).toBe(0.1 + 1e-12);
  });
});
