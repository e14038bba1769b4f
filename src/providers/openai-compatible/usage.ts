// Converts OpenAI-compatible usage (cache reads and writes inside prompt_tokens) to canonical usage (both split out).
import type { Usage } from "../../core/types.ts";
import type { WireUsage } from "./wire.ts";

/**
 * OpenAI's usage: cache reads (`cached_tokens`) and explicit cache writes (`cache_write_tokens`, GPT-5.6 and later) in
 * prompt_tokens_details, both counted inside prompt_tokens. Writes bill at the registry's cache_write price.
 */
export function toCanonicalUsage(u: WireUsage, cached = u.prompt_tokens_details?.cached_tokens ?? 0): Usage {
  const read = Math.min(cached, u.prompt_tokens);
  const written = Math.min(u.prompt_tokens_details?.cache_write_tokens ?? 0, u.prompt_tokens - read);
  return {
    input_tokens: Math.max(0, u.prompt_tokens - read - written),
    output_tokens: u.completion_tokens,
    cached_input_tokens: read,
    cache_write_tokens: written,
    // Reasoning tokens are inside completion_tokens (billed as output); carried so the answer can report them.
    ...(u.completion_tokens_details?.reasoning_tokens != null
      ? { reasoning_tokens: u.completion_tokens_details.reasoning_tokens }
      : {}),
  };
}
