// Every emulated provider by id; a missing or misspelt provider does not compile.
import type { ProviderEmulator, ProviderId } from "../types.ts";
import { anthropic } from "./anthropic.ts";
import { mistral } from "./mistral.ts";
import { ollama } from "./ollama.ts";
import { openai } from "./openai.ts";
import { together } from "./together.ts";

export const PROVIDERS = {
  openai,
  anthropic,
  mistral,
  together,
  ollama,
} as const satisfies Record<ProviderId, ProviderEmulator>;
