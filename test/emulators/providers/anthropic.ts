// Anthropic's /v1/messages and /v1/models: x-api-key, anthropic-version and max_tokens are required.

import { genericError } from "../error-catalog.ts";
import { fixture, recording } from "../fixtures.ts";
import type { BodyReply, ErrorCase, HeaderMap, ProviderEmulator } from "../types.ts";
import { countTokens, messageRecording, streamEventsOf } from "./anthropic-recordings.ts";
import { bodyReply, isObject, jsonPayload, type Payload } from "./shared.ts";

/** Anthropic's error `type` by HTTP status. */
const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

/** What the official SDKs retry when the header is absent; the API sends it explicitly. */
const shouldRetry = (status: number): boolean => status === 408 || status === 409 || status === 429 || status >= 500;

const errorHeaders = (status: number): HeaderMap => ({
  "Content-Type": "application/json",
  "request-id": "req_emulator",
  "x-should-retry": String(shouldRetry(status)),
});

const file = (name: string, status: number) => (): Payload =>
  recording("anthropic", name, { fallback: errorHeaders(status) });

const RECORDED_ERRORS: Partial<Record<number, () => Payload>> = {
  400: file("error-400-invalid-request.json", 400),
  401: file("error-401-authentication.json", 401),
  429: file("error-429-rate-limit.json", 429),
  529: file("error-529-overloaded.json", 529),
};

const MODELS = [
  { id: "claude-sonnet-4-5-20250929", display_name: "Claude Sonnet 4.5", created_at: "2025-09-29T00:00:00Z" },
  { id: "claude-3-5-sonnet-20240620", display_name: "Claude Sonnet 3.5", created_at: "2024-06-20T00:00:00Z" },
  { id: "claude-3-haiku-20240307", display_name: "Claude Haiku 3", created_at: "2024-03-07T00:00:00Z" },
].map((model) => ({ type: "model", ...model }));

function anthropicError(status: number, message: string, type = ERROR_TYPES[status]): BodyReply {
  const errorType = type ?? (status >= 500 ? "api_error" : "invalid_request_error");
  return {
    kind: "body",
    status,
    headers: errorHeaders(status),
    body: JSON.stringify({ type: "error", error: { type: errorType, message } }),
  };
}

function error(kind: ErrorCase, status: number): BodyReply {
  switch (kind) {
    case "status": {
      const recorded = RECORDED_ERRORS[status];
      return recorded ? bodyReply(status, recorded()) : anthropicError(status, genericError(status).message);
    }
    case "context_length":
      return anthropicError(400, "prompt is too long: 208310 tokens > 200000 maximum");
    case "content_policy":
      return anthropicError(400, "Output blocked by content filtering policy");
    case "bad_json":
      return anthropicError(400, "There was an error parsing the body of your request: invalid JSON");
    default: {
      const unhandled: never = kind;
      throw new Error(`unhandled error case ${String(unhandled)}`);
    }
  }
}

/** Structured outputs take one format, a JSON schema (the wording is the emulator's own). */
function refuseOutputConfig(config: unknown): BodyReply | undefined {
  if (config === undefined) return undefined;
  if (!isObject(config)) return anthropicError(400, "output_config: Input should be an object");
  const format = config.format;
  if (format === undefined || format === null) return undefined;
  if (!isObject(format) || format.type !== "json_schema")
    return anthropicError(400, "output_config.format.type: Input should be 'json_schema'");
  if (!isObject(format.schema)) return anthropicError(400, "output_config.format.schema: Field required");
  return undefined;
}

export const anthropic: ProviderEmulator = {
  id: "anthropic",
  route(method, path) {
    if (method === "POST" && path === "/v1/messages") return "chat";
    if (method === "POST" && path === "/v1/messages/count_tokens") return "count_tokens";
    if (method === "GET" && path === "/v1/models") return "models";
    return undefined;
  },
  refuse(endpoint, req) {
    if (!req.headers["x-api-key"]) return error("status", 401);
    if (!req.headers["anthropic-version"]) return anthropicError(400, "anthropic-version: header is required");
    if (endpoint === "models") return undefined;
    if (req.badJson || !isObject(req.body)) return error("bad_json", 400);
    if (endpoint === "count_tokens") {
      if (typeof req.body.model !== "string") return anthropicError(400, "model: Field required");
      if (!Array.isArray(req.body.messages)) return anthropicError(400, "messages: Field required");
      return undefined;
    }
    if (req.body.max_tokens === undefined) return anthropicError(400, "max_tokens: Field required");
    // OpenAI's field is not Anthropic's: the API refuses fields it does not define.
    if (req.body.response_format !== undefined)
      return anthropicError(400, "response_format: Extra inputs are not permitted");
    return refuseOutputConfig(req.body.output_config);
  },
  answer(endpoint, req) {
    if (endpoint === "models") {
      return bodyReply(
        200,
        jsonPayload({ data: MODELS, has_more: false, first_id: MODELS[0]?.id, last_id: MODELS.at(-1)?.id }),
      );
    }
    const body = isObject(req.body) ? req.body : {};
    if (endpoint === "count_tokens") {
      return bodyReply(200, {
        body: JSON.stringify({ input_tokens: countTokens(body) }),
        headers: recording("anthropic", "count-tokens.json").headers,
      });
    }
    if (body.stream !== true) return bodyReply(200, messageRecording(body));
    const { headers, events } = streamEventsOf(body, (event) => /^event: message_stop$/m.test(event));
    return {
      kind: "stream",
      status: 200,
      headers,
      events,
      malformed:
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"oops\n\n',
      // HTTP stays 200; the error arrives as an SSE event and the connection closes without message_stop.
      midstreamError: `event: error\ndata: ${fixture("anthropic", "stream-error-event-overloaded.data.json")}\n\n`,
    };
  },
  error,
  errorWith: (status, message) => anthropicError(status, message),
  streamError: (message) =>
    `event: error\ndata: ${JSON.stringify({ type: "error", error: { type: "api_error", message } })}\n\n`,
};
