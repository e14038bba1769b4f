// The hand check of the common OpenAI-compatible stream chunk reads exactly what ChunkSchema reads, and hands
// everything else (tool calls, usage, content parts, wrong types) to the schema.
import { describe, expect, it } from "vitest";
import { ChunkSchema, plainChunk } from "../../../src/providers/openai-compatible/wire.ts";

const plain = [
  { id: "c", object: "chat.completion.chunk", model: "gpt-4o-mini", choices: [{ index: 0, delta: { content: "Hi" } }] },
  { choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null, logprobs: null }] },
  { model: "m", choices: [{ index: 0, delta: {}, finish_reason: "stop" }], usage: null },
  { choices: [{ index: 0, delta: null, finish_reason: "length" }] },
  { choices: [] },
  { choices: [{ index: 0, delta: { content: null, tool_calls: null } }], system_fingerprint: "fp" },
];

const others = [
  { choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: "t", function: { name: "f", arguments: "" } }] } }] },
  { choices: [], usage: { prompt_tokens: 3, completion_tokens: 1 } },
  { choices: [{ index: 0, delta: { content: [{ type: "text", text: "Hi" }] } }] },
  { model: null, choices: [] },
  {},
  { choices: "nope" },
  { choices: [{ index: 0, delta: { content: 7 } }] },
  { choices: [{ index: 0, delta: [], finish_reason: null }] },
  { choices: [{ index: 0, finish_reason: 3 }] },
  [],
  null,
  "text",
];

describe("plainChunk", () => {
  it("reads a plain chunk as ChunkSchema does", () => {
    for (const chunk of plain) {
      const read = plainChunk(chunk);
      expect(read).not.toBeNull();
      const schema = ChunkSchema.parse(chunk);
      expect(read!.choices.map((c) => [c.delta?.content ?? null, c.finish_reason ?? null])).toEqual(
        schema.choices.map((c) => [c.delta?.content ?? null, c.finish_reason ?? null]),
      );
      expect(read!.usage ?? null).toEqual(schema.usage ?? null);
      expect(read!.model).toEqual(schema.model);
    }
  });

  it("leaves everything else to ChunkSchema", () => {
    for (const chunk of others) expect(plainChunk(chunk)).toBeNull();
  });
});
