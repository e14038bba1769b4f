// The typed registry of embeddings calls: every provider that serves embeddings (Anthropic does not).
import type { ProviderId } from "../config/schema.ts";
import type { EmbeddingAdapter } from "./embedding-adapter.ts";
import { mistralSpec } from "./mistral.ts";
import { ollamaEmbeddings } from "./ollama/embeddings.ts";
import { openaiSpec } from "./openai.ts";
import { createOpenAICompatibleEmbeddings } from "./openai-compatible/embeddings.ts";
import { togetherSpec } from "./together.ts";

export const EMBEDDING_ADAPTERS = {
  openai: createOpenAICompatibleEmbeddings({ spec: openaiSpec, defaultBaseUrl: "https://api.openai.com/v1" }),
  // Mistral's own name for shortening is output_dimension; `user` would be a 422 extra_forbidden.
  mistral: createOpenAICompatibleEmbeddings({
    spec: mistralSpec,
    defaultBaseUrl: "https://api.mistral.ai/v1",
    quirks: { dimensionsField: "output_dimension", user: false },
  }),
  // Together documents model and input only, and answers floats.
  together: createOpenAICompatibleEmbeddings({
    spec: togetherSpec,
    defaultBaseUrl: "https://api.together.xyz/v1",
    quirks: { dimensionsField: null, base64: false },
  }),
  ollama: ollamaEmbeddings,
} as const satisfies Record<Exclude<ProviderId, "anthropic">, EmbeddingAdapter>;

export function embeddingAdapterFor(provider: ProviderId): EmbeddingAdapter | null {
  return provider === "anthropic" ? null : EMBEDDING_ADAPTERS[provider];
}
