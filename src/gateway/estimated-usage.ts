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

  /** Text, tool names and arguments, and any other streamed text (e.g. reasoning) count; every piece is >= 1 token. */
  note(e: StreamEvent): void {
    if (e.type === "text") {
      // Nearly every event: its one string, without walking the event's fields.
      if (e.text !== "" && this.#pending.push(e.text) >= PENDING_PIECES) this.#count();
      return;
    }
    if (e.type === "finish") this.#finish.push(e.finish_reason);
    if (e.type === "finish" || e.type === "usage" || e.type === "end") return;
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

  #count(): void {
    for (const piece of this.#pending) this.#tokens += Math.max(1, estimateTextTokens(piece));
    this.#pending.length = 0;
  }

  /** The finish reasons the stream reported (one per leg that finished), for the request's trace. */
  finishReasons(): string[] {
    return [...this.#finish];
  }
}

/** Pieces of streamed text held before they are counted (a few KiB of references at most). */
const PENDING_PIECES = 256;

/**
 * The estimate: prompt tokens from the estimator (as the planner counts them), output tokens as streamed, at least one
 * and at most the output the budget held for (the request's max tokens, else the model's maximum).
 */
export function estimatedUsage(request: CanonicalRequest, ref: ModelRef, streamed: StreamedTokens): Usage {
  const maxOutput = ref.entry?.max_output ?? Number.POSITIVE_INFINITY;
  const allowance = Math.min(request.max_output_tokens ?? maxOutput, maxOutput);
  return {
    input_tokens: estimatePromptTokens(request),
    output_tokens: Math.max(1, Math.min(streamed.tokens, allowance)),
    cached_input_tokens: 0,
    cache_write_tokens: 0,
  };
}

/**
 * The estimate for a whole answer whose provider sent no usage (an OpenAI-compatible `usage: null`, an embeddings
 * answer without `prompt_tokens`): prompt tokens from the estimator, output tokens counted from the answer's text,
 * tool calls and reasoning, at most the output the budget held for. An answer with no output counts none.
 */
export function estimatedResultUsage(request: CanonicalRequest, ref: ModelRef, result: ChatResult): Usage {
  const maxOutput = ref.entry?.max_output ?? Number.POSITIVE_INFINITY;
  const allowance = Math.min(request.max_output_tokens ?? maxOutput, maxOutput);
  const pieces = [
    result.content ?? "",
    ...result.tool_calls.flatMap((call) => [call.name, call.arguments]),
    ...(result.reasoning ?? []).map((part) => (part.type === "thinking" ? part.thinking : "")),
  ];
  const output = pieces.reduce((sum, piece) => sum + (piece === "" ? 0 : Math.max(1, estimateTextTokens(piece))), 0);
  return {
    input_tokens: estimatePromptTokens(request),
    output_tokens: Math.min(Math.ceil(output), allowance),
    cached_input_tokens: 0,
    cache_write_tokens: 0,
  };
}
