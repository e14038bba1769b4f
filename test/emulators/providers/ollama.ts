// Ollama's native /api/chat (NDJSON, streaming by default) and /api/tags, optionally behind Cloudflare Access.

import { ollamaEmbed } from "../embeddings/answers.ts";
import { genericError } from "../error-catalog.ts";
import { fixture, recording } from "../fixtures.ts";
import { ndjsonEvents, tryJson } from "../stream-events.ts";
import type { BodyReply, ErrorCase, ProviderEmulator, ProviderRequest, SessionOptions } from "../types.ts";
import { withOllamaThinking, withOllamaThinkingLines } from "./reasoning.ts";
import { bodyReply, isObject, type Payload, wantsTools } from "./shared.ts";

const JSON_HEADERS = { "Content-Type": "application/json; charset=utf-8" };

const ollamaError = (status: number, message: string): BodyReply => ({
  kind: "body",
  status,
  headers: { ...JSON_HEADERS },
  body: JSON.stringify({ error: message }),
});

function error(kind: ErrorCase, status: number): BodyReply {
  switch (kind) {
    case "status":
      if (status === 404)
        return bodyReply(404, recording("ollama", "error-404-model-not-found.json", { fallback: JSON_HEADERS }));
      return ollamaError(status, genericError(status).message.toLowerCase());
    case "context_length":
      return ollamaError(400, "the input length exceeds the context length");
    case "content_policy":
      return ollamaError(400, "request blocked by content policy");
    case "bad_json":
      return ollamaError(400, "invalid character looking for beginning of value");
    default: {
      const unhandled: never = kind;
      throw new Error(`unhandled error case ${String(unhandled)}`);
    }
  }
}

/** Cloudflare Access in front of a self-hosted Ollama turns away requests without the right service token. */
function accessDenied(req: ProviderRequest, session: SessionOptions): BodyReply | undefined {
  const access = session.ollama_access;
  if (access === undefined) return undefined;
  const id = req.headers["cf-access-client-id"];
  const secret = req.headers["cf-access-client-secret"];
  if (id === access.client_id && secret === access.client_secret) return undefined;
  return {
    kind: "body",
    status: 403,
    headers: { "Content-Type": "text/html; charset=UTF-8" },
    body: "<!DOCTYPE html><html><head><title>Forbidden</title></head><body><h1>Forbidden</h1><p>Cloudflare Access denied this request: missing or invalid service token.</p></body></html>",
  };
}

/** /api/tags listing exactly `names`, each entry in the shape of the documented example. */
function tagsFor(names: readonly string[]): Payload {
  const example = tryJson(fixture("ollama", "api-tags.docs-example.json"));
  const template =
    isObject(example) && Array.isArray(example.models) && isObject(example.models[0]) ? example.models[0] : {};
  return {
    body: JSON.stringify({ models: names.map((name) => ({ ...template, name, model: name })) }),
    headers: { ...JSON_HEADERS },
  };
}

const midstreamError = (): string => {
  const lines = fixture("ollama", "api-generate-stream-midstream-error.docs-example.ndjson").trimEnd().split("\n");
  return `${lines.at(-1) ?? '{"error":"an error was encountered while running the model"}'}\n`;
};

export const ollama: ProviderEmulator = {
  id: "ollama",
  route(method, path) {
    if (method === "POST" && path === "/api/chat") return "chat";
    if (method === "GET" && path === "/api/tags") return "models";
    if (method === "POST" && path === "/api/embed") return "embeddings";
    return undefined;
  },
  refuse(endpoint, req, session) {
    const denied = accessDenied(req, session);
    if (denied) return denied;
    if (endpoint === "models") return undefined;
    if (req.badJson || !isObject(req.body)) return error("bad_json", 400);
    return undefined;
  },
  answer(endpoint, req, session) {
    if (endpoint === "models") {
      if (session.ollama_models) return bodyReply(200, tagsFor(session.ollama_models));
      return bodyReply(200, recording("ollama", "api-tags.docs-example.json", { fallback: JSON_HEADERS }));
    }
    const body = isObject(req.body) ? req.body : {};
    if (endpoint === "embeddings") return ollamaEmbed(body);
    const tools = wantsTools(body);
    // `think` (true or a level) asks for the reasoning apart, in `thinking` (SYNTHESIZED: reasoning.ts).
    const thinks = !tools && body.think !== undefined && body.think !== false;
    // The native API streams unless told `"stream": false`.
    if (body.stream === false) {
      const file = tools ? "api-chat-tool-call.docs-example.json" : "api-chat.json";
      const answer = recording("ollama", file, { headersOf: "api-chat", fallback: JSON_HEADERS });
      return bodyReply(200, thinks ? withOllamaThinking(answer) : answer);
    }
    const file = tools ? "api-chat-stream-tool-call.docs-example.ndjson" : "api-chat-stream.ndjson";
    const recorded = recording("ollama", file, {
      headersOf: "api-chat-stream",
      fallback: { "Content-Type": "application/x-ndjson" },
    });
    const payload = thinks ? withOllamaThinkingLines(recorded) : recorded;
    return {
      kind: "stream",
      status: 200,
      headers: payload.headers,
      events: ndjsonEvents(payload.body, (line) => {
        const chunk = tryJson(line);
        return isObject(chunk) && chunk.done === true;
      }),
      malformed:
        '{"model":"llama3","created_at":"2024-05-24T20:26:46.294874Z","message":{"role":"assistant","content":"oo\n',
      midstreamError: midstreamError(),
    };
  },
  error,
  errorWith: (status, message) => ollamaError(status, message),
  streamError: (message) => `${JSON.stringify({ error: message })}\n`,
};
