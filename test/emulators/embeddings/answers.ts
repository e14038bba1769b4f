// The embeddings answers of OpenAI, Mistral, Together (/v1/embeddings) and Ollama (/api/embed), built on recorded vectors.
import { fixture, recordedHeaders } from "../fixtures.ts";
import { isObject, type JsonObject } from "../providers/shared.ts";
import type { BodyReply, HeaderMap, ProviderId } from "../types.ts";
import { estimateTokens, inputCount, shorten, toBase64, vectorOf, vectorsFor } from "./vectors.ts";

const recordedVectors = (provider: ProviderId, file: string, field: "data" | "embeddings"): number[][] => {
  const json = JSON.parse(fixture(provider, file)) as JsonObject;
  const items = json[field];
  if (!Array.isArray(items)) throw new Error(`${provider}/${file} has no ${field}`);
  return items.map((item) => vectorOf(field === "data" && isObject(item) ? item.embedding : item));
};

/** Token counts OpenAI recorded for the inputs of its recordings; other inputs get an estimate. */
const RECORDED_TOKENS: Record<string, number> = { "hello world": 2, "Tell me a joke about opentelemetry": 8 };
const promptTokens = (input: unknown): number => {
  const texts = typeof input === "string" ? [input] : Array.isArray(input) ? input : [];
  const recorded = texts.map((t) => (typeof t === "string" ? RECORDED_TOKENS[t] : undefined));
  return recorded.every((n) => n !== undefined) && recorded.length > 0
    ? recorded.reduce((sum, n) => sum + n, 0)
    : estimateTokens(input);
};

const json = (status: number, headers: HeaderMap, value: unknown): BodyReply => ({
  kind: "body",
  status,
  headers: { ...headers },
  body: JSON.stringify(value),
});

const openAIError = (message: string, param: string | null = null): BodyReply =>
  json(
    400,
    { "Content-Type": "application/json" },
    { error: { message, type: "invalid_request_error", param, code: null } },
  );

interface OpenAIModel {
  native: number;
  /** text-embedding-3-* take `dimensions`; ada-002 refuses it. */
  shortens: boolean;
  /** The model name the answer carries (ada-002 answers as "-v2", as recorded). */
  answersAs: string;
}

const OPENAI_MODELS: Record<string, OpenAIModel> = {
  "text-embedding-3-small": { native: 1536, shortens: true, answersAs: "text-embedding-3-small" },
  "text-embedding-3-large": { native: 3072, shortens: true, answersAs: "text-embedding-3-large" },
  "text-embedding-ada-002": { native: 1536, shortens: false, answersAs: "text-embedding-ada-002-v2" },
};

/**
 * The recorded vector to answer with. text-embedding-3-small was recorded at 512 dimensions: shortening it further
 * equals shortening the full vector (truncate, renormalise). Wider answers reuse ada-002's 1536 recorded values
 * (doubled for 3-large's 3072): the right shape and norm, not that model's real numbers.
 */
function openAIBase(model: string, dims: number): number[][] {
  if (model === "text-embedding-3-small" && dims <= 512)
    return recordedVectors("openai", "embeddings-base64-dimensions-512.json", "data");
  const ada = recordedVectors("openai", "embeddings-float.json", "data");
  if (dims <= 1536) return ada;
  return ada.map((v) => shorten([...v, ...v], v.length * 2));
}

export function openAIEmbeddings(body: JsonObject): BodyReply {
  if (typeof body.model !== "string" || body.model === "") return openAIError("you must provide a model parameter");
  const count = inputCount(body.input);
  if (count === undefined)
    return openAIError(
      "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
    );
  const format = body.encoding_format ?? "float";
  if (format !== "float" && format !== "base64")
    return openAIError(
      `Invalid value for 'encoding_format': '${String(format)}'. Supported values are: 'float' and 'base64'.`,
      "encoding_format",
    );
  const model = OPENAI_MODELS[body.model] ?? { native: 1536, shortens: true, answersAs: body.model };
  let dims = model.native;
  if (body.dimensions !== undefined) {
    if (!model.shortens) return openAIError("This model does not support specifying dimensions.");
    if (
      typeof body.dimensions !== "number" ||
      !Number.isInteger(body.dimensions) ||
      body.dimensions < 1 ||
      body.dimensions > model.native
    )
      return openAIError(
        `Invalid value for 'dimensions' = ${String(body.dimensions)}. Must be between 1 and ${model.native}.`,
        "dimensions",
      );
    dims = body.dimensions;
  }
  const vectors = vectorsFor(openAIBase(body.model, dims), count).map((v) =>
    v.length === dims ? v : shorten(v, dims),
  );
  const headers = recordedHeaders("openai", format === "base64" ? "embeddings-base64" : "embeddings-float") ?? {};
  const tokens = promptTokens(body.input);
  return json(
    200,
    { ...headers, "openai-model": model.answersAs },
    {
      object: "list",
      data: vectors.map((v, index) => ({
        object: "embedding",
        index,
        embedding: format === "base64" ? toBase64(v) : v,
      })),
      model: model.answersAs,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    },
  );
}

