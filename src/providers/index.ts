// The typed registry of provider adapters: a missing or misspelt provider does not compile.
import type { ProviderId } from "../config/schema.ts";
import type { ProviderAdapter } from "./adapter.ts";
import { anthropicAdapter } from "./anthropic/adapter.ts";
import { mistralAdapter } from "./mistral.ts";
import { ollamaAdapter } from "./ollama/adapter.ts";
import { openaiAdapter } from "./openai.ts";
import { togetherAdapter } from "./together.ts";

export const ADAPTERS = {
  openai: openaiAdapter,
  anthropic: anthropicAdapter,
  mistral: mistralAdapter,
  together: togetherAdapter,
  ollama: ollamaAdapter,
} as const satisfies Record<ProviderId, ProviderAdapter>;

export function adapterFor(provider: ProviderId): ProviderAdapter {
  return ADAPTERS[provider];
}
