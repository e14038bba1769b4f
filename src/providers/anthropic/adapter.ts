// Anthropic Messages: x-api-key + anthropic-version, content blocks, tool_use / input_json_delta, cache usage.
import { type ErrorKind, kindForStatus, ProviderError } from "../../core/errors.ts";
import type { ChatResult, FinishReason, ReasoningPart, ToolCall, Usage } from "../../core/types.ts";
import { joinUrl, type ProviderAdapter } from "../adapter.ts";
import { errorFromAnswer, readErrorBody } from "../error-body.ts";
import { apiKeysOf, baseUrlOf, isConfigured, type ProviderSpec } from "../spec.ts";
import type { ProviderEnv } from "../specs.ts";
import { buildAnthropicBody } from "./request.ts";
import { type AnthropicUsage, ErrorBodySchema, MessageSchema, StreamEventSchema } from "./wire.ts";

export const ANTHROPIC_VERSION = "2023-06-01";

export const anthropicSpec = {
  id: "anthropic",
  env: { key: "ANTHROPIC_API_KEY", keys: "ANTHROPIC_API_KEYS", baseUrl: "ANTHROPIC_BASE_URL" },
  secrets: ["ANTHROPIC_API_KEY", "ANTHROPIC_API_KEYS"],
  requires: "key",
  // sk-ant-api03-..., sk-ant-admin01-...
  keyPatterns: [/\bsk-ant-[A-Za-z0-9_*-]{4,}/],
  capabilities: { streamFormat: "sse", local: false, serviceTiers: false },
} as const satisfies ProviderSpec<"anthropic">;

const baseUrl = (env: ProviderEnv) => baseUrlOf(anthropicSpec, env, "https://api.anthropic.com");
const authHeaders = (env: ProviderEnv) => ({
  "x-api-key": apiKeysOf(anthropicSpec, env)[0] ?? "",
  "anthropic-version": ANTHROPIC_VERSION,
});

export const anthropicAdapter: ProviderAdapter = {
  id: "anthropic",
  streamFormat: anthropicSpec.capabilities.streamFormat,
  configured: (env) => isConfigured(anthropicSpec, env),

  buildChatRequest(req, target, ctx) {
    const { body, warnings } = buildAnthropicBody(req, target);
    return {
      request: {
        url: joinUrl(baseUrl(ctx.env), "v1/messages"),
        headers: {
          ...authHeaders(ctx.env),
          "content-type": "application/json",
          accept: req.stream ? "text/event-stream" : "application/json",
          ...(req.anthropic_beta === undefined ? {} : { "anthropic-beta": req.anthropic_beta.join(",") }),
        },
        body,
      },
      warnings,
    };
  },

  parseChatResponse(json): ChatResult {
    const parsed = MessageSchema.safeParse(json);
    if (!parsed.success) throw malformed(`unreadable message: ${parsed.error.issues[0]?.message ?? "invalid"}`);
    let text = "";
    const toolCalls: ToolCall[] = [];
    const reasoning: ReasoningPart[] = [];
    for (const block of parsed.data.content) {
      // Thinking comes back with its signature, so a later turn can hand it back as Anthropic requires.
      if (block.type === "thinking" && "thinking" in block && typeof block.thinking === "string") {
        const signature = "signature" in block && typeof block.signature === "string" ? block.signature : undefined;
        reasoning.push({
          type: "thinking",
          thinking: block.thinking,
          ...(signature === undefined ? {} : { signature }),
        });
      }
      if (block.type === "redacted_thinking" && "data" in block && typeof block.data === "string")
        reasoning.push({ type: "redacted_thinking", data: block.data });
      if (block.type === "text" && "text" in block && typeof block.text === "string") text += block.text;
      if (block.type === "tool_use" && "id" in block && "name" in block) {
        toolCalls.push({
          id: String(block.id),
          name: String(block.name),
          arguments: JSON.stringify(block.input ?? {}),
        });
      }
    }
    return {
      model: parsed.data.model,
      content: text === "" && toolCalls.length > 0 ? null : text,
      tool_calls: toolCalls,
      finish_reason: mapStopReason(parsed.data.stop_reason),
      usage: toUsage(parsed.data.usage),
      ...(reasoning.length > 0 ? { reasoning } : {}),
      ...(parsed.data.stop_reason === "stop_sequence" && parsed.data.stop_sequence
        ? { stop_sequence: parsed.data.stop_sequence }
        : {}),
    };
  },

  streamDecoder() {
    let usage: AnthropicUsage = {};
    // Anthropic numbers content blocks (text and tool_use together); OpenAI numbers tool calls only.
    const toolIndex = new Map<number, number>();
    /** Tool calls whose arguments have begun: one that gets none (a tool without parameters) is given "{}". */
    const argued = new Set<number>();
    return (message, out) => {
      let json: unknown;
      try {
        json = "json" in message ? message.json : JSON.parse(message.data);
      } catch {
        throw malformed("a stream event was not valid JSON");
      }
      const parsed = StreamEventSchema.safeParse(json);
      if (!parsed.success) {
        // Event types added after this adapter was written are passed over; known ones must parse.
        const type = (json as { type?: unknown } | null)?.type;
        if (typeof type === "string" && !KNOWN_EVENTS.has(type)) return;
        throw malformed(`unreadable ${String(type)} event`);
      }
      const event = parsed.data;
      switch (event.type) {
        case "message_start":
          usage = { ...event.message.usage };
          // Anthropic has counted (and bills) the prompt already, cached parts and all.
          out.push({ type: "prompt_usage", usage: { ...toUsage(usage), output_tokens: 0 } });
          break;
        case "content_block_start":
          if (event.content_block.type === "tool_use") {
            if (!event.content_block.id || !event.content_block.name)
              throw malformed("tool_use block without id or name");
            const index = toolIndex.size;
            toolIndex.set(event.index, index);
            out.push({ type: "tool_call_start", index, id: event.content_block.id, name: event.content_block.name });
          } else if (event.content_block.type === "text" && event.content_block.text) {
            out.push({ type: "text", text: event.content_block.text });
          } else if (event.content_block.type === "redacted_thinking" && event.content_block.data) {
            // Sent whole in its start event, with no deltas.
            out.push({ type: "reasoning_redacted", data: event.content_block.data });
          }
          break;
        case "content_block_delta":
          if (event.delta.type === "text_delta" && event.delta.text) out.push({ type: "text", text: event.delta.text });
          if (event.delta.type === "thinking_delta" && event.delta.thinking)
            out.push({ type: "reasoning", text: event.delta.thinking });
          if (event.delta.type === "signature_delta" && event.delta.signature)
            out.push({ type: "reasoning_signature", signature: event.delta.signature });
          if (event.delta.type === "input_json_delta" && event.delta.partial_json) {
            const index = toolIndex.get(event.index);
            if (index === undefined) throw malformed("input_json_delta for a block that is not a tool_use");
            argued.add(index);
            out.push({ type: "tool_call_delta", index, arguments: event.delta.partial_json });
          }
          break;
        case "message_delta":
          // output_tokens here is cumulative; newer API versions may restate the input counts too.
          usage = { ...usage, ...definedOnly(event.usage ?? {}) };
          if (event.delta.stop_reason) {
            const { stop_reason, stop_sequence } = event.delta;
            out.push({
              type: "finish",
              finish_reason: mapStopReason(stop_reason),
              ...(stop_reason === "stop_sequence" && stop_sequence ? { stop_sequence } : {}),
            });
          }
          // Usage is final here: a stream cut before message_stop is still costed.
          out.push({ type: "usage", usage: toUsage(usage) });
          break;
        case "message_stop":
          out.push({ type: "end" });
          return;
        case "error":
          throw new ProviderError({
            kind: errorKind(event.error.type, 200, event.error.message),
            provider: "anthropic",
            code: event.error.type,
            message: event.error.message,
          });
        case "content_block_stop": {
          // A call without parameters streams no input_json_delta, or only an empty one: its arguments are "{}", as
          // the same answer's JSON gives them, never "" (which no client can parse).
          const index = toolIndex.get(event.index);
          if (index !== undefined && !argued.has(index)) {
            argued.add(index);
            out.push({ type: "tool_call_delta", index, arguments: "{}" });
          }
          break;
        }
        case "ping":
          break;
        default: {
          const never: never = event;
          throw new Error(`unhandled event ${JSON.stringify(never)}`);
        }
      }
    };
  },

  parseError(status, headers, body, now) {
    const fields = readErrorBody("anthropic", status, body, (json) => {
      const parsed = ErrorBodySchema.safeParse(json);
      return parsed.success ? { ...parsed.data.error, code: parsed.data.error.type } : null;
    });
    return errorFromAnswer("anthropic", status, headers, now, fields, (s, f) => errorKind(f.type, s, f.message));
  },

  // Anthropic pages its listing by 20 unless asked; 1000 is its maximum page, so the price book sees every model.
  probeRequest: (env) => ({ url: joinUrl(baseUrl(env), "v1/models?limit=1000"), headers: authHeaders(env) }),
};

