// OpenAI: the reference OpenAI-compatible API.
import { createOpenAICompatibleAdapter } from "./openai-compatible/adapter.ts";

export const openaiAdapter = createOpenAICompatibleAdapter({
  id: "openai",
  defaultBaseUrl: "https://api.openai.com/v1",
  apiKey: (env) => env.OPENAI_API_KEY,
  baseUrl: (env) => env.OPENAI_BASE_URL,
  quirks: {
    // max_tokens is deprecated and refused by the o-series models.
    maxTokensField: "max_completion_tokens",
    // Usage arrives in a final chunk with `choices: []`.
    streamUsage: "stream_options",
    seedField: "seed",
    developerRole: true,
    requiredToolChoice: "required",
    user: true,
  },
});
