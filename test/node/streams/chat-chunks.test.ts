// The chat encoder's delta chunks, written from a prefix computed once per answer, are the bytes the whole object
// serialised would be: the same keys in the same order, whatever the text.
import { describe, expect, it } from "vitest";
import { ChunkWriter } from "../../../src/dialects/chat/encoder.ts";

const text = new TextDecoder();

describe("ChunkWriter delta chunks", () => {
  it("are the serialised chunk object, the role on the first one only", () => {
    const writer = new ChunkWriter("chatcmpl-1", 1700000000, 'gpt-4o-mini "quoted"');
    const base = {
      id: "chatcmpl-1",
      object: "chat.completion.chunk",
      created: 1700000000,
      model: 'gpt-4o-mini "quoted"',
    };
    const line = (delta: unknown) =>
      `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: null }] })}\n\n`;
    expect(text.decode(writer.event({ type: "text", text: 'Hi \u2028 "there"\n' })!)).toBe(
      line({ role: "assistant", content: 'Hi \u2028 "there"\n' }),
    );
    expect(text.decode(writer.event({ type: "text", text: "ü😀" })!)).toBe(line({ content: "ü😀" }));
    expect(text.decode(writer.event({ type: "tool_call_delta", index: 0, arguments: '{"a":1}' })!)).toBe(
      line({ tool_calls: [{ index: 0, function: { arguments: '{"a":1}' } }] }),
    );
  });

  it("carry usage: null after choices when the client asked for the usage chunk, as OpenAI's do", () => {
    const writer = new ChunkWriter("chatcmpl-2", 1700000000, "gpt-4o-mini", true);
    const chunk = JSON.parse(text.decode(writer.event({ type: "text", text: "Hi" })!).slice("data: ".length));
    expect(chunk).toEqual({
      id: "chatcmpl-2",
      object: "chat.completion.chunk",
      created: 1700000000,
      model: "gpt-4o-mini",
      choices: [{ index: 0, delta: { role: "assistant", content: "Hi" }, logprobs: null, finish_reason: null }],
      usage: null,
    });
    expect(Object.keys(chunk)).toEqual(["id", "object", "created", "model", "choices", "usage"]);
  });
});
