// One adapter for every OpenAI-compatible API; OpenAI, Mistral and Together are configurations of it.
import type { ProviderId } from "../../config/schema.ts";
import { ProviderError } from "../../core/errors.ts";
import type { CanonicalRequest, ChatMessage, ChatResult, FinishReason, Usage } from "../../core/types.ts";
import { type AdapterContext, type BuiltRequest, joinUrl, type ModelTarget, type ProviderAdapter } from "../adapter.ts";
import { effortForBudget, withoutCacheControl } from "../cache-control.ts";
import { apiKeysOf, baseUrlOf, isConfigured, type ProviderSpec } from "../spec.ts";
import type { ProviderEnv } from "../specs.ts";
import { toolResultText } from "../text-content.ts";
import { parseOpenAICompatibleError, readOpenAIError } from "./errors.ts";
import { mapOpenAIFinishReason } from "./finish-reason.ts";
import { plainAnswer } from "./plain-answer.ts";
import { toCanonicalUsage } from "./usage.ts";
import {
  ChatResponseSchema,
  ChunkSchema,
  contentReasoning,
  contentText,
  fieldReasoning,
  plainChunk,
  plainUsageChunk,
  thinkingText,
  type WireUsage,
} from "./wire.ts";

/** Where a provider's API differs from OpenAI's. Each field is one named quirk; an absent one is OpenAI's way. */
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
  /** Whether `reasoning_effort` is taken (OpenAI's reasoning models); elsewhere a reasoning ask is a warning. */
  reasoningEffort: boolean;
  /** Whether a message may carry a participant `name` (Mistral refuses it on every message: 422 extra_forbidden). */
  messageName: boolean;
}

/** OpenAI's own behaviour: what a provider gets for every quirk it does not name. */
export const OPENAI_QUIRKS: OpenAICompatibleQuirks = {
  maxTokensField: "max_completion_tokens",
  streamUsage: "stream_options",
  seedField: "seed",
  developerRole: true,
  requiredToolChoice: "required",
  user: true,
  reasoningEffort: true,
  messageName: true,
};

export interface OpenAICompatibleConfig {
  spec: ProviderSpec<ProviderId>;
  defaultBaseUrl: string;
  /** Only the quirks that differ from OpenAI's. */
  quirks?: Partial<OpenAICompatibleQuirks>;
  /** Reads the wire usage; default: OpenAI's (cached tokens in prompt_tokens_details, counted inside prompt_tokens). */
  usage?: (usage: WireUsage) => Usage;
  /** Maps the wire finish reason; default: OpenAI's set, anything else a stop (or tool_calls when there are some). */
  finishReason?: (reason: string | null | undefined, hasToolCalls: boolean) => FinishReason;
  /** Last word on the body sent upstream (fields the provider adds or renames beyond the quirks). */
  transformBody?: (body: Record<string, unknown>, req: CanonicalRequest) => Record<string, unknown>;
}

