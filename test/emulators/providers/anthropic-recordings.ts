// Which Anthropic recording answers a messages request: tools, prompt caching (cache_control) and extended thinking.
import { fixture, recordedHeaders } from "../fixtures.ts";
import { sseData, sseEvents, tryJson } from "../stream-events.ts";
import type { StreamEvent } from "../types.ts";
import { isObject, type JsonObject, type Payload, wantsTools } from "./shared.ts";
import { outputFormatSchema, restream, structuredText } from "./structured.ts";

/** Every `cache_control` breakpoint in system, messages' content blocks and tools. */
export function cacheBreakpoints(body: JsonObject): JsonObject[] {
  const found: JsonObject[] = [];
  const visit = (blocks: unknown) => {
    if (!Array.isArray(blocks)) return;
    for (const block of blocks) if (isObject(block) && isObject(block.cache_control)) found.push(block.cache_control);
  };
  visit(body.system);
  visit(body.tools);
  if (Array.isArray(body.messages)) for (const m of body.messages) if (isObject(m)) visit(m.content);
  return found;
}

const thinkingOn = (body: JsonObject): boolean =>
  isObject(body.thinking) && (body.thinking.type === "enabled" || body.thinking.type === "adaptive");

/**
 * The string Anthropic documents for testing redacted thinking: a thinking request whose messages carry it gets a
 * `redacted_thinking` block first (platform.claude.com/docs/en/build-with-claude/extended-thinking, "Thinking
 * redaction"). No such answer was recorded: the emulator's is SYNTHESIZED from the recorded thinking stream.
 */
export const REDACTED_THINKING_TRIGGER =
  "ANTHROPIC_MAGIC_STRING_TRIGGER_REDACTED_THINKING_46C9A13E193C177646C7398A98432ECCCE4C1253";
/** An opaque stand-in for the encrypted thinking (Anthropic's is a long base64 string). */
export const REDACTED_DATA =
  "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPemulatedRedactedThinking==";

const wantsRedacted = (body: JsonObject): boolean =>
  thinkingOn(body) && JSON.stringify(body.messages ?? []).includes(REDACTED_THINKING_TRIGGER);

/** The recorded thinking stream with a redacted_thinking block put first and every later block's index moved up. */
function withRedactedBlock(sse: string): string {
  const redacted = [
    `event: content_block_start\ndata: ${JSON.stringify({ type: "content_block_start", index: 0, content_block: { type: "redacted_thinking", data: REDACTED_DATA } })}\n\n`,
    `event: content_block_stop\ndata: ${JSON.stringify({ type: "content_block_stop", index: 0 })}\n\n`,
  ];
  const out: string[] = [];
  for (const event of sseEvents(sse, () => false)) {
    const data = tryJson(sseData(event.text));
    if (isObject(data) && data.type === "content_block_start" && data.index === 0) out.push(...redacted);
    if (isObject(data) && typeof data.index === "number") {
      const name = event.text.match(/^event: (.*)$/m)?.[1] ?? String(data.type);
      out.push(`event: ${name}\ndata: ${JSON.stringify({ ...data, index: data.index + 1 })}\n\n`);
    } else out.push(event.text);
  }
  return out.join("");
}

const recorded = (file: string): Payload => ({
  body: fixture("anthropic", file),
  headers: recordedHeaders("anthropic", file.replace(/\.[^.]+$/, "")) ?? { "Content-Type": "application/json" },
});

/**
 * The non-streaming answer. A breakpoint with `ttl: "1h"` gets the recorded 1-hour cache write, any other breakpoint
 * the recorded cache read; thinking gets the recorded thinking stream folded into one message.
 */
