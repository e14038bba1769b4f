// Upstream framing the recordings never show (test/fixtures has LF-only, "data: " with a space, no comments): the SSE
// standard allows CRLF or CR line ends, "data:" without the space, and comment lines (": keep-alive", OpenRouter's
// ": OPENROUTER PROCESSING"); a network read may end inside a line or inside a multi-byte UTF-8 character. The client
// must see the same text, and none of it as a comment or a broken character.
import { describe, expect, it } from "vitest";
import { type Dialect, MODEL, oaChunk, post, rawEnv, streamedText, USAGE } from "./raw-upstream.ts";

const TEXT = "héllo 🌍 世界";

describe.each(["chat", "responses", "messages"] as Dialect[])("%s", (dialect) => {
  it("OpenAI-compatible upstream: CRLF, data: without a space, comments, a read ending mid-line and mid-character", async () => {
    const done = JSON.stringify({
      id: "chatcmpl-x",
      object: "chat.completion.chunk",
      created: 1,
      model: "m",
      choices: [],
      usage: USAGE,
    });
    const bytes = new TextEncoder().encode(
      ": OPENROUTER PROCESSING\r\n\r\n" +
        `data:${oaChunk({ role: "assistant", content: "héllo " })}\r\n\r\n` +
        ": keep-alive\r\n\r\n" +
        `data: ${oaChunk({ content: "🌍 世界" })}\r\n\r\n` +
        `data: ${oaChunk({}, "stop")}\r\n\r\n` +
        `data: ${done}\r\n\r\ndata: [DONE]\r\n\r\n`,
    );
    // Reads of 7 bytes: every line split, the emoji and the CJK characters split across reads, CR apart from LF.
    const pieces: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += 7) pieces.push(bytes.slice(i, i + 7));
    const env = await rawEnv("openai", pieces);
    const res = await post(env, dialect, MODEL.openai);
    const raw = await res.text();
    expect(res.status, raw).toBe(200);
    expect(raw).not.toMatch(/^:/m);
    expect(raw).not.toContain("\r");
    expect(raw).not.toContain("\uFFFD");
    expect(streamedText(dialect, raw)).toBe(TEXT);
  });

  it("a 256 KB delta on one line, read 4 KB at a time, arrives whole", async () => {
    const long = "ab😀".repeat(256 * 256);
    const bytes = new TextEncoder().encode(
      `data: ${oaChunk({ role: "assistant", content: long })}\n\ndata: ${oaChunk({}, "stop", USAGE)}\n\ndata: [DONE]\n\n`,
    );
    const pieces: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += 4093) pieces.push(bytes.slice(i, i + 4093));
    const env = await rawEnv("openai", pieces);
    const res = await post(env, dialect, MODEL.openai);
    expect(streamedText(dialect, await res.text())).toBe(long);
  });

  it("Anthropic upstream with CRLF line ends and a ping comment", async () => {
    const ev = (type: string, data: Record<string, unknown>) =>
      `event: ${type}\r\ndata: ${JSON.stringify({ type, ...data })}\r\n\r\n`;
    const body =
      ev("message_start", {
        message: {
          id: "msg_x",
          type: "message",
          role: "assistant",
          model: "claude-haiku-4-5-20251001",
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 5, output_tokens: 1 },
        },
      }) +
      ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } }) +
      ": ping\r\n\r\n" +
      ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: TEXT } }) +
      ev("content_block_stop", { index: 0 }) +
      ev("message_delta", { delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 3 } }) +
      ev("message_stop", {});
    const bytes = new TextEncoder().encode(body);
    const pieces: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += 5) pieces.push(bytes.slice(i, i + 5));
    const env = await rawEnv("anthropic", pieces);
    const res = await post(env, dialect, MODEL.anthropic);
    const raw = await res.text();
    expect(res.status, raw).toBe(200);
    expect(streamedText(dialect, raw)).toBe(TEXT);
    expect(raw).not.toContain("\uFFFD");
  });

  it("Ollama NDJSON with CRLF and a line split inside a character", async () => {
    const line = (o: unknown) => `${JSON.stringify(o)}\r\n`;
    const body =
      line({ model: "llama3.2", created_at: "x", message: { role: "assistant", content: "héllo " }, done: false }) +
      line({ model: "llama3.2", created_at: "x", message: { role: "assistant", content: "🌍 世界" }, done: false }) +
      line({
        model: "llama3.2",
        created_at: "x",
        message: { role: "assistant", content: "" },
        done: true,
        done_reason: "stop",
        prompt_eval_count: 5,
        eval_count: 3,
      });
    const bytes = new TextEncoder().encode(body);
    const pieces: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += 3) pieces.push(bytes.slice(i, i + 3));
    const env = await rawEnv("ollama", pieces, "application/x-ndjson");
    const res = await post(env, dialect, MODEL.ollama);
    const raw = await res.text();
    expect(res.status, raw).toBe(200);
    expect(streamedText(dialect, raw)).toBe(TEXT);
  });
});