export function createOpenAICompatibleAdapter(config: OpenAICompatibleConfig): ProviderAdapter {
  const { spec } = config;
  const id = spec.id;
  const quirks: OpenAICompatibleQuirks = { ...OPENAI_QUIRKS, ...config.quirks };
  const usageOf = config.usage ?? toCanonicalUsage;
  const finishOf = config.finishReason ?? mapOpenAIFinishReason;
  const transform = config.transformBody ?? ((body) => body);
  const base = (env: ProviderEnv) => baseUrlOf(spec, env, config.defaultBaseUrl);
  const authHeaders = (env: ProviderEnv) => ({ authorization: `Bearer ${apiKeysOf(spec, env)[0] ?? ""}` });

  return {
    id,
    streamFormat: spec.capabilities.streamFormat,
    configured: (env) => isConfigured(spec, env),

    buildChatRequest(asked: CanonicalRequest, target: ModelTarget, ctx: AdapterContext): BuiltRequest {
      const warnings: string[] = [];
      const { req, warning } = withoutCacheControl(asked, id);
      if (warning !== null) warnings.push(warning);
      const body: Record<string, unknown> = {
        model: target.upstreamId,
        messages: sentMessages(req.messages, quirks, id, warnings),
        stream: req.stream,
      };
      // OpenAI refuses an empty tools array, and tool_choice or parallel_tool_calls without tools; Anthropic's Messages
      // and OpenAI's Responses take both, so a client of theirs may send them.
      const tools = req.tools !== undefined && req.tools.length > 0 ? req.tools : undefined;
      if (tools !== undefined) body.tools = tools;
      if (req.tool_choice !== undefined) {
        if (tools !== undefined)
          body.tool_choice = req.tool_choice === "required" ? quirks.requiredToolChoice : req.tool_choice;
        else if (req.tool_choice !== "auto" && req.tool_choice !== "none")
          warnings.push(
            `tool_choice ${JSON.stringify(req.tool_choice)} names no tool the request offers; it was not sent`,
          );
      }
      if (req.parallel_tool_calls !== undefined && tools !== undefined)
        body.parallel_tool_calls = req.parallel_tool_calls;
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
      if (req.service_tier !== undefined) {
        // Whether the provider takes it is its declaration's (spec.capabilities), which the pricing reads too.
        if (spec.capabilities.serviceTiers) body.service_tier = req.service_tier;
        // auto and default are what every provider does anyway: not sent, nothing to say.
        else if (req.service_tier !== "auto" && req.service_tier !== "default")
          warnings.push(`${id} does not take "service_tier"; it was not sent (billed at standard prices)`);
      }
      if (req.reasoning !== undefined) reasoningField(req, target, body, warnings, quirks.reasoningEffort, id);
      if (req.top_k !== undefined) warnings.push(`${id} does not take "top_k"; it was not sent`);
      if (req.anthropic_beta !== undefined)
        warnings.push(`anthropic-beta (${req.anthropic_beta.join(",")}) is for Anthropic; it was not sent to ${id}`);
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
          body: transform(body, req),
        },
        warnings,
      };
    },

    parseChatResponse(json: unknown): ChatResult {
      let data = plainAnswer(json);
      if (data === null) {
        const parsed = ChatResponseSchema.safeParse(json);
        if (!parsed.success)
          throw malformed(id, `unreadable completion: ${parsed.error.issues[0]?.message ?? "invalid"}`);
        data = parsed.data;
      }
      const choice = data.choices[0]!;
      if (choice.finish_reason === "error") throw answerFailed(id);
      const toolCalls = (choice.message.tool_calls ?? []).map((c) => ({
        id: c.id,
        name: c.function.name,
        arguments: c.function.arguments,
      }));
      const text = contentText(choice.message.content);
      const thought = fieldReasoning(choice.message) + contentReasoning(choice.message.content);
      const refusal = choice.message.refusal ?? "";
      return {
        model: data.model,
        content: text === "" && (toolCalls.length > 0 || refusal !== "") ? null : text,
        ...(refusal === "" ? {} : { refusal }),
        tool_calls: toolCalls,
        finish_reason: finishOf(choice.finish_reason, toolCalls.length > 0),
        usage: data.usage ? servedAt(usageOf(data.usage), data.service_tier) : null,
        ...(thought === "" ? {} : { reasoning: [{ type: "thinking", thinking: thought }] }),
      };
    },

    streamDecoder() {
      /**
       * The calls started, by the index the wire gives them: each the canonical index it streams as and its id. A
       * server that streams parallel calls all at index 0 (vLLM, SGLang) starts each with its own id: a new id at an
       * index already started is the next call, not more of the last one.
       */
      const started = new Map<number, { index: number; id: string }>();
      let calls = 0;
      let finished = false;
      let usage = false;
      return (message, out) => {
        if (message.data === "[DONE]") {
          out.push({ type: "end" });
          return;
        }
        let json: unknown;
        try {
          json = "json" in message ? message.json : JSON.parse(message.data);
        } catch {
          throw malformed(id, "a stream chunk was not valid JSON");
        }
        // An error object mid-stream: the same reader as a non-2xx answer's body.
        if (typeof json === "object" && json !== null && "error" in json) {
          const e = readOpenAIError(json);
          throw new ProviderError({
            kind: "stream",
            provider: id,
            message: e?.message ?? `${id} reported an error mid-stream`,
            code: e?.code ?? null,
          });
        }
        let data = plainChunk(json) ?? plainUsageChunk(json);
        if (data === null) {
          const chunk = ChunkSchema.safeParse(json);
          if (!chunk.success)
            throw malformed(id, `unreadable stream chunk: ${chunk.error.issues[0]?.message ?? "invalid"}`);
          data = chunk.data;
        }
        // noUncheckedIndexedAccess: usage-only chunks arrive with `choices: []`.
        const choice = data.choices[0];
        const delta = choice?.delta;
        if (delta) {
          const reasoning = fieldReasoning(delta);
          if (reasoning !== "") out.push({ type: "reasoning", text: reasoning });
          if (delta.refusal) out.push({ type: "refusal", text: delta.refusal });
          const content = delta.content;
          if (typeof content === "string") {
            if (content !== "") out.push({ type: "text", text: content });
          } else if (content) {
            // Content parts in their order: Magistral's thinking parts are reasoning, text parts the answer.
            for (const part of content) {
              const text = part.type === "text" ? (part.text ?? "") : "";
              if (text !== "") out.push({ type: "text", text });
              const thought = thinkingText(part);
              if (thought !== "") out.push({ type: "reasoning", text: thought });
            }
          }
        }
        for (const call of delta?.tool_calls ?? []) {
          let current = started.get(call.index);
          if (current === undefined || (call.id && call.id !== current.id)) {
            if (!call.id || !call.function?.name) throw malformed(id, "a tool call started without an id and a name");
            current = { index: calls++, id: call.id };
            started.set(call.index, current);
            out.push({ type: "tool_call_start", index: current.index, id: call.id, name: call.function.name });
          }
          const args = call.function?.arguments;
          if (args) out.push({ type: "tool_call_delta", index: current.index, arguments: args });
        }
        // Together repeats finish_reason on its usage chunk: the first one counts.
        if (choice?.finish_reason && !finished) {
          // Mistral's "error": the answer failed midway, and is no finished answer.
          if (choice.finish_reason === "error") throw answerFailed(id);
          finished = true;
          out.push({ type: "finish", finish_reason: finishOf(choice.finish_reason, calls > 0) });
        }
        if (data.usage && !usage) {
          usage = true;
          out.push({ type: "usage", usage: servedAt(usageOf(data.usage), data.service_tier) });
        }
      };
    },

    parseError: (status, headers, body, now) => parseOpenAICompatibleError(id, status, headers, body, now),

    probeRequest: (env) => ({ url: joinUrl(base(env), "models"), headers: authHeaders(env) }),
  };
}

