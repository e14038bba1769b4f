// The playground's dialects: how each one's request is sent and how its stream's events read (text, failure, route).
import type { RouteReport } from "./api-types.ts";

export type PlaygroundDialect = "chat" | "responses" | "messages";

export interface Ask {
  model: string;
  prompt: string;
  maxTokens: number | null;
  strategy: string | null;
}

/** What one stream event says: a text delta, the route report, a failure, or the end of the answer. */
export interface Reading {
  text?: string;
  xRouter?: RouteReport;
  failure?: string;
  done?: boolean;
}

// biome-ignore lint/suspicious/noExplicitAny: events of three wire formats, each read field by field
type Event = Record<string, any>;

export interface DialectWire {
  path: string;
  body(ask: Ask): Record<string, unknown>;
  read(event: Event | "[DONE]"): Reading;
}

const router = (ask: Ask) => (ask.strategy ? { router: { strategy: ask.strategy } } : {});

export const DIALECT_WIRES: Record<PlaygroundDialect, DialectWire> = {
  chat: {
    path: "/v1/chat/completions",
    body: (ask) => ({
      model: ask.model,
      messages: [{ role: "user", content: ask.prompt }],
      stream: true,
      stream_options: { include_usage: true },
      ...(ask.maxTokens ? { max_tokens: ask.maxTokens } : {}),
      ...router(ask),
    }),
    read: (e) => {
      if (e === "[DONE]") return { done: true };
      if (e.error) return { failure: e.error.message, xRouter: e.x_router };
      const text = e.choices?.[0]?.delta?.content;
      return {
        ...(typeof text === "string" && text !== "" ? { text } : {}),
        ...(e.x_router ? { xRouter: e.x_router } : {}),
      };
    },
  },
  responses: {
    path: "/v1/responses",
    body: (ask) => ({
      model: ask.model,
      input: ask.prompt,
      stream: true,
      store: false,
      ...(ask.maxTokens ? { max_output_tokens: ask.maxTokens } : {}),
      ...router(ask),
    }),
    read: (e) => {
      if (e === "[DONE]") return { done: true };
      if (e.type === "response.output_text.delta") return { text: e.delta };
      if (e.type === "response.failed")
        return { failure: e.response?.error?.message ?? "failed", xRouter: e.response?.x_router };
      if (e.type === "response.completed" || e.type === "response.incomplete")
        return { done: true, xRouter: e.response?.x_router };
      return {};
    },
  },
  messages: {
    path: "/v1/messages",
    body: (ask) => ({
      model: ask.model,
      max_tokens: ask.maxTokens ?? 256,
      messages: [{ role: "user", content: ask.prompt }],
      stream: true,
      ...router(ask),
    }),
    read: (e) => {
      if (e === "[DONE]") return { done: true };
      if (e.type === "content_block_delta" && e.delta?.type === "text_delta") return { text: e.delta.text };
      if (e.type === "message_delta") return { xRouter: e.x_router };
      if (e.type === "message_stop") return { done: true };
      if (e.type === "error") return { failure: e.error?.message ?? "failed", xRouter: e.x_router };
      return {};
    },
  },
};
