// Canonical types every adapter speaks: a request, a result, a small closed set of stream events, and usage.
import type { ProviderId } from "../config/schema.ts";
import type { ChatCompletionRequest, ChatMessage, ResponseFormat, Tool, ToolChoice } from "../http/openai-request.ts";

export type { ChatMessage, ProviderId, ResponseFormat, Tool, ToolChoice };

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
  stream: boolean;
}

export function toCanonical(body: ChatCompletionRequest): CanonicalRequest {
  const stop =
    body.stop === undefined || body.stop === null ? undefined : typeof body.stop === "string" ? [body.stop] : body.stop;
  return {
    messages: body.messages,
    tools: body.tools,
    tool_choice: body.tool_choice,
    parallel_tool_calls: body.parallel_tool_calls,
    response_format: body.response_format,
    temperature: body.temperature ?? undefined,
    top_p: body.top_p ?? undefined,
    presence_penalty: body.presence_penalty ?? undefined,
    frequency_penalty: body.frequency_penalty ?? undefined,
    stop,
    seed: body.seed ?? undefined,
    max_output_tokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
    user: body.user,
    stream: body.stream === true,
  };
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
}

export function totalPromptTokens(u: Usage): number {
  return u.input_tokens + u.cached_input_tokens + u.cache_write_tokens;
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
  tool_calls: ToolCall[];
  finish_reason: FinishReason;
  usage: Usage | null;
}

/** The closed set of events a streaming adapter emits. Failures are thrown as ProviderError, never emitted. */
export type StreamEvent =
  | { type: "text"; text: string }
  | { type: "tool_call_start"; index: number; id: string; name: string }
  | { type: "tool_call_delta"; index: number; arguments: string }
  | { type: "finish"; finish_reason: FinishReason }
  | { type: "usage"; usage: Usage }
  /** The upstream stream ended properly ([DONE], message_stop, done:true). */
  | { type: "end" };
