// The most a request can cost on a model: what a budget holds before the call, so concurrency can never overspend.
import type { CanonicalRequest } from "../core/types.ts";
import type { ModelRef } from "../registry/model-registry.ts";
import { maxOutputPicoPerToken, maxPromptPicoPerToken, pricedServiceTier, tierOn } from "./cost.ts";

/** Chat templates wrap each message in a few special tokens; no provider we route to adds more than this. */
const PER_MESSAGE_TOKENS = 16;
/** Tool use adds a provider-side system preamble on top of the definitions themselves (Anthropic's is ~350). */
const TOOLS_PREAMBLE_TOKENS = 512;
/** The largest image any of our providers bills (Anthropic: ~1,600 for a 1.15 MP image; OpenAI high detail less). */
const IMAGE_TOKENS = 2_000;

/**
 * An upper bound on prompt tokens, not an estimate: every tokenizer we route to (byte-level BPE, SentencePiece with
 * byte fallback) spends at least one UTF-8 byte per token, so bytes bound tokens. The planner's chars/4 estimate
 * can be short for code or non-Latin text, and a hold that is short is how budgets get overspent.
 */
export function worstCasePromptTokens(req: CanonicalRequest): number {
  const encoder = new TextEncoder();
  let tokens = 0;
  for (const m of req.messages) {
    tokens += PER_MESSAGE_TOKENS;
    const content = m.content;
    if (typeof content === "string") tokens += encoder.encode(content).length;
    else if (Array.isArray(content)) {
      for (const part of content) tokens += part.type === "text" ? encoder.encode(part.text).length : IMAGE_TOKENS;
    }
    if (m.role === "assistant")
      for (const c of m.tool_calls ?? [])
        tokens += encoder.encode(c.function.name + c.function.arguments).length + PER_MESSAGE_TOKENS;
  }
  if (req.tools !== undefined && req.tools.length > 0)
    tokens += encoder.encode(JSON.stringify(req.tools)).length + TOOLS_PREAMBLE_TOKENS;
  return tokens;
}

/**
 * Pico-dollars a request can cost at most on this model: every prompt token at the dearest prompt price (Anthropic
 * bills cache writes above input) and the full output allowance (the client's max tokens, else the model's maximum).
 * Infinity for an unpriced model: its cost cannot be bounded, so a budget cannot admit it.
 */
export function worstCasePico(ref: ModelRef, promptTokens: number, req: CanonicalRequest): number {
  const entry = ref.entry;
  if (entry === null) return Number.POSITIVE_INFINITY;
  // The dearest band (a long-context tier) and service tier the request can land in: a hold that is short is how
  // budgets get overspent.
  const tier = tierOn(ref.provider, pricedServiceTier(req.service_tier));
  const promptPrice = maxPromptPicoPerToken(entry.pricing, tier);
  const output = Math.min(req.max_output_tokens ?? entry.max_output, entry.max_output);
  return promptTokens * promptPrice + output * maxOutputPicoPerToken(entry.pricing, tier);
}
