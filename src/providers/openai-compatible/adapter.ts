// One adapter for every OpenAI-compatible API; OpenAI, Mistral and Together are configurations of it.
import type { ProviderId } from "../../config/schema.ts";
import { ProviderError } from "../../core/errors.ts";
import type { CanonicalRequest, ChatMessage, ChatResult, StreamEvent } from "../../core/types.ts";
import type { ProviderEnv } from "../../env.ts";
import type { WireMessage } from "../../streams/wire-messages.ts";
import { type AdapterContext, type BuiltRequest, joinUrl, type ModelTarget, type ProviderAdapter } from "../adapter.ts";
import { parseOpenAICompatibleError } from "./errors.ts";
import { mapOpenAIFinishReason } from "./finish-reason.ts";
import { toCanonicalUsage } from "./usage.ts";
import { ChatResponseSchema, ChunkSchema, contentText, ErrorBodySchema } from "./wire.ts";

/** Where a provider's API differs from OpenAI's. Each field is one named quirk. */
export interface OpenAICompatibleQuirks {
  /** OpenAI deprecated `max_tokens` for `max_completion_tokens` (its reasoning models refuse the old name). */
  maxTokensField: "max_tokens" | "max_completion_tokens";
  /**
   * How to get usage on a stream. "stream_options": ask with stream_options.include_usage (OpenAI sends it in a
   * final `choices: []` chunk, Together on the finish chunk). "always": the provider refuses stream_options (Mistral,
   * 422) but puts usage on its finish chunk anyway.
   */
  streamUsage: "stream_options" | "always";
  /** Mistral calls the sampling seed `random_seed`. */
  seedField: "seed" | "random_seed" | null;
  /** Whether the `developer` role exists; elsewhere it becomes `system`. */
  developerRole: boolean;
  /** Mistral names tool_choice "required" `any`. */
  requiredToolChoice: "required" | "any";
  /** Whether the end-user id (`user`) is accepted. */
  user: boolean;
}

export interface OpenAICompatibleConfig {
  id: ProviderId;
  defaultBaseUrl: string;
  apiKey: (env: ProviderEnv) => string | undefined;
  baseUrl: (env: ProviderEnv) => string | undefined;
  quirks: OpenAICompatibleQuirks;
}

