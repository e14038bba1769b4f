// Reasoning on the OpenAI-compatible and Ollama wires becomes canonical reasoning: Magistral's thinking parts (the
// recorded stream), `reasoning_content` / `reasoning` beside the content (Ollama's recorded /v1 answer), Ollama's
// `thinking`. The hand checks still take chunks and answers whose reasoning is a plain string.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { StreamEvent } from "../../../src/core/types.ts";
import { mistralAdapter } from "../../../src/providers/mistral.ts";
import { ollamaAdapter } from "../../../src/providers/ollama/adapter.ts";
import { plainAnswer } from "../../../src/providers/openai-compatible/plain-answer.ts";
import { ChatResponseSchema, ChunkSchema, plainChunk } from "../../../src/providers/openai-compatible/wire.ts";
import { togetherAdapter } from "../../../src/providers/together.ts";

const fixture = (path: string) => readFileSync(join(import.meta.dirname, "../../fixtures", path), "utf8");
const CTX = { env: {}, newId: (p: string) => `${p}_1` };

/** Every data: payload of a recorded SSE body, decoded as the gateway decodes a stream. */
function decodeSse(adapter: typeof mistralAdapter, sse: string): StreamEvent[] {
  const decode = adapter.streamDecoder(CTX);
  const out: StreamEvent[] = [];
  for (const block of sse.split("\n\n")) {
    const data = block.startsWith("data: ") ? block.slice(6) : null;
    if (data !== null) decode({ data }, out);
  }
  return out;
}

const joined = (events: StreamEvent[], type: "text" | "reasoning") =>
  events.map((e) => (e.type === type ? e.text : "")).join("");

describe("Magistral's thinking parts", () => {
  const sse = fixture("mistral/chat-completion-stream-magistral-thinking.sse");

  it("stream as reasoning events before the answer's text events", () => {
    const events = decodeSse(mistralAdapter, sse);
    const types = events.map((e) => e.type).filter((t, i, all) => t !== all[i - 1]);
    expect(types).toEqual(["reasoning", "text", "finish", "usage", "end"]);
    expect(joined(events, "reasoning")).toMatch(/^Okay, the user is asking how to cross the street\. I know/);
    expect(joined(events, "text")).toMatch(/safe crossing\.$/);
    expect(joined(events, "text")).not.toMatch(/Okay, the user/);
  });

  it("in a whole answer, become one thinking part beside the text", () => {
    const result = mistralAdapter.parseChatResponse(
      {
        model: "magistral-medium-latest",
        choices: [
          {
            message: {
              content: [
                {
                  type: "thinking",
                  thinking: [
                    { type: "text", text: "Think" },
                    { type: "text", text: " first." },
                  ],
                },
                { type: "text", text: "Answer." },
              ],
            },
            finish_reason: "stop",
          },
        ],
      },
      CTX,
    );
    expect(result.content).toBe("Answer.");
    expect(result.reasoning).toEqual([{ type: "thinking", thinking: "Think first." }]);
  });

  it("in one chunk with text keep their order", () => {
    const decode = mistralAdapter.streamDecoder(CTX);
    const out: StreamEvent[] = [];
    const content = [
      { type: "thinking", thinking: "Hm." },
      { type: "text", text: "Yes." },
    ];
    decode({ data: JSON.stringify({ choices: [{ index: 0, delta: { content } }] }) }, out);
    expect(out).toEqual([
      { type: "reasoning", text: "Hm." },
      { type: "text", text: "Yes." },
    ]);
  });
});