/**
 * The conversation as this wire takes it. An assistant turn with no text and no tool calls (a Messages client's empty
 * or thinking-only prefill, a turn whose only content was reasoning) is refused by these providers, so it is left out,
 * and said.
 */
function sentMessages(
  messages: readonly ChatMessage[],
  quirks: OpenAICompatibleQuirks,
  id: ProviderId,
  warnings: string[],
): ChatMessage[] {
  const out: ChatMessage[] = [];
  let dropped = 0;
  let named = 0;
  for (const m of messages) {
    if (m.role === "assistant" && (m.tool_calls?.length ?? 0) === 0 && isEmptyText(m.content)) dropped++;
    else if (!quirks.messageName && "name" in m && m.name !== undefined) {
      named++;
      const { name: _, ...rest } = m;
      out.push(mapMessage(rest as ChatMessage, quirks));
    } else out.push(mapMessage(m, quirks));
  }
  if (dropped > 0) warnings.push(`${dropped} assistant turn(s) with no text and no tool calls were not sent to ${id}`);
  if (named > 0) warnings.push(`${id} takes no participant name; the "name" of ${named} message(s) was not sent`);
  return out;
}

function isEmptyText(content: ChatMessage["content"] | undefined): boolean {
  if (content === undefined || content === null) return true;
  if (typeof content === "string") return content === "";
  return content.every((p) => p.type === "text" && p.text === "");
}

function mapMessage(m: ChatMessage, quirks: OpenAICompatibleQuirks): ChatMessage {
  if (m.role === "developer" && !quirks.developerRole) return { role: "system", content: m.content };
  // Reasoning handed back (a thinking block, a stored turn's reasoning) has no field on this wire; Mistral would
  // refuse an unknown one. The canonical turn keeps it; the body sent upstream does not.
  if (m.role === "assistant" && m.reasoning !== undefined) {
    const { reasoning: _, ...rest } = m;
    return rest;
  }
  if (m.role === "tool" && m.is_error !== undefined)
    return { role: "tool", tool_call_id: m.tool_call_id, content: m.is_error ? toolResultText(m) : m.content };
  return m;
}

/** An answer its provider ended with finish_reason "error" (Mistral's): a failure, never a finished answer. */
function answerFailed(provider: ProviderId): ProviderError {
  return new ProviderError({
    kind: "stream",
    provider,
    message: `${provider} ended the answer with finish_reason "error"`,
  });
}

function malformed(provider: ProviderId, message: string): ProviderError {
  return new ProviderError({ kind: "malformed", provider, message });
}

/**
 * reasoning_effort from the canonical ask: an effort as given, a thinking budget as the nearest effort. A model the
 * registry says does not reason, or a provider without the field, gets nothing and the client a warning.
 */
function reasoningField(
  req: CanonicalRequest,
  target: ModelTarget,
  body: Record<string, unknown>,
  warnings: string[],
  takesEffort: boolean,
  provider: ProviderId,
): void {
  const r = req.reasoning;
  if (r === undefined) return;
  if (!takesEffort || (target.entry !== null && !target.entry.capabilities.includes("reasoning"))) {
    if (r.disabled !== true)
      warnings.push(`${provider}/${target.upstreamId} takes no reasoning setting; it was not sent`);
    return;
  }
  // Reasoning off is OpenAI's "none" (its current models take it; "minimal" still reasons).
  if (r.disabled === true) body.reasoning_effort = "none";
  else body.reasoning_effort = r.effort ?? effortForBudget(r.budget_tokens ?? 0);
}

/** The usage with the tier the answer says it was served at, where it names one (OpenAI's `service_tier`). */
function servedAt(usage: Usage, tier: unknown): Usage {
  return typeof tier === "string" && tier !== "" ? { ...usage, service_tier: tier } : usage;
}
