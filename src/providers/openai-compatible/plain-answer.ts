// The common OpenAI-compatible JSON answer checked by hand, as plainChunk does for stream chunks (wire.ts).
import { type ChatResponseSchema, isNullish, isNullishOrString, isPlainUsage, isRecord } from "./wire.ts";

type WireAnswer = ReturnType<(typeof ChatResponseSchema)["parse"]>;

/** No usage, or a usage object UsageSchema takes: the same hand check the stream's usage chunk gets. */
const isUsage = (u: unknown): boolean => isNullish(u) || isPlainUsage(u);

function isToolCalls(calls: unknown): boolean {
  if (isNullish(calls)) return true;
  if (!Array.isArray(calls)) return false;
  for (const call of calls) {
    if (!isRecord(call) || typeof call.id !== "string") return false;
    const fn = call.function;
    if (!isRecord(fn) || typeof fn.name !== "string" || typeof fn.arguments !== "string") return false;
  }
  return true;
}

/**
 * The answer nearly every call gets (string or null content and reasoning, plain tool calls, the usual usage), read as
 * ChatResponseSchema reads it at a fraction of the cost. Anything else (content parts, a wrong type anywhere, no
 * choice) is null, and the schema reads it, its error messages included. Fields the schema does not name stay on
 * the object: the adapter reads only the named ones.
 */
export function plainAnswer(json: unknown): WireAnswer | null {
  if (!isRecord(json) || typeof json.model !== "string") return null;
  const choices = json.choices;
  if (!Array.isArray(choices) || choices.length === 0) return null;
  for (const choice of choices) {
    if (!isRecord(choice)) return null;
    if (!isNullish(choice.finish_reason) && typeof choice.finish_reason !== "string") return null;
    const message = choice.message;
    if (!isRecord(message)) return null;
    if (!isNullishOrString(message.content)) return null;
    if (!isNullishOrString(message.reasoning_content) || !isNullishOrString(message.reasoning)) return null;
    if (!isNullishOrString(message.refusal)) return null;
    if (!isToolCalls(message.tool_calls)) return null;
  }
  if (!isUsage(json.usage)) return null;
  return json as WireAnswer;
}