describe("reasoning beside the content", () => {
  it("Ollama's recorded /v1 answer: `reasoning` becomes the result's thinking", () => {
    const answer = JSON.parse(fixture("ollama/v1-chat-completion.json"));
    const result = togetherAdapter.parseChatResponse(answer, CTX);
    expect(result.reasoning?.[0]).toMatchObject({
      type: "thinking",
      thinking: expect.stringMatching(/^Okay, the user/),
    });
    expect(result.content).not.toMatch(/Okay, the user/);
  });

  it("`reasoning_content` streams as reasoning, once when a server sends both fields", () => {
    const decode = togetherAdapter.streamDecoder(CTX);
    const out: StreamEvent[] = [];
    const chunk = (delta: object) => ({ data: JSON.stringify({ choices: [{ index: 0, delta }] }) });
    decode(chunk({ reasoning_content: "Let me see.", content: "" }), out);
    decode(chunk({ reasoning_content: " Yes.", reasoning: " Yes." }), out);
    decode(chunk({ content: "4" }), out);
    expect(out).toEqual([
      { type: "reasoning", text: "Let me see." },
      { type: "reasoning", text: " Yes." },
      { type: "text", text: "4" },
    ]);
  });

  it("plain string reasoning keeps to the hand checks; anything else goes to the schemas", () => {
    const chunk = { choices: [{ index: 0, delta: { content: "", reasoning_content: "Hm" } }] };
    expect(plainChunk(chunk)?.choices[0]?.delta).toEqual(ChunkSchema.parse(chunk).choices[0]?.delta);
    expect(plainChunk({ choices: [{ index: 0, delta: { reasoning: { text: "Hm" } } }] })).toBeNull();
    const answer = { model: "m", choices: [{ message: { content: "4", reasoning: "Hm" }, finish_reason: "stop" }] };
    expect(plainAnswer(answer)?.choices[0]?.message.reasoning).toBe(
      ChatResponseSchema.parse(answer).choices[0]?.message.reasoning,
    );
    expect(plainAnswer({ ...answer, choices: [{ message: { content: "4", reasoning_content: 3 } }] })).toBeNull();
  });

  it("a reasoning field that is not text is a malformed chunk, as any wrong type is", () => {
    const decode = togetherAdapter.streamDecoder(CTX);
    expect(() => decode({ data: JSON.stringify({ choices: [{ index: 0, delta: { reasoning: 3 } }] }) }, [])).toThrow(
      /unreadable stream chunk/,
    );
  });
});

describe("Ollama's thinking", () => {
  it("streams as reasoning and lands in a whole answer as a thinking part", () => {
    const decode = ollamaAdapter.streamDecoder(CTX);
    const out: StreamEvent[] = [];
    const line = (message: object, done = false) => ({
      data: JSON.stringify({ model: "qwen3:0.6b", message: { role: "assistant", ...message }, done }),
    });
    decode(line({ content: "", thinking: "Two and two." }), out);
    decode(line({ content: "4" }), out);
    expect(out).toEqual([
      { type: "reasoning", text: "Two and two." },
      { type: "text", text: "4" },
    ]);
    const result = ollamaAdapter.parseChatResponse(
      { model: "qwen3:0.6b", message: { role: "assistant", content: "4", thinking: "Two and two." }, done: true },
      CTX,
    );
    expect(result).toMatchObject({ content: "4", reasoning: [{ type: "thinking", thinking: "Two and two." }] });
  });

  it("without thinking, a result has no reasoning field", () => {
    const result = ollamaAdapter.parseChatResponse(JSON.parse(fixture("ollama/api-chat.json")), CTX);
    expect(result).not.toHaveProperty("reasoning");
  });
});

describe("a stored turn's reasoning is not sent on the OpenAI-compatible wire", () => {
  it("the assistant message goes out without it", () => {
    const { body } = mistralAdapter.buildChatRequest(
      {
        messages: [
          { role: "user", content: "2+2?" },
          { role: "assistant", content: "4", reasoning: [{ type: "thinking", thinking: "Two and two." }] },
          { role: "user", content: "And 3+3?" },
        ],
        stream: false,
      },
      { upstreamId: "magistral-medium-latest", entry: null },
      { env: { MISTRAL_API_KEY: "k" }, newId: CTX.newId },
    ).request;
    expect((body.messages as object[])[1]).toEqual({ role: "assistant", content: "4" });
  });
});
