// The registry of provider declarations: env typing, redaction, health and the tests' provider lists read it.
import { PROVIDER_IDS, type ProviderId } from "../config/names.ts";
import { anthropicSpec } from "./anthropic/adapter.ts";
import { mistralSpec } from "./mistral.ts";
import { ollamaSpec } from "./ollama/adapter.ts";
import { openaiSpec } from "./openai.ts";
import type { ProviderEnvOf, ProviderSpec } from "./spec.ts";
import { togetherSpec } from "./together.ts";

/** Each id maps to its own declaration; a missing, extra or misfiled provider does not compile. */
export const PROVIDER_SPECS = {
  openai: openaiSpec,
  anthropic: anthropicSpec,
  mistral: mistralSpec,
  together: togetherSpec,
  ollama: ollamaSpec,
} as const satisfies { [Id in ProviderId]: ProviderSpec<Id> };

export type ProviderSpecs = typeof PROVIDER_SPECS;

/**
 * The variables the providers read (keys, key lists, base URLs, the Ollama Access token), typed from the
 * declarations: a provider added above is typed here, and in the Worker's Env, with no edit.
 */
export type ProviderEnv = ProviderEnvOf<ProviderSpecs>;

/** The declarations in PROVIDER_IDS order (the order health and listings show them in). */
export const SPEC_LIST: readonly ProviderSpec<ProviderId>[] = PROVIDER_IDS.map((id) => PROVIDER_SPECS[id]);

export function specOf(provider: ProviderId): ProviderSpec<ProviderId> {
  return PROVIDER_SPECS[provider];
}