/** Mistral's embeddings fields; anything else (OpenAI's `dimensions`, `user`) is a 422 extra_forbidden. */
export const MISTRAL_EMBEDDING_FIELDS: ReadonlySet<string> = new Set([
  "model",
  "input",
  "encoding_format",
  "output_dimension",
  "output_dtype",
  "metadata",
]);

export function mistralEmbeddings(body: JsonObject): BodyReply {
  const headers = recordedHeaders("mistral", "embeddings") ?? {};
  const count = inputCount(body.input);
  const format = body.encoding_format ?? "float";
  if (typeof body.model !== "string" || count === undefined || (format !== "float" && format !== "base64")) {
    return json(400, headers, {
      object: "error",
      message: "Invalid embeddings request",
      type: "invalid_request_error",
      param: null,
      code: null,
    });
  }
  let vectors = vectorsFor(recordedVectors("mistral", "embeddings.json", "data"), count);
  const native = vectors[0]?.length ?? 0;
  if (body.output_dimension !== undefined) {
    const dims = body.output_dimension;
    if (typeof dims !== "number" || !Number.isInteger(dims) || dims < 1 || dims > native)
      return json(400, headers, {
        object: "error",
        message: `output_dimension must be between 1 and ${native}`,
        type: "invalid_request_error",
        param: null,
        code: null,
      });
    vectors = vectors.map((v) => shorten(v, dims));
  }
  const tokens = estimateTokens(body.input);
  // Key order and the null usage fields as recorded (mistral/embeddings.json).
  return json(200, headers, {
    id: "0055944ccb01401f872b6d65d250760b",
    object: "list",
    data: vectors.map((v, index) => ({ object: "embedding", embedding: format === "base64" ? toBase64(v) : v, index })),
    model: body.model,
    usage: {
      prompt_audio_seconds: null,
      prompt_tokens: tokens,
      total_tokens: tokens,
      completion_tokens: 0,
      request_count: null,
      prompt_tokens_details: null,
      completion_tokens_details: null,
      service_tier: null,
      prompt_token_details: null,
    },
  });
}

/**
 * SYNTHESIZED, not recorded: no Together embeddings answer exists in any public recording (see SOURCES.md). Together
 * documents the OpenAI list shape plus `request_id`, floats only; the values are Mistral's recorded 1024-dim vector,
 * the width of BAAI/bge-large-en-v1.5.
 */
export function togetherEmbeddings(body: JsonObject): BodyReply {
  const count = inputCount(body.input);
  const headers = { "Content-Type": "application/json; charset=utf-8" };
  if (typeof body.model !== "string" || count === undefined) {
    return json(400, headers, {
      error: { message: "Invalid embeddings request", type: "invalid_request_error", param: null, code: null },
    });
  }
  return json(200, headers, {
    object: "list",
    data: vectorsFor(recordedVectors("mistral", "embeddings.json", "data"), count).map((v, index) => ({
      object: "embedding",
      embedding: v,
      index,
    })),
    model: body.model,
    request_id: "9a1f6a2c7e4b5d80-emulator",
  });
}

/** Ollama's POST /api/embed: one vector per input (docs examples), `dimensions` truncates and renormalises. */
export function ollamaEmbed(body: JsonObject): BodyReply {
  const headers = { "Content-Type": "application/json; charset=utf-8" };
  const count = inputCount(body.input);
  if (typeof body.model !== "string" || body.model === "") return json(400, headers, { error: "model is required" });
  if (count === undefined) return json(400, headers, { error: "invalid input type" });
  let vectors = vectorsFor(
    recordedVectors("ollama", "api-embed-multiple-input.docs-example.json", "embeddings"),
    count,
  );
  const native = vectors[0]?.length ?? 0;
  if (body.dimensions !== undefined) {
    const dims = body.dimensions;
    if (typeof dims !== "number" || !Number.isInteger(dims) || dims < 1 || dims > native)
      return json(400, headers, { error: `invalid dimensions: must be between 1 and ${native}` });
    vectors = vectors.map((v) => shorten(v, dims));
  }
  const example = JSON.parse(fixture("ollama", "api-embed.docs-example.json")) as JsonObject;
  return json(200, headers, {
    model: body.model,
    embeddings: vectors,
    total_duration: example.total_duration,
    load_duration: example.load_duration,
    prompt_eval_count: estimateTokens(body.input),
  });
}
