// Ollama native /api/chat behind a tunnel: NDJSON streams, tool calls without ids, Cloudflare Access headers.
import { kindForStatus, ProviderError } from "../../core/errors.ts";
import type { ChatResult, FinishReason, Usage } from "../../core/types.ts";
import { type AdapterContext, joinUrl, type ProviderAdapter } from "../adapter.ts";
import { errorFromAnswer, readErrorBody } from "../error-body.ts";
import { envValue, isConfigured, type ProviderSpec } from "../spec.ts";
import type { ProviderEnv } from "../specs.ts";
import { buildOllamaBody } from "./request.ts";
import { type ChatLine, ChatLineSchema, ErrorLineSchema } from "./wire.ts";

export const ollamaSpec = {
  id: "ollama",
  env: { baseUrl: "OLLAMA_BASE_URL", extra: ["OLLAMA_ACCESS_CLIENT_ID", "OLLAMA_ACCESS_CLIENT_SECRET"] },
  // Both halves of the Access service token: the id alone already names the tunnel's door.
  secrets: ["OLLAMA_ACCESS_CLIENT_ID", "OLLAMA_ACCESS_CLIENT_SECRET"],
  requires: "base_url",
  // Access service tokens: a 32-hex id ending in .access, a 64-hex secret.
  keyPatterns: [/\b[a-f0-9]{32}\.access\b/],
  capabilities: { streamFormat: "ndjson", local: true, serviceTiers: false },
} as const satisfies ProviderSpec<"ollama">;

const baseUrl = (env: ProviderEnv) => envValue(env, ollamaSpec.env.baseUrl) ?? "";

/** Cloudflare Access service-token headers, when the tunnel is protected by Access. */
export function accessHeaders(env: ProviderEnv): Record<string, string> {
  const id = env.OLLAMA_ACCESS_CLIENT_ID;
  const secret = env.OLLAMA_ACCESS_CLIENT_SECRET;
  return id && secret ? { "cf-access-client-id": id, "cf-access-client-secret": secret } : {};
}

export const ollamaAdapter: ProviderAdapter = {
  id: "ollama",
  streamFormat: ollamaSpec.capabilities.streamFormat,
  configured: (env) => isConfigured(ollamaSpec, env),

  buildChatRequest(req, target, ctx) {
    const { body, warnings } = buildOllamaBody(req, target);
    return {
      request: {
        url: joinUrl(baseUrl(ctx.env), "api/chat"),
        headers: { ...accessHeaders(ctx.env), "content-type": "application/json" },
        body,
      },
      warnings,
    };
  },

  parseChatResponse(json, ctx): ChatResult {
    const parsed = ChatLineSchema.safeParse(json);
    if (!parsed.success) throw malformed(`unreadable answer: ${parsed.error.issues[0]?.message ?? "invalid"}`);
    const line = parsed.data;
    const toolCalls = toolCallsOf(line, ctx);
    const text = line.message?.content ?? "";
    const thinking = line.message?.thinking ?? "";
    return {
      model: line.model,
      content: text === "" && toolCalls.length > 0 ? null : text,
      tool_calls: toolCalls,
      finish_reason: mapDoneReason(line.done_reason, toolCalls.length > 0),
      usage: usageOf(line),
      ...(thinking === "" ? {} : { reasoning: [{ type: "thinking", thinking }] }),
    };
  },

  streamDecoder(ctx) {
    let toolCount = 0;
    return (message, out) => {
      let json: unknown;
      try {
        json = "json" in message ? message.json : JSON.parse(message.data);
      } catch {
        throw malformed("a stream line was not valid JSON");
      }
      const error = ErrorLineSchema.safeParse(json);
      if (error.success) throw new ProviderError({ kind: "stream", provider: "ollama", message: error.data.error });
      const parsed = ChatLineSchema.safeParse(json);
      if (!parsed.success) throw malformed(`unreadable stream line: ${parsed.error.issues[0]?.message ?? "invalid"}`);
      const line = parsed.data;
      const thinking = line.message?.thinking ?? "";
      if (thinking !== "") out.push({ type: "reasoning", text: thinking });
      const text = line.message?.content ?? "";
      if (text !== "") out.push({ type: "text", text });
      // Ollama sends each tool call whole, in one line.
      for (const call of toolCallsOf(line, ctx)) {
        const index = toolCount++;
        out.push({ type: "tool_call_start", index, id: call.id, name: call.name });
        out.push({ type: "tool_call_delta", index, arguments: call.arguments });
      }
      if (line.done) {
        out.push({ type: "finish", finish_reason: mapDoneReason(line.done_reason, toolCount > 0) });
        out.push({ type: "usage", usage: usageOf(line) });
        out.push({ type: "end" });
      }
    };
  },

  parseError(status, headers, body, now) {
    // Not JSON: Cloudflare Access answers with an HTML page.
    const fields = readErrorBody("ollama", status, body, (json) => {
      const parsed = ErrorLineSchema.safeParse(json);
      return parsed.success ? { message: parsed.data.error, code: null, type: null } : null;
    });
    return errorFromAnswer("ollama", status, headers, now, fields, (s, f) => {
      if (s === 400 && /context (length|window)|too long/i.test(f.message)) return "context_length";
      if (s === 400 && /content (filtering )?policy/i.test(f.message)) return "content_policy";
      return kindForStatus(s);
    });
  },

  probeRequest: (env) => ({ url: joinUrl(baseUrl(env), "api/tags"), headers: accessHeaders(env) }),
};

function toolCallsOf(line: ChatLine, ctx: AdapterContext) {
  return (line.message?.tool_calls ?? []).map((c) => ({
    id: ctx.newId("call"),
    name: c.function.name,
    arguments: typeof c.function.arguments === "string" ? c.function.arguments : JSON.stringify(c.function.arguments),
  }));
}

function mapDoneReason(reason: string | null | undefined, hasToolCalls: boolean): FinishReason {
  if (reason === "length") return "length";
  return hasToolCalls ? "tool_calls" : "stop";
}

function usageOf(line: ChatLine): Usage {
  return {
    input_tokens: line.prompt_eval_count ?? 0,
    output_tokens: line.eval_count ?? 0,
    cached_input_tokens: 0,
    cache_write_tokens: 0,
  };
}

function malformed(message: string): ProviderError {
  return new ProviderError({ kind: "malformed", provider: "ollama", message });
}
