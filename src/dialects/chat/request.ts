// The chat dialect's request: the zod schema of the OpenAI Chat Completions body Switchyard accepts (plus its own
// `router` and `models` fields), and its conversion to the canonical request.
import * as z from "zod/mini";
import { GatewayError } from "../../core/gateway-error.ts";
import {
  ChatMessageSchema,
  orphanToolResult,
  ResponseFormatSchema,
  ToolChoiceSchema,
  ToolSchema,
} from "../../core/messages.ts";
import { ModelsListSchema, modelFromModels, modelNameSchema } from "../../core/model-name.ts";
import { type RouterControls, RouterControlsSchema } from "../../core/router-controls.ts";
import type { CanonicalRequest } from "../../core/types.ts";
import { parseOrThrow } from "../../core/validate.ts";

const nullableNumber = (min: number, max: number) => z.nullish(z.number().check(z.gte(min), z.lte(max)));

export const ChatCompletionRequestSchema = z.object({
  model: modelNameSchema("model is required"),
  models: z.optional(ModelsListSchema),
  messages: z.array(ChatMessageSchema).check(z.minLength(1, "messages must hold at least one message")),
  stream: z.nullish(z.boolean()),
  stream_options: z.nullish(z.object({ include_usage: z.optional(z.boolean()) })),
  tools: z.nullish(z.array(ToolSchema).check(z.maxLength(128))),
  tool_choice: z.nullish(ToolChoiceSchema),
  parallel_tool_calls: z.nullish(z.boolean()),
  response_format: z.nullish(ResponseFormatSchema),
  temperature: nullableNumber(0, 2),
  top_p: nullableNumber(0, 1),
  presence_penalty: nullableNumber(-2, 2),
  frequency_penalty: nullableNumber(-2, 2),
  stop: z.nullish(z.union([z.string(), z.array(z.string()).check(z.maxLength(4))])),
  seed: z.nullish(z.int()),
  max_tokens: z.nullish(z.int().check(z.positive())),
  max_completion_tokens: z.nullish(z.int().check(z.positive())),
  n: z.nullish(z.literal(1, "only n=1 is supported")),
  /** How hard a reasoning model thinks; mapped per provider (Anthropic's thinking budget, Ollama's think). */
  reasoning_effort: z.nullish(z.enum(["none", "minimal", "low", "medium", "high", "xhigh", "max"])),
  user: z.nullish(z.string().check(z.maxLength(256))),
  /** OpenAI's processing tier: sent to OpenAI, priced with the registry's multiplier (flex 0.5x, priority 2x). */
  service_tier: z.nullish(z.enum(["auto", "default", "flex", "priority", "fast"])),
  router: z.optional(RouterControlsSchema),
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequestSchema>;

/** Top-level fields OpenAI defines that Switchyard reads; anything else is passed over with a visible warning. */
export const KNOWN_FIELDS: ReadonlySet<string> = new Set(Object.keys(ChatCompletionRequestSchema.shape));

export function toCanonical(body: ChatCompletionRequest): CanonicalRequest {
  const stop =
    body.stop === undefined || body.stop === null ? undefined : typeof body.stop === "string" ? [body.stop] : body.stop;
  return {
    messages: body.messages,
    // OpenAI takes null for "not set" on every optional field; so does Switchyard.
    tools: body.tools ?? undefined,
    tool_choice: body.tool_choice ?? undefined,
    parallel_tool_calls: body.parallel_tool_calls ?? undefined,
    response_format: body.response_format ?? undefined,
    temperature: body.temperature ?? undefined,
    top_p: body.top_p ?? undefined,
    presence_penalty: body.presence_penalty ?? undefined,
    frequency_penalty: body.frequency_penalty ?? undefined,
    stop,
    seed: body.seed ?? undefined,
    max_output_tokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
    user: body.user ?? undefined,
    service_tier: body.service_tier ?? undefined,
    ...(body.reasoning_effort == null
      ? {}
      : { reasoning: body.reasoning_effort === "none" ? { disabled: true } : { effort: body.reasoning_effort } }),
    stream: body.stream === true,
  };
}

/** A chat body read into what the gateway takes, plus what only the chat encoder needs back. */
export interface ParsedChat {
  model: string;
  models: string[] | undefined;
  request: CanonicalRequest;
  /** The body's `router` field; a transport may add its own (HTTP: the x-router-* headers). */
  router: RouterControls;
  /** Fields the body held that Switchyard does not carry: said, never dropped silently. */
  warnings: string[];
  /** stream_options.include_usage: the streamed answer ends with a usage chunk. */
  includeUsage: boolean;
}

/** Message fields OpenAI's clients send as null for "not set" (an assistant turn replayed with `tool_calls: null`). */
const NULLABLE_MESSAGE_FIELDS = ["name", "tool_calls", "reasoning", "is_error", "refusal"];
const hasNullField = (m: unknown): boolean =>
  m !== null &&
  typeof m === "object" &&
  NULLABLE_MESSAGE_FIELDS.some((k) => (m as Record<string, unknown>)[k] === null);

/** The body with those nulls left out of its messages (a copy, only when there are any). */
function withoutNullFields(raw: unknown): unknown {
  const messages = (raw as { messages?: unknown }).messages;
  if (!Array.isArray(messages) || !messages.some(hasNullField)) return raw;
  return {
    ...(raw as object),
    messages: messages.map((m) =>
      hasNullField(m)
        ? Object.fromEntries(
            Object.entries(m as object).filter(([k, v]) => v !== null || !NULLABLE_MESSAGE_FIELDS.includes(k)),
          )
        : m,
    ),
  };
}

/** An assistant turn that hands back OpenAI's refusal: its `refusal` field, or a `refusal` content part. */
function hasRefusal(m: unknown): boolean {
  if (m === null || typeof m !== "object" || (m as { role?: unknown }).role !== "assistant") return false;
  const { refusal, content } = m as { refusal?: unknown; content?: unknown };
  return (
    typeof refusal === "string" ||
    (Array.isArray(content) && content.some((p) => (p as { type?: unknown } | null)?.type === "refusal"))
  );
}

/**
 * The body with each refusal handed back as its turn's text (a copy, only when there is one): the model said it, and
 * every provider takes it so; a `refusal` beside text is the same answer said twice, and the text is kept.
 */
function refusalsAsText(raw: unknown): unknown {
  const messages = (raw as { messages?: unknown }).messages;
  if (!Array.isArray(messages) || !messages.some(hasRefusal)) return raw;
  return {
    ...(raw as object),
    messages: messages.map((m) => {
      if (!hasRefusal(m)) return m;
      const { refusal, content, ...rest } = m as { refusal?: unknown; content?: unknown };
      if (Array.isArray(content)) {
        const parts = content.map((p) => {
          const part = p as { type?: unknown; refusal?: unknown };
          return part?.type === "refusal" && typeof part.refusal === "string"
            ? { type: "text", text: part.refusal }
            : p;
        });
        return { ...rest, content: parts };
      }
      const text = typeof content === "string" && content !== "" ? content : refusal;
      return { ...rest, content: text };
    }),
  };
}

/** Validates a chat-completions body (400 naming the param) and reads it into the canonical request. */
export function parseChatRequest(raw: unknown): ParsedChat {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    throw new GatewayError(400, "The request body must be a JSON object.", { code: "invalid_json" });
  const body = parseOrThrow(ChatCompletionRequestSchema, refusalsAsText(withoutNullFields(modelFromModels(raw))));
  const orphan = orphanToolResult(body.messages);
  if (orphan !== null)
    throw new GatewayError(
      400,
      `messages.${orphan.index}: a message with role 'tool' must answer a tool call of an earlier assistant message (no tool_calls entry has id "${orphan.id}")`,
      { param: `messages.${orphan.index}.tool_call_id`, code: "invalid_value" },
    );
  const warnings = Object.keys(raw)
    .filter((k) => !KNOWN_FIELDS.has(k))
    .map((k) => `"${k}" is not supported by Switchyard; it was not sent`);
  return {
    model: body.model,
    models: body.models,
    request: toCanonical(body),
    router: body.router ?? {},
    warnings,
    includeUsage: body.stream_options?.include_usage === true,
  };
}
