// Mistral: OpenAI-compatible, but it forbids unknown fields (422) and names a few things its own way.
import { createOpenAICompatibleAdapter } from "./openai-compatible/adapter.ts";
import { mapOpenAIFinishReason } from "./openai-compatible/finish-reason.ts";
import type { ProviderSpec } from "./spec.ts";

export const mistralSpec = {
  id: "mistral",
  env: { key: "MISTRAL_API_KEY", keys: "MISTRAL_API_KEYS", baseUrl: "MISTRAL_BASE_URL" },
  secrets: ["MISTRAL_API_KEY", "MISTRAL_API_KEYS"],
  requires: "key",
  // No prefix: 32 letters and digits, mixed case.
  keyPatterns: [/\b(?=[A-Za-z0-9]{0,31}[A-Z])(?=[A-Za-z0-9]{0,31}[a-z])(?=[A-Za-z0-9]{0,31}\d)[A-Za-z0-9]{32}\b/],
  capabilities: { streamFormat: "sse", local: false, serviceTiers: false },
} as const satisfies ProviderSpec<"mistral">;

type Msg = { role: string; tool_call_id?: string; tool_calls?: { id: string }[]; prefix?: boolean };

/**
 * Mistral takes a tool-call id of exactly nine letters and digits (a 400 "must be a-z, A-Z, 0-9, with a length of 9"
 * otherwise). Its own ids pass as they are; any other becomes nine base-36 digits of two hashes of it, the same each
 * time, so a call and its result still pair up.
 */
function toolId(id = ""): string {
  if (/^[a-zA-Z0-9]{9}$/.test(id)) return id;
  let a = 2166136261;
  let b = 5381;
  for (let i = 0; i < id.length; i++) {
    a = Math.imul(a ^ id.charCodeAt(i), 16777619);
    b = Math.imul(b, 33) + id.charCodeAt(i);
  }
  return `${(a >>> 0).toString(36)}${(b >>> 0).toString(36)}00000000`.slice(0, 9);
}

export const mistralAdapter = createOpenAICompatibleAdapter({
  spec: mistralSpec,
  defaultBaseUrl: "https://api.mistral.ai/v1",
  quirks: {
    // `max_completion_tokens` is refused with 422 extra_forbidden.
    maxTokensField: "max_tokens",
    // `stream_options` is refused with 422; usage rides on the finish chunk regardless.
    streamUsage: "always",
    seedField: "random_seed",
    developerRole: false,
    requiredToolChoice: "any",
    user: false,
    // No reasoning_effort (a 422); Magistral models reason on their own.
    reasoningEffort: false,
    messageName: false,
  },
  // Tool-call ids of another provider (call_…, toolu_…) become Mistral's kind, and a final assistant message is a
  // prefix to continue (prefill) only when it says so; without the flag Mistral refuses a conversation that ends with
  // the assistant.
  transformBody: (body) => {
    const messages = (body.messages as Msg[]).map((m) =>
      m.role === "tool"
        ? { ...m, tool_call_id: toolId(m.tool_call_id) }
        : m.tool_calls
          ? { ...m, tool_calls: m.tool_calls.map((c) => ({ ...c, id: toolId(c.id) })) }
          : m,
    );
    const last = messages.at(-1);
    if (last?.role === "assistant") messages[messages.length - 1] = { ...last, prefix: true };
    return { ...body, messages };
  },
  // The answer was cut by the model's context window.
  finishReason: (reason, hasToolCalls) =>
    mapOpenAIFinishReason(reason === "model_length" ? "length" : reason, hasToolCalls),
});
