// The gateway variables that point every provider at the emulator: its base URLs and dummy keys it only checks for.
// The variable names come from the providers' declarations (src/providers/specs.ts).
import type { ProviderId } from "../../src/config/schema.ts";
import { SPEC_LIST } from "../../src/providers/specs.ts";

export type BaseUrls = Record<ProviderId, string>;

/** Base URLs of the emulator's session-less routes (a session's come from POST /__emulator/sessions). */
export function sessionlessBaseUrls(emulatorUrl: string): BaseUrls {
  return {
    openai: `${emulatorUrl}/openai/v1`,
    anthropic: `${emulatorUrl}/anthropic`,
    mistral: `${emulatorUrl}/mistral/v1`,
    together: `${emulatorUrl}/together/v1`,
    ollama: `${emulatorUrl}/ollama`,
  };
}

/** Dummy keys in the provider's own shape where it has one; the others are `<label>-<provider>`. */
const KEY_SHAPES: { readonly [Id in ProviderId]?: (label: string) => string } = {
  openai: (label) => `sk-${label}-openai`,
  anthropic: (label) => `sk-ant-${label}`,
};

/** `label` marks the dummy keys so a test can prove no key leaks into a page or a log. */
export function emulatorVars(urls: Partial<BaseUrls>, label: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const spec of SPEC_LIST) {
    if (spec.env.key !== undefined) vars[spec.env.key] = KEY_SHAPES[spec.id]?.(label) ?? `${label}-${spec.id}`;
  }
  for (const spec of SPEC_LIST) vars[spec.env.baseUrl] = urls[spec.id] ?? "";
  return vars;
}
