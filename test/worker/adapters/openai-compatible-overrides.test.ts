// An OpenAI-compatible provider names only what differs from OpenAI: absent quirks, usage reader, finish-reason
// mapping and body transform are OpenAI's; each one named replaces just that.
import { describe, expect, it } from "vitest";
import type { CanonicalRequest } from "../../../src/core/types.ts";
import { openaiSpec } from "../../../src/providers/openai.ts";
import { createOpenAICompatibleAdapter, OPENAI_QUIRKS } from "../../../src/providers/openai-compatible/adapter.ts";

const REQUEST: CanonicalRequest = {
  messages: [
    { role: "developer", content: "be brief" },
    { role: "user", content: "hi" },
  ],
  stream: false,
  max_output_tokens: 10,
  seed: 7,
  user: "u-1",
  tools: [{ type: "function", function: { name: "lookup", parameters: { type: "object" } } }],
  tool_choice: "required",
};
const TARGET = { upstreamId: "m-1", entry: null };
const CTX = { env: { OPENAI_API_KEY: "sk-test-overrides" }, newId: (p: string) => `${p}_1` };
const ANSWER = {
  model: "m-1",
  choices: [{ message: { content: "ok" }, finish_reason: "eos_token" }],
  usage: { prompt_tokens: 10, completion_tokens: 2, cached_tokens: 4 },
};

describe("OpenAI-compatible overrides", () => {
  it("with none named, a provider gets OpenAI's behaviour", () => {
    const adapter = createOpenAICompatibleAdapter({ spec: openaiSpec, defaultBaseUrl: "https://upstream.test/v1" });
    const { body } = adapter.buildChatRequest(REQUEST, TARGET, CTX).request;
    expect(body).toMatchObject({ max_completion_tokens: 10, seed: 7, user: "u-1", tool_choice: "required" });
    expect((body.messages as { role: string }[])[0]?.role).toBe("developer");
    const result = adapter.parseChatResponse(ANSWER, CTX);
    // OpenAI's usage reader does not know a top-level cached_tokens; an unknown finish reason is a stop.
    expect(result.usage).toEqual({ input_tokens: 10, output_tokens: 2, cached_input_tokens: 0, cache_write_tokens: 0 });
    expect(result.finish_reason).toBe("stop");
    expect(OPENAI_QUIRKS.maxTokensField).toBe("max_completion_tokens");
  });

  it("each named override replaces only its part", () => {
    const adapter = createOpenAICompatibleAdapter({
      spec: openaiSpec,
      defaultBaseUrl: "https://upstream.test/v1",
      quirks: { maxTokensField: "max_tokens", developerRole: false },
      usage: (u) => ({
        input_tokens: u.prompt_tokens,
        output_tokens: 0,
        cached_input_tokens: 0,
        cache_write_tokens: 0,
      }),
      finishReason: (reason) => (reason === "eos_token" ? "length" : "stop"),
      transformBody: (body) => ({ ...body, safe_mode: true }),
    });
    const { body } = adapter.buildChatRequest(REQUEST, TARGET, CTX).request;
    expect(body).toMatchObject({ max_tokens: 10, seed: 7, user: "u-1", safe_mode: true });
    expect(body).not.toHaveProperty("max_completion_tokens");
    expect((body.messages as { role: string }[])[0]?.role).toBe("system");
    const result = adapter.parseChatResponse(ANSWER, CTX);
    expect(result.usage?.input_tokens).toBe(10);
    expect(result.finish_reason).toBe("length");
  });
});
