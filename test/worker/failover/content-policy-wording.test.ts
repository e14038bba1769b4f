// docs/failover.md "content policy | content_policy | no | stop: 400 to the caller, no other provider sees the
// prompt" (DESIGN "Failure semantics": a content-policy refusal is the caller's fault, not retried) for each provider's
// own refusal wording as the emulator plays it.
import { describe, expect, it } from "vitest";
import { body, completionCalls } from "../failover/helpers.ts";
import { chat, newSession, type ProviderId } from "../gateway.ts";

const CASES: { provider: ProviderId; model: string; next: string; nextProvider: ProviderId }[] = [
  { provider: "openai", model: "openai/gpt-4o-mini", next: "mistral/mistral-small-latest", nextProvider: "mistral" },
  { provider: "mistral", model: "mistral/mistral-small-latest", next: "openai/gpt-4o-mini", nextProvider: "openai" },
  {
    provider: "anthropic",
    model: "anthropic/claude-haiku-4-5-20251001",
    next: "openai/gpt-4o-mini",
    nextProvider: "openai",
  },
  { provider: "ollama", model: "ollama/llama3", next: "openai/gpt-4o-mini", nextProvider: "openai" },
];

describe("a content-policy refusal stops the walk", () => {
  for (const c of CASES) {
    it(`${c.provider}: 400 to the caller, ${c.nextProvider} never sees the prompt`, async () => {
      const s = await newSession({ faults: [{ provider: c.provider, mode: "content_policy" }] });
      const res = await chat(s.env, body([c.model, c.next]));
      await res.json();
      expect(await completionCalls(s, c.nextProvider)).toHaveLength(0);
      expect(res.status).toBe(400);
    });
  }
});
