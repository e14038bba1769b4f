// After a context_length_exceeded: how large the window that overflowed was, so only a larger one is tried next.
import type { ProviderError } from "../core/errors.ts";
import type { Candidate } from "../routing/plan-types.ts";

/**
 * The maximum a provider's context-length error states, in each provider's wording (test/fixtures, SOURCES.md):
 * - OpenAI and OpenAI-compatible servers: "This model's maximum context length is 4097 tokens. However, ..."
 * - Anthropic: "prompt is too long: 208310 tokens > 200000 maximum"
 * - Mistral: "Prompt contains 40000 tokens and 0 draft tokens, too large for model with 32768 maximum context length"
 * - Together: "`inputs` tokens + `max_new_tokens` must be <= 8193. Given: ..."
 * Ollama states no number ("the input length exceeds the context length"): null.
 */
const WORDINGS: RegExp[] = [
  /maximum context length is (\d[\d,]*) tokens/i,
  /tokens? > (\d[\d,]*) maximum/i,
  /with (\d[\d,]*) maximum context length/i,
  /must be <= (\d[\d,]*)/i,
  /context (?:length|window) (?:of|is) (\d[\d,]*)/i,
];

export function statedWindow(message: string): number | null {
  for (const wording of WORDINGS) {
    const match = wording.exec(message);
    if (match?.[1] === undefined) continue;
    const n = Number(match[1].replaceAll(",", ""));
    if (Number.isSafeInteger(n) && n > 0) return n;
  }
  return null;
}

/**
 * The window the request overflowed on `candidate`: its registry window, else the maximum its error states; 0 when
 * neither is known (then any other candidate may be larger, and is worth trying).
 */
export function overflowedWindow(candidate: Candidate, err: ProviderError): number {
  return candidate.ref.entry?.context_window ?? statedWindow(err.message) ?? 0;
}
