// Canonical types every adapter and dialect speaks: a request, a result, a small closed set of stream events, usage.
import type { ProviderId } from "../config/schema.ts";
import type { ChatMessage, ReasoningPart, ResponseFormat, Tool, ToolChoice } from "./messages.ts";

export type { ChatMessage, ProviderId, ReasoningPart, ResponseFormat, Tool, ToolChoice };

/**
 * What an adapter is asked to send. Messages, tools and formats keep OpenAI's shapes (the lingua franca our
 * clients speak); every field a provider may not take is optional, and `undefined` means "the client did not say".
 */
export interface CanonicalRequest {
  messages: ChatMessage[];
  tools?: Tool[];
  tool_choice?: ToolChoice;
  parallel_tool_calls?: boolean;
  response_format?: ResponseFormat;
  temperature?: number;
  top_p?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
  stop?: string[];
  seed?: number;
  /** max_tokens or max_completion_tokens, whichever the client sent. */
  max_output_tokens?: number;
  user?: string;
  /** Only sampling from the top K options (Anthropic, Ollama; others ignore it with a warning). */
  top_k?: number;
  /**
   * How hard the model should think: an effort (OpenAI's reasoning_effort / reasoning.effort) or a token budget
   * (Anthropic's thinking.budget_tokens); each adapter maps whichever it got to its provider's own control.
   */
  reasoning?: Reasoning;
  /**
   * OpenAI's `service_tier` (flex: cheaper, slower; priority: dearer, faster): sent to providers that offer it, and
   * priced with the registry's multiplier for it (configs/models.yml `service_tiers`).
   */
  service_tier?: RequestServiceTier;
  /** Anthropic beta features the caller asked for (the Messages dialect's `anthropic-beta` header): sent to Anthropic. */
  anthropic_beta?: string[];
  stream: boolean;
}

/** `fast` is OpenAI's newer name for `priority` (Fast mode, 2026-07-30): both are accepted, and priced alike. */
export type RequestServiceTier = "auto" | "default" | "flex" | "priority" | "fast";

/** OpenAI's reasoning efforts (its SDK's `ReasoningEffort`, 2026-12-07: `xhigh` and `max` for its newest models). */
export type ReasoningEffort = "minimal" | "low" | "medium" | "high" | "xhigh" | "max";
export interface Reasoning {
  effort?: ReasoningEffort;
  budget_tokens?: number;
  /** The client asked for thinking to be off (Anthropic's `thinking: {type: "disabled"}`). */
  disabled?: boolean;
  /** Anthropic's adaptive thinking (the model decides how much); `effort` holds the portable reading of it. */
  adaptive?: boolean;
}

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter";

export interface Usage {
  /** Prompt tokens billed at the full input price (cache reads and writes excluded). */
  input_tokens: number;
  output_tokens: number;
  /** Prompt tokens served from the provider's cache (billed at the cached-input price). */
  cached_input_tokens: number;
  /** Prompt tokens written to the provider's cache (Anthropic bills them at their own price). */
  cache_write_tokens: number;
  /** Of cache_write_tokens, those written with a 1-hour TTL (Anthropic bills them at 2x input, 5-minute at 1.25x). */
  cache_write_1h_tokens?: number;
  /** Of output_tokens, those the model spent reasoning (already counted in output_tokens, billed as output). */
  reasoning_tokens?: number;
  /**
   * The tier the provider says it served the call at (OpenAI's answer names it: `default`, `flex`, `priority`): what
   * the call is priced at, whatever tier was asked for.
   */
  service_tier?: string;
}

export function totalPromptTokens(u: Usage): number {
  return u.input_tokens + u.cached_input_tokens + u.cache_write_tokens;
}

/**
 * Prompt-cache writes (Anthropic's cache_control), which OpenAI's usage has no field for: named beside cached_tokens
 * when there were any, so every dialect reports what the ledger bills (Messages has cache_creation_input_tokens).
 */
export function cacheWrites(u: Usage): { cache_write_tokens?: number; cache_write_1h_tokens?: number } {
  if (u.cache_write_tokens === 0) return {};
  return {
    cache_write_tokens: u.cache_write_tokens,
    ...(u.cache_write_1h_tokens ? { cache_write_1h_tokens: u.cache_write_1h_tokens } : {}),
  };
}

export interface ToolCall {
  id: string;
  name: string;
  /** JSON text of the arguments, as OpenAI carries them. */
  arguments: string;
}

export interface ChatResult {
  /** The model name the provider reported. */
  model: string;
  content: string | null;
  /**
   * The model's refusal, where the provider says it apart from the answer (OpenAI's `refusal`, given instead of
   * content when a model declines a structured output): each dialect carries it in its own field.
   */
  refusal?: string;
  tool_calls: ToolCall[];
  finish_reason: FinishReason;
  usage: Usage | null;
  /** The model's reasoning, where the provider returns it (Anthropic's thinking blocks, with their signatures). */
  reasoning?: ReasoningPart[];
  /** The caller's stop sequence that ended the answer, where the provider says which (Anthropic's stop_sequence). */
  stop_sequence?: string;
}

/** The closed set of events a streaming adapter emits. Failures are thrown as ProviderError, never emitted. */
export type StreamEvent =
  | { type: "text"; text: string }
  /** The model's refusal as it streams (OpenAI's `delta.refusal`): content, shown in the dialect's refusal field. */
  | { type: "refusal"; text: string }
  | { type: "tool_call_start"; index: number; id: string; name: string }
  | { type: "tool_call_delta"; index: number; arguments: string }
  /** The model's reasoning as it streams (Anthropic's thinking_delta), and the signature that seals a thinking block. */
  | { type: "reasoning"; text: string }
  | { type: "reasoning_signature"; signature: string }
  /** A thinking block the provider encrypted (Anthropic's redacted_thinking): handed back whole, never shown. */
  | { type: "reasoning_redacted"; data: string }
  | { type: "finish"; finish_reason: FinishReason; stop_sequence?: string }
  | { type: "usage"; usage: Usage }
  /**
   * The prompt's tokens as the provider counted them when the stream began (Anthropic's message_start; output 0):
   * what a stream cut off before its usage is billed for its prompt, instead of the gateway's estimate.
   */
  | { type: "prompt_usage"; usage: Usage }
  /** The upstream stream ended properly ([DONE], message_stop, done:true). */
  | { type: "end" };