export function createOpenAICompatibleAdapter(config: OpenAICompatibleConfig): ProviderAdapter {
  const { id, quirks } = config;
  const base = (env: ProviderEnv) => config.baseUrl(env) ?? config.defaultBaseUrl;
  const authHeaders = (env: ProviderEnv) => ({ authorization: `Bearer ${config.apiKey(env) ?? ""}` });

  return {
    id,
    streamFormat: "sse",
    configured: (env) => (config.apiKey(env) ?? "") !== "",

    buildChatRequest(req: CanonicalRequest, target: ModelTarget, ctx: AdapterContext): BuiltRequest {
      const warnings: string[] = [];
      const body: Record<string, unknown> = {
        model: target.upstreamId,
        messages: req.messages.map((m) => mapMessage(m, quirks)),
        stream: req.stream,
      };
      if (req.tools !== undefined) body.tools = req.tools;
      if (req.tool_choice !== undefined) {
        body.tool_choice = req.tool_choice === "required" ? quirks.requiredToolChoice : req.tool_choice;
      }
      if (req.parallel_tool_calls !== undefined) body.parallel_tool_calls = req.parallel_tool_calls;
      if (req.response_format !== undefined) body.response_format = req.response_format;
      if (req.temperature !== undefined) body.temperature = req.temperature;
      if (req.top_p !== undefined) body.top_p = req.top_p;
      if (req.presence_penalty !== undefined) body.presence_penalty = req.presence_penalty;
      if (req.frequency_penalty !== undefined) body.frequency_penalty = req.frequency_penalty;
      if (req.stop !== undefined) body.stop = req.stop;
      if (req.max_output_tokens !== undefined) body[quirks.maxTokensField] = req.max_output_tokens;
      if (req.seed !== undefined) {
        if (quirks.seedField === null) warnings.push(`${id} does not take "seed"; it was not sent`);
        else body[quirks.seedField] = req.seed;
      }
      if (req.user !== undefined) {
        if (quirks.user) body.user = req.user;
        else warnings.push(`${id} does not take "user"; it was not sent`);
      }
      // Usage is always asked for, so every streamed call can be costed; the client sees it only if it asked.
      if (req.stream && quirks.streamUsage === "stream_options") body.stream_options = { include_usage: true };
      return {
        request: {
          url: joinUrl(base(ctx.env), "chat/completions"),
          headers: {
            ...authHeaders(ctx.env),
            "content-type": "application/json",
            accept: req.stream ? "text/event-stream" : "application/json",
          },
          body,
        },
        warnings,
      };
    },

    parseChatResponse(json: unknown): ChatResult {
      const parsed = ChatResponseSchema.safeParse(json);
      if (!parsed.success)
        throw malformed(id, `unreadable completion: ${parsed.error.issues[0]?.message ?? "invalid"}`);
      const choice = parsed.data.choices[0]!;
      const toolCalls = (choice.message.tool_calls ?? []).map((c) => ({
        id: c.id,
        name: c.function.name,
        arguments: c.function.arguments,
      }));
      const text = contentText(choice.message.content);
      return {
        model: parsed.data.model,
        content: text === "" && toolCalls.length > 0 ? null : text,
        tool_calls: toolCalls,
        finish_reason: mapOpenAIFinishReason(choice.finish_reason, toolCalls.length > 0),
        usage: parsed.data.usage ? toCanonicalUsage(parsed.data.usage) : null,
      };
    },

    async *parseStream(messages: AsyncIterable<WireMessage>): AsyncGenerator<StreamEvent> {
      const started = new Set<number>();
      let finished = false;
      let usage = false;
      for await (const message of messages) {
        if (message.data === "[DONE]") {
          yield { type: "end" };
          return;
        }
        let json: unknown;
        try {
          json = JSON.parse(message.data);
        } catch {
          throw malformed(id, "a stream chunk was not valid JSON");
        }
        const error = ErrorBodySchema.safeParse(json);
        if (error.success && error.data.error !== undefined) {
          const e = error.data.error;
          throw new ProviderError({
            kind: "stream",
            provider: id,
            message: typeof e.message === "string" ? e.message : `${id} reported an error mid-stream`,
            code: e.code === null || e.code === undefined ? null : String(e.code),
          });
        }
        const chunk = ChunkSchema.safeParse(json);
        if (!chunk.success)
          throw malformed(id, `unreadable stream chunk: ${chunk.error.issues[0]?.message ?? "invalid"}`);
        // noUncheckedIndexedAccess: usage-only chunks arrive with `choices: []`.
        const choice = chunk.data.choices[0];
        const delta = choice?.delta;
        const text = contentText(delta?.content);
        if (text !== "") yield { type: "text", text };
        for (const call of delta?.tool_calls ?? []) {
          if (!started.has(call.index)) {
            if (!call.id || !call.function?.name) throw malformed(id, "a tool call started without an id and a name");
            started.add(call.index);
            yield { type: "tool_call_start", index: call.index, id: call.id, name: call.function.name };
          }
          const args = call.function?.arguments;
          if (args) yield { type: "tool_call_delta", index: call.index, arguments: args };
        }
        // Together repeats finish_reason on its usage chunk: the first one counts.
        if (choice?.finish_reason && !finished) {
          finished = true;
          yield { type: "finish", finish_reason: mapOpenAIFinishReason(choice.finish_reason, started.size > 0) };
        }
        if (chunk.data.usage && !usage) {
          usage = true;
          yield { type: "usage", usage: toCanonicalUsage(chunk.data.usage) };
        }
      }
    },

    parseError: (status, headers, body, now) => parseOpenAICompatibleError(id, status, headers, body, now),

    probeRequest: (env) => ({ url: joinUrl(base(env), "models"), headers: authHeaders(env) }),
  };
}

function mapMessage(m: ChatMessage, quirks: OpenAICompatibleQuirks): ChatMessage {
  if (m.role === "developer" && !quirks.developerRole) return { role: "system", content: m.content };
  return m;
}

function malformed(provider: ProviderId, message: string): ProviderError {
  return new ProviderError({ kind: "malformed", provider, message });
}
