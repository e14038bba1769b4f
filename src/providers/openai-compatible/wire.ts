// Wire schemas of the OpenAI Chat Completions answer, validating only the fields Switchyard reads.
import * as z from "zod/mini";

const count = () => z.number().check(z.int(), z.nonnegative());

const UsageSchema = z.object({
  prompt_tokens: count(),
  completion_tokens: count(),
  /**
   * Cache reads (`cached_tokens`) and, on models with explicit caching (GPT-5.6 and later), cache writes
   * (`cache_write_tokens`): both counted inside prompt_tokens.
   */
  prompt_tokens_details: z.nullish(
    z.object({ cached_tokens: z.nullish(count()), cache_write_tokens: z.nullish(count()) }),
  ),
  /** OpenAI's reasoning tokens, counted inside completion_tokens. */
  completion_tokens_details: z.nullish(z.object({ reasoning_tokens: z.nullish(count()) })),
  /** Together reports cached tokens at the top level of usage. */
  cached_tokens: z.nullish(count()),
});
export type WireUsage = z.infer<typeof UsageSchema>;

const TextPartSchema = z.looseObject({ type: z.string(), text: z.optional(z.string()) });

/**
 * Mistral's reasoning models (Magistral) send content as an array of typed parts: `text` parts are answer text,
 * `thinking` parts the reasoning, itself an array of text parts (a string is read too).
 */
const ContentSchema = z.nullish(
  z.union([
    z.string(),
    z.array(
      z.looseObject({
        type: z.string(),
        text: z.optional(z.string()),
        thinking: z.optional(z.union([z.string(), z.array(TextPartSchema)])),
      }),
    ),
  ]),
);
export type WireContent = z.infer<typeof ContentSchema>;

/**
 * Reasoning beside the content, as OpenAI-compatible servers of open models send it: `reasoning_content` (vLLM,
 * DeepSeek, Together) or `reasoning` (Ollama's /v1, newer vLLM). A server sending both means the same text once.
 */
const reasoningFields = {
  reasoning_content: z.nullish(z.string()),
  reasoning: z.nullish(z.string()),
  /** OpenAI's refusal, said instead of content (structured outputs a model declines). */
  refusal: z.nullish(z.string()),
};

export const ChatResponseSchema = z.object({
  model: z.string(),
  choices: z
    .array(
      z.object({
        message: z.object({
          content: ContentSchema,
          ...reasoningFields,
          tool_calls: z.nullish(
            z.array(z.object({ id: z.string(), function: z.object({ name: z.string(), arguments: z.string() }) })),
          ),
        }),
        finish_reason: z.nullish(z.string()),
      }),
    )
    .check(z.minLength(1)),
  /** The tier the answer was served at (read where it is a string; anything else is no tier named). */
  service_tier: z.optional(z.unknown()),
  usage: z.nullish(UsageSchema),
});

export const ChunkSchema = z.object({
  model: z.optional(z.string()),
  choices: z._default(
    z.array(
      z.object({
        delta: z.nullish(
          z.object({
            content: ContentSchema,
            ...reasoningFields,
            tool_calls: z.nullish(
              z.array(
                z.object({
                  index: count(),
                  id: z.nullish(z.string()),
                  function: z.nullish(z.object({ name: z.nullish(z.string()), arguments: z.nullish(z.string()) })),
                }),
              ),
            ),
          }),
        ),
        finish_reason: z.nullish(z.string()),
      }),
    ),
    [],
  ),
  /** The tier the answer was served at (read where it is a string; anything else is no tier named). */
  service_tier: z.optional(z.unknown()),
  usage: z.nullish(UsageSchema),
});

export type WireChunk = z.infer<typeof ChunkSchema>;

export const isNullish = (v: unknown): v is null | undefined => v === null || v === undefined;
export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
export const isNullishOrString = (v: unknown): boolean => v === null || v === undefined || typeof v === "string";

/**
 * The chunk nearly every event of a stream is (text, reasoning text or a finish, no tool calls, no usage), checked by
 * hand: it is read as ChunkSchema would read it, at a fraction of the cost per chunk. Anything else (tool calls, usage,
 * content parts, a wrong type anywhere) is null, and ChunkSchema reads it, errors included.
 */
export function plainChunk(json: unknown): WireChunk | null {
  return isRecord(json) && isNullish(json.usage) ? plainChoices(json) : null;
}

/**
 * The chunk that carries the usage (most streams end on one: `choices: []`, or the finish with its usage), checked by
 * hand as plainChunk checks the others: a usage of plain counts, read as UsageSchema reads it (fields it does not name
 * stay on the object; the usage readers read only the named ones). Anything else is null, for ChunkSchema.
 */
export function plainUsageChunk(json: unknown): WireChunk | null {
  return isRecord(json) && isPlainUsage(json.usage) ? plainChoices(json) : null;
}

const isCount = (v: unknown): boolean => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
const isCountOrNullish = (v: unknown): boolean => isNullish(v) || isCount(v);

/** A usage object UsageSchema takes (every field it names of the type it names), checked by hand. */
export function isPlainUsage(u: unknown): boolean {
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

/** The rest of a plain chunk, whatever its usage: a string model, and choices plainChunk reads. */
function plainChoices(json: Record<string, unknown>): WireChunk | null {
  if (json.model !== undefined && typeof json.model !== "string") return null;
  const choices = json.choices;
  if (!Array.isArray(choices)) return null;
  for (const choice of choices) {
    if (!isRecord(choice)) return null;
    if (!isNullish(choice.finish_reason) && typeof choice.finish_reason !== "string") return null;
    const delta = choice.delta;
    if (isNullish(delta)) continue;
    if (!isRecord(delta) || !isNullish(delta.tool_calls)) return null;
    if (!isNullishOrString(delta.content)) return null;
    if (!isNullishOrString(delta.reasoning_content) || !isNullishOrString(delta.reasoning)) return null;
    if (!isNullishOrString(delta.refusal)) return null;
  }
  return json as WireChunk;
}

/** An error object in the body of a non-2xx answer, or inside a stream. Mistral may put an object in `message`. */
export const ErrorBodySchema = z.object({
  error: z.optional(
    z.object({
      message: z.optional(z.unknown()),
      type: z.nullish(z.string()),
      code: z.nullish(z.union([z.string(), z.number()])),
      param: z.nullish(z.string()),
    }),
  ),
  message: z.optional(z.unknown()),
  type: z.nullish(z.string()),
  code: z.nullish(z.union([z.string(), z.number()])),
});

export function contentText(content: WireContent): string {
  if (content === null || content === undefined) return "";
  if (typeof content === "string") return content;
  return content.map((part) => (part.type === "text" ? (part.text ?? "") : "")).join("");
}

/** The reasoning text of content parts (Magistral's `thinking` parts); "" for a string or no content. */
export function contentReasoning(content: WireContent): string {
  if (content === null || content === undefined || typeof content === "string") return "";
  return content.map(thinkingText).join("");
}

/** One part's reasoning text: a `thinking` part's own text parts, joined. */
export function thinkingText(part: NonNullable<Exclude<WireContent, string>>[number]): string {
  if (part.type !== "thinking" || part.thinking === undefined) return "";
  if (typeof part.thinking === "string") return part.thinking;
  return part.thinking.map((p) => (p.type === "text" ? (p.text ?? "") : "")).join("");
}

/** The reasoning a message or delta carries beside its content; `reasoning_content` when a server sends both. */
export function fieldReasoning(m: { reasoning_content?: string | null; reasoning?: string | null }): string {
  return m.reasoning_content || m.reasoning || "";
}
