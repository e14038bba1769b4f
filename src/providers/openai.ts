// OpenAI: the reference OpenAI-compatible API; every quirk default is its behaviour.
import { createOpenAICompatibleAdapter } from "./openai-compatible/adapter.ts";
import type { ProviderSpec } from "./spec.ts";

export const openaiSpec = {
  id: "openai",
  env: { key: "OPENAI_API_KEY", keys: "OPENAI_API_KEYS", baseUrl: "OPENAI_BASE_URL" },
  secrets: ["OPENAI_API_KEY", "OPENAI_API_KEYS"],
  requires: "key",
  // sk-..., sk-proj-..., sk-svcacct-..., sk-admin-... (also shown masked: sk-proj-****wxyz).
  keyPatterns: [/\bsk-[A-Za-z0-9_*-]{4,}/],
  capabilities: { streamFormat: "sse", local: false, serviceTiers: true },
} as const satisfies ProviderSpec<"openai">;

export const openaiAdapter = createOpenAICompatibleAdapter({
  spec: openaiSpec,
  defaultBaseUrl: "https://api.openai.com/v1",
});
