// The chat-completions emulator OpenAI, Mistral and Together share; each passes its recordings and its named quirks.
import {
  CONTENT_POLICY,
  type ErrorFields,
  genericError,
  MALFORMED_SSE_EVENT,
  OPENAI_STREAM_ERROR,
} from "../error-catalog.ts";
import { isDoneEvent, sseEvents } from "../stream-events.ts";
import type { BodyReply, Endpoint, ErrorCase, HeaderMap, ProviderEmulator, ProviderId, StreamEvent } from "../types.ts";
import { bodyReply, hasBearer, isObject, type JsonObject, type Payload, wantsTools } from "./shared.ts";
import { responseFormatSchema, restream, structuredText } from "./structured.ts";

/** The first choice's delta of a chunk. */
const firstDelta = (chunk: JsonObject): JsonObject | undefined => {
  const choice = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined;
  return isObject(choice) && isObject(choice.delta) ? choice.delta : undefined;
};

/** SYNTHESIZED: the recorded text answer, its first choice's content a value of the schema (structured.ts). */
function structuredAnswer(payload: Payload, schema: JsonObject): Payload {
  const answer = JSON.parse(payload.body) as JsonObject;
  const choice = Array.isArray(answer.choices) ? answer.choices[0] : undefined;
  if (isObject(choice) && isObject(choice.message)) {
    choice.message.content = structuredText(schema);
    choice.finish_reason = "stop";
  }
  return { body: JSON.stringify(answer), headers: payload.headers };
}

export interface OpenAICompatibleConfig {
  id: ProviderId;
  /** The four recorded answers, picked by `stream` × non-empty `tools`. */
  chat: {
    text: () => Payload;
    toolCall: () => Payload;
    streamText: () => Payload;
    streamToolCall: () => Payload;
  };
  /** GET /v1/models. */
  modelList: () => Payload;
  /** Renders error fields in the provider's error shape. */
  errorBody: (fields: ErrorFields) => string;
  errorHeaders: HeaderMap;
  /** Recorded error answers by HTTP status; other statuses get `errorBody(genericError(status))`. */
  recordedErrors: Partial<Record<number, () => Payload>>;
  /** Provider wording for statuses without a recording. */
  errorWording?: Partial<Record<number, ErrorFields>>;
  contextLength: () => Payload;
  badJson: ErrorFields;
  /** Quirk: a refusal of a well-formed body (Mistral's forbidden extra fields). */
  refuseBody?: (body: JsonObject, endpoint: Endpoint) => BodyReply | undefined;
  /** POST /v1/embeddings, where the provider serves it. */
  embeddings?: (body: JsonObject) => BodyReply;
  /**
   * Quirk: a reasoning model's answers to a request without tools (Magistral's thinking parts, Together's `reasoning`
   * field), for the requests `wants` picks.
   */
  reasoning?: { wants: (body: JsonObject) => boolean; text: () => Payload; streamText: () => Payload };
  /** Quirk: reshapes the replayed stream for the request (OpenAI's include_usage). */
  shapeStream?: (events: StreamEvent[], body: JsonObject) => StreamEvent[];
  /**
   * OpenAI's answers name the tier they were served at: a request that asks for one is answered at it (`auto` at
   * `default`), the recording's `"service_tier": "default"` rewritten and every other byte left alone.
   */
  servesTiers?: boolean;
}

/** The recorded text with the tier the request asked for in place of the one recorded. */
function servedAt(text: string, body: JsonObject): string {
  const asked = body.service_tier;
  if (typeof asked !== "string") return text;
  const tier = asked === "auto" ? "default" : asked;
  return text.replace(
    /"service_tier":(\s?)"default"/g,
    (_, space: string) => `"service_tier":${space}${JSON.stringify(tier)}`,
  );
}

export function openAICompatible(config: OpenAICompatibleConfig): ProviderEmulator {
  const shaped = (status: number, fields: ErrorFields): BodyReply => ({
    kind: "body",
    status,
    headers: { ...config.errorHeaders },
    body: config.errorBody(fields),
  });

  const error = (kind: ErrorCase, status: number): BodyReply => {
    switch (kind) {
      case "status": {
        const recorded = config.recordedErrors[status];
        if (recorded) return bodyReply(status, recorded());
        return shaped(status, config.errorWording?.[status] ?? genericError(status));
      }
      case "context_length":
        return bodyReply(400, config.contextLength());
      case "content_policy":
        return shaped(400, CONTENT_POLICY);
      case "bad_json":
        return shaped(400, config.badJson);
      default: {
        const unhandled: never = kind;
        throw new Error(`unhandled error case ${String(unhandled)}`);
      }
    }
  };

  return {
    id: config.id,
    route(method, path) {
      if (method === "POST" && path === "/v1/chat/completions") return "chat";
      if (method === "GET" && path === "/v1/models") return "models";
      if (method === "POST" && path === "/v1/embeddings" && config.embeddings) return "embeddings";
      return undefined;
    },
    refuse(endpoint, req) {
      if (!hasBearer(req.headers)) return error("status", 401);
      if (endpoint === "models") return undefined;
      if (req.badJson || !isObject(req.body)) return error("bad_json", 400);
      return config.refuseBody?.(req.body, endpoint);
    },
    answer(endpoint, req) {
      if (endpoint === "models") return bodyReply(200, config.modelList());
      const body = isObject(req.body) ? req.body : {};
      if (endpoint === "embeddings" && config.embeddings) return config.embeddings(body);
      const tools = wantsTools(body);
      // A JSON schema without tools gets the recorded text answer with a value of that schema for its words.
      const schema = tools ? undefined : responseFormatSchema(body);
      const chat = !tools && schema === undefined && config.reasoning?.wants(body) ? config.reasoning : config.chat;
      const tiered = (payload: Payload): Payload =>
        config.servesTiers === true ? { ...payload, body: servedAt(payload.body, body) } : payload;
      if (body.stream !== true) {
        if (schema !== undefined) return bodyReply(200, tiered(structuredAnswer(config.chat.text(), schema)));
        return bodyReply(200, tiered(tools ? config.chat.toolCall() : chat.text()));
      }
      const payload = tiered(tools ? config.chat.streamToolCall() : chat.streamText());
      let events = sseEvents(payload.body, isDoneEvent);
      if (schema !== undefined) events = restream(events, structuredText(schema), firstDelta, "content");
      return {
        kind: "stream",
        status: 200,
        headers: { ...payload.headers },
        events: config.shapeStream ? config.shapeStream(events, body) : events,
        malformed: MALFORMED_SSE_EVENT,
        midstreamError: OPENAI_STREAM_ERROR,
      };
    },
    error,
    errorWith: (status, message) => shaped(status, { message, type: "invalid_request_error", code: "invalid_api_key" }),
    streamError: (message) =>
      `data: ${JSON.stringify({ error: { message, type: "server_error", param: null, code: null } })}\n\n`,
  };
}

/** OpenAI's error envelope, used by OpenAI and Together. */
export function openAIErrorBody(fields: ErrorFields, indent?: number): string {
  const { message, type, code } = fields;
  return JSON.stringify({ error: { message, type, param: fields.param ?? null, code } }, null, indent);
}
