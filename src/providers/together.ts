// Together AI: OpenAI-compatible; usage (with top-level cached_tokens) rides on the finish chunk, `eos` means stop.
import { createOpenAICompatibleAdapter } from "./openai-compatible/adapter.ts";
import { toCanonicalUsage } from "./openai-compatible/usage.ts";
import type { ProviderSpec } from "./spec.ts";

export const togetherSpec = {
  id: "together",
  env: { key: "TOGETHER_API_KEY", keys: "TOGETHER_API_KEYS", baseUrl: "TOGETHER_BASE_URL" },
  secrets: ["TOGETHER_API_KEY", "TOGETHER_API_KEYS"],
  requires: "key",
  // tgp_v1_... today; 64 hex characters before.
  keyPatterns: [/\btgp_v1_[A-Za-z0-9_-]{8,}/, /\b[a-f0-9]{64}\b/],
  capabilities: { streamFormat: "sse", local: false, serviceTiers: false },
} as const satisfies ProviderSpec<"together">;

export const togetherAdapter = createOpenAICompatibleAdapter({
  spec: togetherSpec,
  defaultBaseUrl: "https://api.together.xyz/v1",
  // `eos` is OpenAI's default case (a stop); only the max-tokens field and the developer role differ.
  // reasoning_effort is not part of Together's documented chat API; its reasoning models think unasked.
  quirks: { maxTokensField: "max_tokens", developerRole: false, reasoningEffort: false },
  // Cached tokens at the top level of usage, not in prompt_tokens_details.
  usage: (u) => toCanonicalUsage(u, u.cached_tokens ?? u.prompt_tokens_details?.cached_tokens ?? 0),
});