const KNOWN_EVENTS = new Set([
  "message_start",
  "content_block_start",
  "content_block_delta",
  "content_block_stop",
  "message_delta",
  "message_stop",
  "ping",
  "error",
]);

function errorKind(type: string | null, status: number, message: string): ErrorKind {
  switch (type) {
    case "invalid_request_error":
      if (/prompt is too long|context window|too many tokens/i.test(message)) return "context_length";
      // "Output blocked by content filtering policy": the caller's content, which no other provider should be sent.
      if (/content filtering policy|content policy/i.test(message)) return "content_policy";
      // An account out of credit is Anthropic's 400 too: the provider cannot serve, whatever the request.
      return /credit balance/i.test(message) ? "auth" : "invalid_request";
    case "authentication_error":
    case "permission_error":
      return "auth";
    case "not_found_error":
      return "invalid_request";
    case "rate_limit_error":
      return "rate_limited";
    case "overloaded_error":
    case "api_error":
      return status === 200 ? "stream" : "server";
    default:
      return status === 200 ? "stream" : kindForStatus(status);
  }
}

function mapStopReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "refusal":
      return "content_filter";
    default:
      // end_turn, stop_sequence, pause_turn.
      return "stop";
  }
}

function toUsage(u: AnthropicUsage): Usage {
  // Anthropic's input_tokens already excludes cache reads and writes.
  return {
    input_tokens: u.input_tokens ?? 0,
    output_tokens: u.output_tokens ?? 0,
    cached_input_tokens: u.cache_read_input_tokens ?? 0,
    cache_write_tokens: u.cache_creation_input_tokens ?? 0,
    // Only where the wire splits writes by TTL; without the split (older answers) every write was a 5-minute one.
    ...(u.cache_creation?.ephemeral_1h_input_tokens != null
      ? { cache_write_1h_tokens: u.cache_creation.ephemeral_1h_input_tokens }
      : {}),
    ...(u.output_tokens_details?.thinking_tokens != null
      ? { reasoning_tokens: u.output_tokens_details.thinking_tokens }
      : {}),
  };
}

function definedOnly(u: AnthropicUsage): AnthropicUsage {
  return Object.fromEntries(Object.entries(u).filter(([, v]) => v !== null && v !== undefined));
}

function malformed(message: string): ProviderError {
  return new ProviderError({ kind: "malformed", provider: "anthropic", message });
}
