// Answers of models that reason apart from their answer: Magistral's recorded thinking stream and, SYNTHESIZED where
// nothing was recorded, its non-streaming answer, Together's `reasoning` field and Ollama's `thinking`.
import { sseData, sseEvents, tryJson } from "../stream-events.ts";
import { isObject, type JsonObject, type Payload } from "./shared.ts";

/** The reasoning the synthesized answers carry, in the pieces a stream sends it in. */
export const SYNTHESIZED_REASONING = ["The user wants a short answer. ", "I will keep it to one line."] as const;

const firstChoice = (chunk: JsonObject): JsonObject | undefined => {
  const choice = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined;
  return isObject(choice) ? choice : undefined;
};

/** A thinking part's text (Mistral's ThinkChunk: an array of text chunks). */
function thinkingOf(part: JsonObject): string {
  if (typeof part.thinking === "string") return part.thinking;
  if (!Array.isArray(part.thinking)) return "";
  return part.thinking.map((p) => (isObject(p) && typeof p.text === "string" ? p.text : "")).join("");
}

/**
 * SYNTHESIZED from the recorded Magistral stream (no non-streaming Magistral answer was recorded): the answer the
 * same chunks describe, in the shape Mistral documents for it (content as a thinking part, then a text part) and the
 * key order of the recorded mistral/chat-completion.json.
 */
export function foldMagistralStream(stream: Payload): Payload {
  let first: JsonObject | undefined;
  let last: JsonObject | undefined;
  let thinking = "";
  let text = "";
  for (const event of sseEvents(stream.body, () => false)) {
    const chunk = tryJson(sseData(event.text));
    if (!isObject(chunk)) continue;
    first ??= chunk;
    last = chunk;
    const delta = firstChoice(chunk)?.delta;
    if (!isObject(delta)) continue;
    if (typeof delta.content === "string") text += delta.content;
    else if (Array.isArray(delta.content))
      for (const part of delta.content) {
        if (!isObject(part)) continue;
        if (part.type === "text" && typeof part.text === "string") text += part.text;
        if (part.type === "thinking") thinking += thinkingOf(part);
      }
  }
  const answer = {
    id: first?.id,
    created: first?.created,
    model: first?.model,
    usage: last?.usage,
    object: "chat.completion",
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          tool_calls: null,
          content: [
            { type: "thinking", thinking: [{ type: "text", text: thinking }] },
            { type: "text", text },
          ],
        },
        finish_reason: (last && firstChoice(last)?.finish_reason) ?? "stop",
      },
    ],
  };
  return { body: JSON.stringify(answer), headers: { "Content-Type": "application/json" } };
}

/**
 * SYNTHESIZED (no reasoning answer from Together was recorded): the recorded text answer with the reasoning in its
 * message's `reasoning` field, as Together's reasoning models send it beside the content.
 */
export function withReasoningField(answer: Payload): Payload {
  const json = JSON.parse(answer.body) as JsonObject;
  const message = (json.choices as JsonObject[] | undefined)?.[0]?.message;
  if (isObject(message)) message.reasoning = SYNTHESIZED_REASONING.join("");
  return { ...answer, body: JSON.stringify(json) };
}

/**
 * SYNTHESIZED, as above: the recorded text stream with reasoning chunks before it, each the recorded first chunk with
 * a delta of `reasoning` and empty content.
 */
export function withReasoningChunks(stream: Payload): Payload {
  const events = sseEvents(stream.body, () => false).map((e) => e.text);
  const first = tryJson(sseData(events[0] ?? ""));
  if (!isObject(first)) return stream;
  const chunks = SYNTHESIZED_REASONING.map((piece) => {
    const chunk = structuredClone(first);
    const choice = firstChoice(chunk);
    if (choice) {
      choice.text = "";
      choice.delta = { role: "assistant", content: "", reasoning: piece };
    }
    return `data: ${JSON.stringify(chunk)}\n\n`;
  });
  return { ...stream, body: [...chunks, ...events].join("") };
}

/**
 * SYNTHESIZED (no Ollama answer with `think` was recorded): the recorded /api/chat answer with `message.thinking`, the
 * field Ollama's API reference (docs/openapi.yaml, ChatResponse) gives for it.
 */
export function withOllamaThinking(answer: Payload): Payload {
  const json = JSON.parse(answer.body) as JsonObject;
  if (isObject(json.message)) json.message = { ...json.message, thinking: SYNTHESIZED_REASONING.join("") };
  return { ...answer, body: JSON.stringify(json) };
}

/** SYNTHESIZED, as above: the recorded NDJSON stream after lines of `thinking` with empty content, as Ollama streams it. */
export function withOllamaThinkingLines(stream: Payload): Payload {
  const first = tryJson(stream.body.slice(0, stream.body.indexOf("\n")));
  if (!isObject(first) || !isObject(first.message)) return stream;
  const message = first.message;
  const lines = SYNTHESIZED_REASONING.map(
    (piece) => `${JSON.stringify({ ...first, message: { ...message, content: "", thinking: piece } })}\n`,
  );
  return { ...stream, body: lines.join("") + stream.body };
}
