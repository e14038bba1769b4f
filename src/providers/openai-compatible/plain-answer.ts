// The common OpenAI-compatible JSON answer checked by hand, as plainChunk does for stream chunks (wire.ts).
import { type ChatResponseSchema, isNullish, isNullishOrString, isRecord } from "./wire.ts";

type WireAnswer = ReturnType<(typeof ChatResponseSchema)["parse"]>;

const isCount = (v: unknown): boolean => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
const isCountOrNullish = (v: unknown): boolean => isNullish(v) || isCount(v);

function isUsage(u: unknown): boolean {
  if (isNullish(u)) return true;
  if (!isRecord(u) || !isCount(u.prompt_tokens) || !isCount(u.completion_tokens)) return false;
  if (!isCountOrNullish(u.cached_tokens)) return false;
  const prompt = u.prompt_tokens_details;
  if (
    !isNullish(prompt) &&
    (!isRecord(prompt) || !isCountOrNullish(prompt.cached_tokens) || !isCountOrNullish(prompt.cache_write_tokens))
  )
    return false;
  const completion = u.completion_tokens_details;
  return isNullish(completion) || (isRecord(completion) && isCountOrNullish(completion.reasoning_tokens));
}

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
