// Together AI's /v1/chat/completions and /v1/models (a bare array), OpenAI-compatible.
import { togetherEmbeddings } from "../embeddings/answers.ts";
import { recording } from "../fixtures.ts";
import { openAICompatible, openAIErrorBody } from "./openai-compatible.ts";
import { withReasoningChunks, withReasoningField } from "./reasoning.ts";
import { jsonPayload, type Payload } from "./shared.ts";

const JSON_HEADERS = { "Content-Type": "application/json; charset=utf-8" };
const file = (name: string) => () => recording("together", name, { fallback: JSON_HEADERS });

// SYNTHESIZED, not recorded: no non-streaming Together tool call was found in any public recording.
// Built from the recorded streaming tool call (together/chat-completion-stream-tool-call.sse: id, call id,
// name, arguments, seed, usage) in the shape of the recorded non-streaming answer (together/chat-completion.json).
const SYNTHESIZED_TOOL_CALL =
  '{"id":"ogzjfRD-6Ng1vN-9f391a2bb8ca75e1","object":"chat.completion","created":1777411135,"model":"meta-llama/Llama-3.3-70B-Instruct-Turbo","prompt":[],"choices":[{"finish_reason":"tool_calls","seed":9033012299842426000,"logprobs":null,"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_yu1mxtmex7x48nximi9c8jpo","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]}}],"usage":{"prompt_tokens":194,"completion_tokens":19,"total_tokens":213,"cached_tokens":0}}';

const synthesizedToolCall = (): Payload => ({
  body: SYNTHESIZED_TOOL_CALL,
  headers: recording("together", "chat-completion.json").headers,
});

/** Together lists models as a bare array, not OpenAI's `{object:"list",data}`. */
const MODELS = [
  {
    id: "meta-llama/Llama-3.3-70B-Instruct-Turbo",
    object: "model",
    created: 1733443200,
    type: "chat",
    display_name: "Meta Llama 3.3 70B Instruct Turbo",
    organization: "Meta",
    context_length: 131072,
  },
  {
    id: "mistralai/Mixtral-8x7B-Instruct-v0.1",
    object: "model",
    created: 1702339200,
    type: "chat",
    display_name: "Mixtral-8x7B Instruct v0.1",
    organization: "mistralai",
    context_length: 32768,
  },
];

export const together = openAICompatible({
  id: "together",
  chat: {
    text: file("chat-completion.json"),
    toolCall: synthesizedToolCall,
    streamText: file("chat-completion-stream-include-usage.sse"),
    streamToolCall: file("chat-completion-stream-tool-call.sse"),
  },
  // gpt-oss reasons in a `reasoning` field beside the content (SYNTHESIZED: reasoning.ts).
  reasoning: {
    wants: (body) => typeof body.model === "string" && body.model.includes("gpt-oss"),
    text: () => withReasoningField(file("chat-completion.json")()),
    streamText: () => withReasoningChunks(file("chat-completion-stream-include-usage.sse")()),
  },
  modelList: () => jsonPayload(MODELS, JSON_HEADERS["Content-Type"]),
  errorBody: (fields) => openAIErrorBody(fields),
  errorHeaders: JSON_HEADERS,
  recordedErrors: { 429: file("error-429-credit-limit.json") },
  errorWording: {
    401: {
      message: "Invalid API key provided. You can find your API key at https://api.together.xyz/settings/api-keys.",
      type: "invalid_request_error",
      code: "invalid_api_key",
    },
  },
  contextLength: () =>
    jsonPayload(
      {
        error: {
          message:
            "Input validation error: `inputs` tokens + `max_new_tokens` must be <= 8193. Given: 8000 `inputs` tokens and 1000 `max_new_tokens`",
          type: "invalid_request_error",
          param: null,
          code: "context_length_exceeded",
        },
      },
      JSON_HEADERS["Content-Type"],
    ),
  badJson: { message: "Invalid JSON body", type: "invalid_request_error", code: null },
  embeddings: togetherEmbeddings,
});
