// Mistral's /v1/chat/completions and /v1/models: OpenAI-compatible, but it refuses fields it does not know (422).

import { MISTRAL_EMBEDDING_FIELDS, mistralEmbeddings } from "../embeddings/answers.ts";
import { recording } from "../fixtures.ts";
import type { BodyReply, Endpoint } from "../types.ts";
import { openAICompatible } from "./openai-compatible.ts";
import { foldMagistralStream } from "./reasoning.ts";
import { isObject, type JsonObject, jsonPayload } from "./shared.ts";

const JSON_HEADERS = { "Content-Type": "application/json" };
const file = (name: string) => () => recording("mistral", name, { fallback: JSON_HEADERS });

/** Top-level fields Mistral's chat endpoint takes; anything else is `extra_forbidden`. */
const ALLOWED_FIELDS: ReadonlySet<string> = new Set([
  "model",
  "messages",
  "temperature",
  "top_p",
  "max_tokens",
  "stream",
  "stop",
  "random_seed",
  "response_format",
  "tools",
  "tool_choice",
  "presence_penalty",
  "frequency_penalty",
  "n",
  "safe_prompt",
  "parallel_tool_calls",
  "prediction",
  "prompt_mode",
]);

const MODELS = {
  object: "list",
  data: [
    { id: "mistral-large-latest", object: "model", created: 1784566709, owned_by: "mistralai" },
    { id: "mistral-small-latest", object: "model", created: 1784566709, owned_by: "mistralai" },
  ],
};

/**
 * Mistral's 400 for a tool-call id that is not nine letters and digits, TRANSCRIBED from a reported answer
 * (github.com/editor-code-assistant/eca/issues/233, 2025-12-13; the same body in nearai/ironclaw#1241, 2026-03-16).
 */
function refuseToolCallIds(body: JsonObject): BodyReply | undefined {
  const ids: unknown[] = [];
  for (const m of Array.isArray(body.messages) ? body.messages : []) {
    if (!isObject(m)) continue;
    if (m.role === "tool") ids.push(m.tool_call_id);
    if (Array.isArray(m.tool_calls)) for (const c of m.tool_calls) if (isObject(c)) ids.push(c.id);
  }
  const bad = ids.find((id) => typeof id !== "string" || !/^[a-zA-Z0-9]{9}$/.test(id));
  if (bad === undefined) return undefined;
  return mistralError(400, {
    message: `Tool call id was ${String(bad)} but must be a-z, A-Z, 0-9, with a length of 9.`,
    type: "invalid_function_call",
    code: "3280",
  });
}

/** Mistral's pydantic validation answer (shape of mistral/error-422-extra-forbidden.json), one detail per field. */
function refuseExtraFields(body: JsonObject, endpoint: Endpoint): BodyReply | undefined {
  const allowed = endpoint === "embeddings" ? MISTRAL_EMBEDDING_FIELDS : ALLOWED_FIELDS;
  const extra = Object.keys(body).filter((field) => !allowed.has(field));
  if (extra.length === 0) return undefined;
  const detail = extra.map((field) => ({
    type: "extra_forbidden",
    loc: ["body", field],
    msg: "Extra inputs are not permitted",
    input: body[field],
  }));
  return mistralError(422, { message: { detail }, type: "invalid_request_error", code: null });
}

/** Mistral's error object (the 2026 shape of mistral/error-429-rate-limited.json). */
function mistralBody(error: { message: unknown; type: string; code: string | null }): string {
  return JSON.stringify({ object: "error", message: error.message, type: error.type, param: null, code: error.code });
}

function mistralError(status: number, error: Parameters<typeof mistralBody>[0]): BodyReply {
  return { kind: "body", status, headers: { ...JSON_HEADERS }, body: mistralBody(error) };
}

export const mistral = openAICompatible({
  id: "mistral",
  chat: {
    text: file("chat-completion.json"),
    toolCall: file("chat-completion-tool-call.json"),
    streamText: file("chat-completion-stream.sse"),
    streamToolCall: file("chat-completion-stream-tool-call.sse"),
  },
  // Magistral models think in `thinking` content parts before the answer (the recorded stream, and its fold).
  reasoning: {
    wants: (body) => typeof body.model === "string" && body.model.startsWith("magistral"),
    text: () => foldMagistralStream(file("chat-completion-stream-magistral-thinking.sse")()),
    streamText: file("chat-completion-stream-magistral-thinking.sse"),
  },
  modelList: () => jsonPayload(MODELS),
  errorBody: mistralBody,
  errorHeaders: JSON_HEADERS,
  recordedErrors: {
    422: file("error-422-extra-forbidden.json"),
    429: file("error-429-rate-limited.json"),
  },
  errorWording: {
    401: { message: "Unauthorized", type: "invalid_request_error", code: null },
  },
  contextLength: () =>
    jsonPayload({
      object: "error",
      message: "Prompt contains 40000 tokens and 0 draft tokens, too large for model with 32768 maximum context length",
      type: "invalid_request_error",
      param: null,
      code: "context_length_exceeded",
    }),
  badJson: { message: "Invalid JSON body", type: "invalid_request_error", code: null },
  // Unknown fields first (a 422), then, on chat, tool-call ids that are not Mistral's (a 400).
  refuseBody: (body, endpoint) =>
    refuseExtraFields(body, endpoint) ?? (endpoint === "chat" ? refuseToolCallIds(body) : undefined),
  embeddings: mistralEmbeddings,
});
