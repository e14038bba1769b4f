// StreamedTokens: what a stream without the provider's usage is billed for. Its text pieces are counted when the count
// is read (or once enough of them wait), and the count is the same however many pieces came and whenever it is read.
import { describe, expect, it } from "vitest";
import type { StreamEvent } from "../../../src/core/types.ts";
import { StreamedTokens } from "../../../src/gateway/estimated-usage.ts";
import { estimateTextTokens } from "../../../src/routing/tokens.ts";

const pieceTokens = (pieces: string[]) => pieces.reduce((sum, p) => sum + Math.max(1, estimateTextTokens(p)), 0);

describe("StreamedTokens", () => {
  it("counts every text piece as at least one token, and nothing for finish, usage and end", () => {
    const streamed = new StreamedTokens();
    const events: StreamEvent[] = [
      { type: "text", text: "Hello" },
      { type: "text", text: "," },
      { type: "text", text: "" },
      { type: "text", text: " a considerably longer piece of text, with punctuation and 12345 digits" },
      { type: "finish", finish_reason: "stop" },
      { type: "usage", usage: { input_tokens: 1, output_tokens: 1, cached_input_tokens: 0, cache_write_tokens: 0 } },
      { type: "end" },
    ];
    for (const e of events) streamed.note(e);
    expect(streamed.tokens).toBe(
      Math.ceil(pieceTokens(["Hello", ",", " a considerably longer piece of text, with punctuation and 12345 digits"])),
    );
    expect(streamed.finishReasons()).toEqual(["stop"]);
  });

  it("gives the same count for a long stream read once at the end, read along the way, or read twice", () => {
    const pieces = Array.from({ length: 1000 }, (_, i) => (i % 7 === 0 ? " naïve" : i % 5 === 0 ? "42" : " tok"));
    const atEnd = new StreamedTokens();
    const along = new StreamedTokens();
    const seen: number[] = [];
    for (const [i, text] of pieces.entries()) {
      atEnd.note({ type: "text", text });
      along.note({ type: "text", text });
      if (i % 100 === 99) seen.push(along.tokens);
    }
    const expected = Math.ceil(pieceTokens(pieces));
    expect(atEnd.tokens).toBe(expected);
    expect(atEnd.tokens).toBe(expected);
    expect(along.tokens).toBe(expected);
    // Read along the way, the count only grows, and each reading is what had come by then.
    expect(seen).toEqual(seen.map((_, k) => Math.ceil(pieceTokens(pieces.slice(0, (k + 1) * 100)))));
  });

  it("counts tool names and arguments and reasoning as they come, beside the text", () => {
    const streamed = new StreamedTokens();
    streamed.note({ type: "tool_call_start", index: 0, id: "call_1", name: "get_weather" });
    streamed.note({ type: "tool_call_delta", index: 0, arguments: '{"city":"Paris"}' });
    streamed.note({ type: "reasoning", text: "Let me think." });
    streamed.note({ type: "text", text: "Sunny." });
    expect(streamed.tokens).toBe(
      Math.ceil(pieceTokens(["get_weather", '{"city":"Paris"}', "Let me think.", "Sunny."])),
    );
  });
});
