// The hand check of the common OpenAI-compatible JSON answer accepts only what ChatResponseSchema accepts, reads the
// same fields from it, and hands everything else (content parts, wrong types, no choice) to the schema.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { plainAnswer } from "../../../src/providers/openai-compatible/plain-answer.ts";
import { ChatResponseSchema } from "../../../src/providers/openai-compatible/wire.ts";

const fixture = (path: string): unknown =>
  JSON.parse(readFileSync(join(import.meta.dirname, "../../fixtures", path), "utf8"));

const recorded = [
  "openai/chat-completion-text.json",
  "openai/chat-completion-tool-calls.json",
  "mistral/chat-completion.json",
  "mistral/chat-completion-tool-call.json",
  "together/chat-completion.json",
].map(fixture);

const base = {
  id: "chatcmpl-1",
  object: "chat.completion",
  model: "gpt-4o-mini",
  choices: [{ index: 0, message: { role: "assistant", content: "Hi" }, finish_reason: "stop" }],
  usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
};

/** What the adapter reads of an answer, for comparing the two readers. */
function read(a: ReturnType<typeof ChatResponseSchema.parse>) {
  return {
    model: a.model,
    choices: a.choices.map((c) => ({
      content: c.message.content ?? null,
      tool_calls: (c.message.tool_calls ?? []).map((t) => [t.id, t.function.name, t.function.arguments]),
      finish_reason: c.finish_reason ?? null,
    })),
    usage:
      a.usage == null
        ? null
        : {
            prompt: a.usage.prompt_tokens,
            completion: a.usage.completion_tokens,
            cached: a.usage.prompt_tokens_details?.cached_tokens ?? a.usage.cached_tokens ?? null,
            reasoning: a.usage.completion_tokens_details?.reasoning_tokens ?? null,
          },
  };
}

/** Every way of replacing one field of `value` (at any depth) with a value of another type. */
function* mutations(value: unknown): Generator<unknown> {
  const odd: unknown[] = [null, undefined, 7, -1, 1.5, "x", true, [], {}, [{}]];
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++)
      for (const m of mutations(value[i])) yield value.map((v, j) => (j === i ? m : v));
    yield [];
  } else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      for (const o of odd) yield { ...value, [k]: o };
      for (const m of mutations(v)) yield { ...value, [k]: m };
    }
  }
}

describe("plainAnswer", () => {
  it("reads the recorded answers of OpenAI, Mistral and Together as the schema does", () => {
    for (const answer of recorded) {
      const hand = plainAnswer(answer);
      expect(hand).not.toBeNull();
      expect(read(hand!)).toEqual(read(ChatResponseSchema.parse(answer)));
    }
  });

  it("never accepts what the schema refuses, and reads what both accept alike", () => {
    let accepted = 0;
    let refused = 0;
    const answers = [base, ...recorded].flatMap((a) => [...mutations(a)]);
    expect(answers.length).toBeGreaterThan(500);
    for (const answer of answers) {
      const hand = plainAnswer(answer);
      const schema = ChatResponseSchema.safeParse(answer);
      if (hand === null) {
        refused++;
        continue;
      }
      accepted++;
      expect(schema.success, JSON.stringify(answer)).toBe(true);
      if (schema.success) expect(read(hand)).toEqual(read(schema.data));
    }
    // Both sides are exercised: most mutations break a checked field, many touch only fields nobody reads.
    expect(accepted).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(50);
  });

  it("leaves content parts, a missing choice and broken usage to the schema", () => {
    const parts = {
      ...base,
      choices: [{ message: { content: [{ type: "text", text: "Hi" }] }, finish_reason: "stop" }],
    };
    expect(plainAnswer(parts)).toBeNull();
    expect(ChatResponseSchema.safeParse(parts).success).toBe(true);
    expect(plainAnswer({ ...base, choices: [] })).toBeNull();
    expect(plainAnswer({ ...base, usage: { prompt_tokens: 3 } })).toBeNull();
    expect(plainAnswer({ ...base, usage: { prompt_tokens: 3, completion_tokens: 2 ** 60 } })).toBeNull();
    // Every usage field the schema checks, the cache writes' count too: a broken one is the schema's to refuse.
    const brokenWrite = { ...base.usage, prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: "12" } };
    expect(plainAnswer({ ...base, usage: brokenWrite })).toBeNull();
    expect(ChatResponseSchema.safeParse({ ...base, usage: brokenWrite }).success).toBe(false);
    const write = { ...base.usage, prompt_tokens_details: { cache_write_tokens: 12 } };
    expect(plainAnswer({ ...base, usage: write })).not.toBeNull();
  });
});
