// Usage for an answer without the provider's own count (a stream cut off, stalled or left by its client; a JSON answer
// that carried none): what was sent is estimated, what was answered is counted, so such an answer is still billed.
import type { CanonicalRequest, ChatResult, StreamEvent, Usage } from "../core/types.ts";
import type { ModelRef } from "../registry/model-registry.ts";
import { estimatePromptTokens, estimateTextTokens } from "../routing/tokens.ts";

/**
 * Counts the output tokens of a stream as its events pass. The count is needed only when the provider reports no usage
 * (a stream cut off, stalled or left), so the pieces of text wait, up to PENDING_PIECES of them, and are counted when
 * the count is read or the wait is full: a stream whose provider reports its usage is rarely counted at all.
 */
export class StreamedTokens {
  #tokens = 0;
  readonly #pending: string[] = [];
  readonly #finish: string[] = [];
  /** The prompt as the provider counted it at the start of the stream (the last leg's), when it says. */
  prompt: Usage | null = null;
  /** The reasoning text's share of the output, counted apart (a provider may report the output without it). */
  #reasoning = 0;

  /** Text, tool names and arguments, and any other streamed text (e.g. reasoning) count; every piece is >= 1 token. */
  note(e: StreamEvent): void {
    if (e.type === "text") {
      // Nearly every event: its one string, without walking the event's fields.
      if (e.text !== "" && this.#pending.push(e.text) >= PENDING_PIECES) this.#count();
      return;
    }
    if (e.type === "usage") {
      // The client and the ledger read the same usage: with the reasoning's share where the provider gave none.
      (e as { usage: Usage }).usage = withReasoningShare(e.usage, this.#reasoning);
      return;
    }
    if (e.type === "reasoning" && e.text !== "") this.#reasoning += Math.max(1, estimateTextTokens(e.text));
    if (e.type === "finish") this.#finish.push(e.finish_reason);
    if (e.type === "prompt_usage") this.prompt = e.usage;
    if (e.type === "finish" || e.type === "prompt_usage" || e.type === "end") return;
    for (const [field, value] of Object.entries(e)) {
      if (field === "type" || field === "id" || field === "signature" || typeof value !== "string" || value === "")
        continue;
      // Providers stream a token or more per piece: a piece never counts as less than one.
      this.#tokens += Math.max(1, estimateTextTokens(value));
    }
  }

  get tokens(): number {
    this.#count();
    return Math.ceil(this.#tokens);
  }

  get reasoningTokens(): number {
    return Math.ceil(this.#reasoning);
  }

  #count(): void {
    for (const piece of this.#pending) this.#tokens += Math.max(1, estimateTextTokens(piece));
    this.#pending.length = 0;
  }

  /** The finish reasons the stream reported (one per leg that finished), for the request's trace. */
  finishReasons(): string[] {
    return [...this.#finish];
  }
}

/**
 * The usage with its reasoning share, where the provider reported the output but not how much of it went to
 * reasoning (Anthropic's thinking, Mistral's thinking parts, an open model's reasoning field): the estimator's count of
 * the reasoning text, at most the whole output. The usage itself where there is nothing to add.
 */
export function withReasoningShare(usage: Usage, reasoningTokens: number): Usage {
  if (usage.reasoning_tokens !== undefined || reasoningTokens <= 0) return usage;
  return { ...usage, reasoning_tokens: Math.min(Math.ceil(reasoningTokens), usage.output_tokens) };
}

/** The estimator's count of a whole answer's reasoning text. */
export function reasoningTokensOf(result: ChatResult): number {
  let tokens = 0;
  for (const part of result.reasoning ?? [])
    if (part.type === "thinking" && part.thinking !== "") tokens += Math.max(1, estimateTextTokens(part.thinking));
  return tokens;
}

/** Pieces of streamed text held before they are counted (a few KiB of references at most). */
const PENDING_PIECES = 256;

/**
 * The estimate: the prompt as the provider counted it at the start of the stream (Anthropic's message_start), else
 * from the estimator (as the planner counts it); output tokens as streamed, at least one and at most the output the
 * budget held for (the request's max tokens, else the model's maximum).
 */
export function estimatedUsage(request: CanonicalRequest, ref: ModelRef, streamed: StreamedTokens): Usage {
  const maxOutput = ref.entry?.max_output ?? Number.POSITIVE_INFINITY;
  const allowance = Math.min(request.max_output_tokens ?? maxOutput, maxOutput);
  const output_tokens = Math.max(1, Math.min(streamed.tokens, allowance));
  const { reasoning_tokens: _, ...prompt } = streamed.prompt ?? {
    input_tokens: estimatePromptTokens(request),
    output_tokens,
    cached_input_tokens: 0,
    cache_write_tokens: 0,
  };
  return withReasoningShare({ ...prompt, output_tokens }, streamed.reasoningTokens);
}

/**
 * The estimate for a whole answer whose provider sent no usage (an OpenAI-compatible `usage: null`, an embeddings
 * answer without `prompt_tokens`): prompt tokens from the estimator, output tokens counted from the answer's text,
 * tool calls and reasoning, at most the output the budget held for. An answer with no output counts none.
 */
export function estimatedResultUsage(
  request: CanonicalRequest,
  ref: ModelRef,
  result: ChatResult,
  /** The prompt's tokens where the dialect counts them itself (embeddings); absent: the estimator's. */
  promptTokens = estimatePromptTokens(request),
): Usage {
  const maxOutput = ref.entry?.max_output ?? Number.POSITIVE_INFINITY;
  const allowance = Math.min(request.max_output_tokens ?? maxOutput, maxOutput);
  const pieces = [
    result.content ?? "",
    ...result.tool_calls.flatMap((call) => [call.name, call.arguments]),
    ...(result.reasoning ?? []).map((part) => (part.type === "thinking" ? part.thinking : "")),
  ];
  const output = pieces.reduce((sum, piece) => sum + (piece === "" ? 0 : Math.max(1, estimateTextTokens(piece))), 0);
  return {
    input_tokens: promptTokens,
    output_tokens: Math.min(Math.ceil(output), allowance),
    cached_input_tokens: 0,
    cache_write_tokens: 0,
  };
}
