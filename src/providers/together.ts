// Together AI: OpenAI-compatible; usage (with top-level cached_tokens) rides on the finish chunk, `eos` means stop.
import { createOpenAICompatibleAdapter } from "./openai-compatible/adapter.ts";

export const togetherAdapter = createOpenAICompatibleAdapter({
  id: "together",
  defaultBaseUrl: "https://api.together.xyz/v1",
  apiKey: (env) => env.TOGETHER_API_KEY,
  baseUrl: (env) => env.TOGETHER_BASE_URL,
  quirks: {
    maxTokensField: "max_tokens",
    streamUsage: "stream_options",
    seedField: "seed",
    developerRole: false,
    requiredToolChoice: "required",
    user: true,
  },
});
