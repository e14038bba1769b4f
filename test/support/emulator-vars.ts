// The gateway variables that point every provider at the emulator: its base URLs and dummy keys it only checks for.
export type BaseUrls = Record<"openai" | "anthropic" | "mistral" | "together" | "ollama", string>;

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

/** `label` marks the dummy keys so a test can prove no key leaks into a page or a log. */
export function emulatorVars(urls: Partial<BaseUrls>, label: string): Record<string, string> {
  return {
    OPENAI_API_KEY: `sk-${label}-openai`,
    ANTHROPIC_API_KEY: `sk-ant-${label}`,
    MISTRAL_API_KEY: `${label}-mistral`,
    TOGETHER_API_KEY: `${label}-together`,
    OPENAI_BASE_URL: urls.openai ?? "",
    ANTHROPIC_BASE_URL: urls.anthropic ?? "",
    MISTRAL_BASE_URL: urls.mistral ?? "",
    TOGETHER_BASE_URL: urls.together ?? "",
    OLLAMA_BASE_URL: urls.ollama ?? "",
  };
}
