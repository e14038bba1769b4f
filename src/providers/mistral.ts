// Mistral: OpenAI-compatible, but it forbids unknown fields (422) and names a few things its own way.
import { createOpenAICompatibleAdapter } from "./openai-compatible/adapter.ts";

export const mistralAdapter = createOpenAICompatibleAdapter({
  id: "mistral",
  defaultBaseUrl: "https://api.mistral.ai/v1",
  apiKey: (env) => env.MISTRAL_API_KEY,
  baseUrl: (env) => env.MISTRAL_BASE_URL,
  quirks: {
    // `max_completion_tokens` is refused with 422 extra_forbidden.
    maxTokensField: "max_tokens",
    // `stream_options` is refused with 422; usage rides on the finish chunk regardless.
    streamUsage: "always",
    seedField: "random_seed",
    developerRole: false,
    requiredToolChoice: "any",
    user: false,
  },
});
