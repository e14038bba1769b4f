// The hand check of the common OpenAI-compatible stream chunk reads exactly what ChunkSchema reads, and hands
// everything else (tool calls, usage, content parts, wrong types) to the schema.
import { describe, expect, it } from "vitest";
import { toCanonicalUsage } from "../../../src/providers/openai-compatible/usage.ts";
import { ChunkSchema, plainChunk, plainUsageChunk } from "../../../src/providers/openai-compatible/wire.ts";

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

const withUsage = [
  { choices: [], usage: { prompt_tokens: 3, completion_tokens: 1 } },
  {
    id: "c",
    model: "gpt-4o-mini",
    choices: [],
    usage: {
      prompt_tokens: 9,
      completion_tokens: 20,
      total_tokens: 29,
      prompt_tokens_details: { cached_tokens: 4, cache_write_tokens: 2 },
      completion_tokens_details: { reasoning_tokens: 5 },
    },
  },
  {
    choices: [{ index: 0, delta: {}, finish_reason: "stop" }],
    usage: { prompt_tokens: 3, completion_tokens: 1, cached_tokens: 2 },
  },
  {
    choices: [],
    usage: { prompt_tokens: 0, completion_tokens: 0, prompt_tokens_details: null, completion_tokens_details: null },
  },
];

const brokenUsage = [
  { choices: [], usage: { prompt_tokens: 3 } },
  { choices: [], usage: { prompt_tokens: 3, completion_tokens: -1 } },
  { choices: [], usage: { prompt_tokens: 3, completion_tokens: 1.5 } },
  { choices: [], usage: { prompt_tokens: 3, completion_tokens: 2 ** 60 } },
  { choices: [], usage: { prompt_tokens: "3", completion_tokens: 1 } },
  { choices: [], usage: { prompt_tokens: 3, completion_tokens: 1, cached_tokens: "2" } },
  {
    choices: [],
    usage: { prompt_tokens: 3, completion_tokens: 1, prompt_tokens_details: { cache_write_tokens: "2" } },
  },
  { choices: [], usage: { prompt_tokens: 3, completion_tokens: 1, prompt_tokens_details: [] } },
  {
    choices: [],
    usage: { prompt_tokens: 3, completion_tokens: 1, completion_tokens_details: { reasoning_tokens: -2 } },
  },
  { choices: [], usage: [] },
  { choices: "nope", usage: { prompt_tokens: 3, completion_tokens: 1 } },
  { model: 7, choices: [], usage: { prompt_tokens: 3, completion_tokens: 1 } },
];

/** Chunks with usage the schema takes but plainChunk would not (tool calls): the schema reads them. */
const notPlain = [
  { choices: [{ index: 0, delta: { tool_calls: [] } }], usage: { prompt_tokens: 3, completion_tokens: 1 } },
  {
    choices: [{ index: 0, delta: { content: [{ type: "text", text: "Hi" }] } }],
    usage: { prompt_tokens: 3, completion_tokens: 1 },
  },
];

describe("plainUsageChunk", () => {
  it("reads a chunk with a plain usage as ChunkSchema does", () => {
    for (const chunk of withUsage) {
      expect(plainChunk(chunk)).toBeNull();
      const read = plainUsageChunk(chunk);
      expect(read).not.toBeNull();
      const schema = ChunkSchema.parse(chunk);
      expect(read!.choices.map((c) => [c.delta?.content ?? null, c.finish_reason ?? null])).toEqual(
        schema.choices.map((c) => [c.delta?.content ?? null, c.finish_reason ?? null]),
      );
      expect(toCanonicalUsage(read!.usage!)).toEqual(toCanonicalUsage(schema.usage!));
      expect(read!.usage!.cached_tokens ?? null).toEqual(schema.usage!.cached_tokens ?? null);
      expect(read!.model).toEqual(schema.model);
    }
  });

  it("leaves a chunk without usage to plainChunk, and a usage the schema refuses to the schema", () => {
    for (const chunk of plain) expect(plainUsageChunk(chunk)).toBeNull();
    for (const chunk of brokenUsage) {
      expect(plainUsageChunk(chunk)).toBeNull();
      expect(ChunkSchema.safeParse(chunk).success).toBe(false);
    }
    for (const chunk of notPlain) {
      expect(plainUsageChunk(chunk)).toBeNull();
      expect(ChunkSchema.safeParse(chunk).success).toBe(true);
    }
  });
});