export function messageRecording(body: JsonObject): Payload {
  if (wantsTools(body)) return recorded("messages-tool-use.json");
  const schema = outputFormatSchema(body);
  if (schema !== undefined) {
    // SYNTHESIZED (structured.ts): the recorded text answer, its text a value of the schema, ended by itself.
    const payload = recorded("messages-text.json");
    const message = JSON.parse(payload.body) as JsonObject;
    return {
      body: JSON.stringify({
        ...message,
        content: [{ type: "text", text: structuredText(schema) }],
        stop_reason: "end_turn",
      }),
      headers: payload.headers,
    };
  }
  const breakpoints = cacheBreakpoints(body);
  if (breakpoints.some((c) => c.ttl === "1h")) return recorded("messages-prompt-cache-write-1h.json");
  if (breakpoints.length > 0) return recorded("messages-prompt-cache-read.json");
  if (thinkingOn(body)) {
    const stream = streamRecording(body);
    return { body: JSON.stringify(foldStream(stream.body)), headers: { "Content-Type": "application/json" } };
  }
  return recorded("messages-text.json");
}

/** The streaming answer's events, by the same rules (a schema's value goes in the recorded text stream's deltas). */
export function streamEventsOf(
  body: JsonObject,
  isTerminator: (event: string) => boolean,
): {
  headers: Payload["headers"];
  events: StreamEvent[];
} {
  const payload = streamRecording(body);
  const events = sseEvents(payload.body, isTerminator);
  const schema = wantsTools(body) ? undefined : outputFormatSchema(body);
  if (schema === undefined) return { headers: payload.headers, events };
  const delta = (data: JsonObject) =>
    data.type === "content_block_delta" && isObject(data.delta) && data.delta.type === "text_delta"
      ? data.delta
      : undefined;
  return { headers: payload.headers, events: restream(events, structuredText(schema), delta, "text") };
}

/** The streaming answer, by the same rules (the cache write was recorded only without streaming). */
export function streamRecording(body: JsonObject): Payload {
  if (wantsTools(body)) return recorded("messages-stream-tool-use.sse");
  if (cacheBreakpoints(body).length > 0) return recorded("messages-stream-prompt-cache-read.sse");
  if (wantsRedacted(body)) {
    const stream = recorded("messages-stream-thinking.sse");
    return { ...stream, body: withRedactedBlock(stream.body) };
  }
  if (thinkingOn(body)) return recorded("messages-stream-thinking.sse");
  return recorded("messages-stream-text.sse");
}

/**
 * SYNTHESIZED from a recorded stream (no non-streaming thinking answer was recorded): the message the same events
 * describe, as Anthropic's non-streaming answer carries it (thinking block with its signature, then the text).
 */
export function foldStream(sse: string): JsonObject {
  let message: JsonObject = {};
  const blocks: JsonObject[] = [];
  for (const event of sseEvents(sse, () => false)) {
    const data = tryJson(sseData(event.text));
    if (!isObject(data)) continue;
    if (data.type === "message_start" && isObject(data.message)) message = { ...data.message };
    if (data.type === "content_block_start" && typeof data.index === "number" && isObject(data.content_block))
      blocks[data.index] = { ...data.content_block };
    if (data.type === "content_block_delta" && typeof data.index === "number" && isObject(data.delta)) {
      const block = blocks[data.index];
      const d = data.delta;
      if (block === undefined) continue;
      if (d.type === "text_delta") block.text = String(block.text ?? "") + String(d.text ?? "");
      if (d.type === "thinking_delta") block.thinking = String(block.thinking ?? "") + String(d.thinking ?? "");
      if (d.type === "signature_delta") block.signature = String(block.signature ?? "") + String(d.signature ?? "");
    }
    if (data.type === "message_delta") {
      if (isObject(data.delta)) message = { ...message, ...data.delta };
      if (isObject(data.usage)) message.usage = { ...(isObject(message.usage) ? message.usage : {}), ...data.usage };
    }
  }
  return { ...message, content: blocks.filter(Boolean) };
}

/** count_tokens: the recorded count for the recorded request, otherwise about four characters a token. */
export function countTokens(body: JsonObject): number {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const first = messages[0];
  const recordedText = "The quick brown fox jumps over the lazydog.";
  if (
    messages.length === 1 &&
    isObject(first) &&
    Array.isArray(first.content) &&
    isObject(first.content[0]) &&
    first.content[0].text === recordedText &&
    body.system === undefined &&
    body.tools === undefined
  )
    return 19;
  const text = JSON.stringify([body.system ?? "", messages, body.tools ?? []]);
  return Math.max(1, Math.ceil(text.length / 4));
}
