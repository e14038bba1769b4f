// The embeddings codec on recorded OpenAI payloads: recorded requests parse, base64 round-trips byte for byte.
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../../src/core/gateway-error.ts";
import { base64Float32, encodeEmbeddings, float32Base64 } from "../../../src/dialects/embeddings/encoder.ts";
import { parseEmbeddingsBody, toCanonical } from "../../../src/dialects/embeddings/request.ts";
import { fixture, ROUTE, recordedRequest } from "./fixtures.ts";

describe("embeddings codec", () => {
  it("parses the recorded requests (string input, encoding_format, dimensions, user)", async () => {
    const dims = parseEmbeddingsBody(await recordedRequest("openai/embeddings-base64-dimensions-512"));
    expect(dims).toMatchObject({ model: "text-embedding-3-small", encoding_format: "base64", dimensions: 512 });
    expect(toCanonical(dims)).toEqual({ input: ["hello world"], dimensions: 512 });
    const float = parseEmbeddingsBody(await recordedRequest("openai/embeddings-float"));
    expect(toCanonical(float)).toEqual({ input: ["hello world"], user: "ddtrace-test" });
    expect(toCanonical(parseEmbeddingsBody({ model: "m", input: ["a", "b"] })).input).toEqual(["a", "b"]);
  });

  it("writes base64 exactly as OpenAI does: the recorded vector re-encodes to the recorded string", async () => {
    const recorded = JSON.parse(await fixture("openai/embeddings-base64-dimensions-512.json")).data[0].embedding;
    const vector = base64Float32(recorded);
    expect(vector).toHaveLength(512);
    expect(float32Base64(vector)).toBe(recorded);
  });

  it("encodes OpenAI's list shape, floats or base64", () => {
    const result = {
      model: "text-embedding-3-small",
      vectors: [
        [0.5, -0.25],
        [1, 0],
      ],
      input_tokens: 3,
    };
    const floats = encodeEmbeddings(result, "float", 3, ROUTE);
    expect(floats).toEqual({
      object: "list",
      data: [
        { object: "embedding", index: 0, embedding: [0.5, -0.25] },
        { object: "embedding", index: 1, embedding: [1, 0] },
      ],
      model: "text-embedding-3-small",
      usage: { prompt_tokens: 3, total_tokens: 3 },
      x_router: ROUTE,
    });
    const b64 = encodeEmbeddings(result, "base64", 3, ROUTE) as { data: { embedding: string }[] };
    expect(base64Float32(b64.data[0]?.embedding ?? "")).toEqual([0.5, -0.25]);
  });

  it("refuses empty input, token arrays, a bad encoding_format and dimensions, naming the field", () => {
    const param = (body: unknown) => {
      try {
        parseEmbeddingsBody(body);
      } catch (err) {
        if (err instanceof GatewayError) return err.param;
        throw err;
      }
      return "accepted";
    };
    expect(param({ model: "m", input: "" })).toBe("input");
    expect(param({ model: "m", input: [] })).toBe("input");
    expect(param({ model: "m", input: [1, 2, 3] })).toBe("input");
    expect(param({ model: "m", input: "x", encoding_format: "int8" })).toBe("encoding_format");
    expect(param({ model: "m", input: "x", dimensions: 0 })).toBe("dimensions");
    expect(param({ input: "x" })).toBe("model");
  });
});
