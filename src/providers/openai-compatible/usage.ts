// Converts OpenAI-compatible usage (cached tokens inside prompt_tokens) to canonical usage (cached split out).
import type { Usage } from "../../core/types.ts";
import type { WireUsage } from "./wire.ts";

/** OpenAI's usage: cached tokens in prompt_tokens_details, counted inside prompt_tokens. */
export function toCanonicalUsage(u: WireUsage, cached = u.prompt_tokens_details?.cached_tokens ?? 0): Usage {
  return {
    input_tokens: Math.max(0, u.prompt_tokens - cached),
    output_tokens: u.completion_tokens,
    cached_input_tokens: Math.min(cached, u.prompt_tokens),
    cache_write_tokens: 0,
    // Reasoning tokens are inside completion_tokens (billed as output); carried so the answer can report them.
    ...(u.completion_tokens_details?.reasoning_tokens != null
      ? { reasoning_tokens: u.completion_tokens_details.reasoning_tokens }
      : {}),
  };
}
