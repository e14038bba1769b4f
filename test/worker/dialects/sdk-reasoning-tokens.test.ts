// DESIGN, Reasoning across providers: "Reasoning tokens are reported (`reasoning_tokens`) and billed as output."
// Through the Vercel AI SDK's Responses model, an answer with reasoning reports its share of the output tokens, also
// where the upstream gives no breakdown (Anthropic's thinking, Magistral, gpt-oss on Together, Ollama's think).
import { generateText, streamText } from "ai";
import { describe, expect, it } from "vitest";
import { newSession } from "../gateway.ts";
import { ADMIN, openaiFor } from "./ai-sdk-helpers.ts";

const REASONERS = [
  "anthropic/claude-sonnet-4-5",
  "mistral/magistral-medium-latest",
  "together/openai/gpt-oss-120b",
  "ollama/deepseek-r1",
];

describe("AI SDK (Responses): reasoning tokens are reported when the answer reasons", () => {
  for (const model of REASONERS)
    for (const stream of [false, true])
      it(`${model}${stream ? " (streamText)" : " (generateText)"}`, async () => {
        const s = await newSession({}, { ADMIN_KEY: ADMIN });
        const opts = {
          model: openaiFor(s).responses(model),
          prompt: "Think it through: what is 17 * 23?",
          maxRetries: 0,
          providerOptions: { openai: { forceReasoning: true, reasoningEffort: "high", reasoningSummary: "auto" } },
        } as const;
        const r = stream ? streamText(opts) : await generateText(opts);
        const [reasoning, usage] = await Promise.all([r.reasoningText, r.usage]);
        expect(reasoning?.length ?? 0).toBeGreaterThan(0);
        expect(usage.outputTokenDetails.reasoningTokens ?? 0, JSON.stringify(usage.raw)).toBeGreaterThan(0);
      });
});
