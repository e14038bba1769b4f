// Mistral: OpenAI-compatible, but it forbids unknown fields (422) and names a few things its own way.
import { createOpenAICompatibleAdapter } from "./openai-compatible/adapter.ts";
import { mapOpenAIFinishReason } from "./openai-compatible/finish-reason.ts";
import type { ProviderSpec } from "./spec.ts";

export const mistralSpec = {
  id: "mistral",
  env: { key: "MISTRAL_API_KEY", keys: "MISTRAL_API_KEYS", baseUrl: "MISTRAL_BASE_URL" },
  secrets: ["MISTRAL_API_KEY", "MISTRAL_API_KEYS"],
  requires: "key",
  // No prefix: 32 letters and digits, mixed case.
  keyPatterns: [/\b(?=[A-Za-z0-9]{0,31}[A-Z])(?=[A-Za-z0-9]{0,31}[a-z])(?=[A-Za-z0-9]{0,31}\d)[A-Za-z0-9]{32}\b/],
  capabilities: { streamFormat: "sse", local: false },
} as const satisfies ProviderSpec<"mistral">;

export const mistralAdapter = createOpenAICompatibleAdapter({
  spec: mistralSpec,
  defaultBaseUrl: "https://api.mistral.ai/v1",
  quirks: {
    // `max_completion_tokens` is refused with 422 extra_forbidden.
    maxTokensField: "max_tokens",
    // `stream_options` is refused with 422; usage rides on the finish chunk regardless.
    streamUsage: "always",
    seedField: "random_seed",
    developerRole: false,
    requiredToolChoice: "any",
    user: false,
    // No reasoning_effort (a 422); Magistral models reason on their own.
    reasoningEffort: false,
    serviceTier: false,
  },
  // A final assistant message is a prefix to continue (prefill) only when it says so; without the flag Mistral refuses
  // a conversation that ends with the assistant.
  transformBody: (body) => {
    const messages = body.messages as { role: string }[];
    const last = messages.at(-1);
    if (last?.role !== "assistant") return body;
    return { ...body, messages: [...messages.slice(0, -1), { ...last, prefix: true }] };
  },
  // The answer was cut by the model's context window.
  finishReason: (reason, hasToolCalls) =>
    mapOpenAIFinishReason(reason === "model_length" ? "length" : reason, hasToolCalls),
});
