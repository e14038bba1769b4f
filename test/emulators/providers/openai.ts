// OpenAI's /v1/chat/completions and /v1/models, replayed from the recordings in test/fixtures/openai.
import { openAIEmbeddings } from "../embeddings/answers.ts";
import { recording } from "../fixtures.ts";
import { sseData, tryJson } from "../stream-events.ts";
import type { StreamEvent } from "../types.ts";
import { openAICompatible, openAIErrorBody } from "./openai-compatible.ts";
import { isObject, type JsonObject, jsonPayload } from "./shared.ts";

const JSON_HEADERS = { "Content-Type": "application/json" };
const file = (name: string) => () => recording("openai", name, { fallback: JSON_HEADERS });

const MODELS = {
  object: "list",
  data: [
    { id: "gpt-4o-mini", object: "model", created: 1721172741, owned_by: "system" },
    { id: "gpt-4o-mini-2024-07-18", object: "model", created: 1721172717, owned_by: "system" },
    { id: "gpt-3.5-turbo", object: "model", created: 1677610602, owned_by: "openai" },
  ],
};

const includesUsage = (body: JsonObject): boolean =>
  isObject(body.stream_options) && body.stream_options.include_usage === true;

/** The extra final chunk `stream_options.include_usage` asks for: `choices: []` plus `usage`. */
function isUsageOnlyChunk(event: StreamEvent): boolean {
  const chunk = tryJson(sseData(event.text));
  return isObject(chunk) && Array.isArray(chunk.choices) && chunk.choices.length === 0 && isObject(chunk.usage);
}

export const openai = openAICompatible({
  id: "openai",
  chat: {
    text: file("chat-completion-text.json"),
    toolCall: file("chat-completion-tool-calls.json"),
    streamText: file("chat-completion-stream-text-include-usage.sse"),
    streamToolCall: file("chat-completion-stream-tool-call-include-usage.sse"),
  },
  modelList: () => jsonPayload(MODELS),
  errorBody: (fields) => openAIErrorBody(fields, 2),
  errorHeaders: JSON_HEADERS,
  recordedErrors: {
    400: file("error-400-invalid-image-url.json"),
    401: file("error-401-invalid-api-key.json"),
    429: file("error-429-rate-limit-exceeded.json"),
  },
  contextLength: file("error-400-context-length-exceeded.json"),
  badJson: {
    message:
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)",
    type: "invalid_request_error",
    code: null,
  },
  // Quirk: both stream recordings were made with include_usage; without it OpenAI sends no usage-only
  // chunk, so the replay drops that one event and leaves every other byte alone.
  shapeStream: (events, body) => (includesUsage(body) ? events : events.filter((event) => !isUsageOnlyChunk(event))),
  embeddings: openAIEmbeddings,
  servesTiers: true,
});
