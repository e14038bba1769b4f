// The Messages dialect's request: the zod schema of Anthropic's Messages body (plus Switchyard's `router` and `models`)
// and its conversion to the canonical request.
import * as z from "zod/mini";
import { GatewayError } from "../../core/gateway-error.ts";
import {
  CacheControlSchema,
  type ChatMessage,
  isUrl,
  orphanToolResult,
  type ReasoningPart,
  type Tool,
} from "../../core/messages.ts";
import { ModelsListSchema, modelNameSchema } from "../../core/model-name.ts";
import { RouterControlsSchema } from "../../core/router-controls.ts";
import type { CanonicalRequest } from "../../core/types.ts";

const cache = { cache_control: z.nullish(CacheControlSchema) };
const nonEmpty = () => z.string().check(z.minLength(1));

const TextBlock = z.object({ type: z.literal("text"), text: z.string(), citations: z.optional(z.unknown()), ...cache });
const ImageBlock = z.object({
  type: z.literal("image"),
  source: z.discriminatedUnion("type", [
    z.object({
      type: z.literal("base64"),
      media_type: z.enum(["image/jpeg", "image/png", "image/gif", "image/webp"]),
      data: nonEmpty(),
    }),
    z.object({ type: z.literal("url"), url: z.string().check(z.refine(isUrl, "Invalid URL")) }),
  ]),
  ...cache,
});
const ToolUseBlock = z.object({
  type: z.literal("tool_use"),
  id: nonEmpty(),
  name: nonEmpty(),
  input: z.record(z.string(), z.unknown()),
  ...cache,
});
const ToolResultBlock = z.object({
  type: z.literal("tool_result"),
  tool_use_id: nonEmpty(),
  content: z.optional(z.union([z.string(), z.array(z.discriminatedUnion("type", [TextBlock, ImageBlock]))])),
  is_error: z.optional(z.boolean()),
  ...cache,
});
const ThinkingBlock = z.object({ type: z.literal("thinking"), thinking: z.string(), signature: z.string() });
const RedactedThinkingBlock = z.object({ type: z.literal("redacted_thinking"), data: z.string() });

const ContentBlock = z.discriminatedUnion("type", [
  TextBlock,
  ImageBlock,
  ToolUseBlock,
  ToolResultBlock,
  ThinkingBlock,
  RedactedThinkingBlock,
]);
type ContentBlock = z.infer<typeof ContentBlock>;

const MessageParam = z.object({
  role: z.enum(["user", "assistant"]),
  content: z.union([z.string(), z.array(ContentBlock)]),
});

const ToolParam = z.object({
  type: z.optional(z.literal("custom")),
  name: z.string().check(z.regex(/^[a-zA-Z0-9_-]{1,64}$/, "must be 1-64 letters, digits, underscores or dashes")),
  description: z.optional(z.string()),
  input_schema: z.looseObject({ type: z.literal("object") }),
  ...cache,
});

const disableParallel = { disable_parallel_tool_use: z.optional(z.boolean()) };
const ToolChoiceParam = z.discriminatedUnion("type", [
  z.object({ type: z.literal("auto"), ...disableParallel }),
  z.object({ type: z.literal("any"), ...disableParallel }),
  z.object({ type: z.literal("tool"), name: nonEmpty(), ...disableParallel }),
  z.object({ type: z.literal("none") }),
]);

const ThinkingParam = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("enabled"),
    budget_tokens: z.int().check(z.gte(1024, "budget_tokens must be at least 1024")),
  }),
  z.object({ type: z.literal("disabled") }),
  z.object({ type: z.literal("adaptive") }),
]);

/** Structured outputs: the answer's text constrained to a JSON schema (`effort` is validated, and not carried). */
const OutputConfigParam = z.looseObject({
  format: z.nullish(z.object({ type: z.literal("json_schema"), schema: z.record(z.string(), z.unknown()) })),
  effort: z.nullish(z.enum(["low", "medium", "high", "xhigh", "max"])),
});

export const MessagesRequestSchema = z.object({
  model: modelNameSchema("model: Field required"),
  models: z.optional(ModelsListSchema),
  max_tokens: z
    .int({ error: (issue) => (issue.input === undefined ? "Field required" : "must be a positive integer") })
    .check(z.positive("must be a positive integer")),
  system: z.optional(z.union([z.string(), z.array(TextBlock)])),
  messages: z.array(MessageParam).check(z.minLength(1, "messages: at least one message is required")),
  tools: z.optional(z.array(z.unknown()).check(z.maxLength(128))),
  tool_choice: z.optional(ToolChoiceParam),
  stop_sequences: z.optional(z.array(z.string())),
  temperature: z.optional(z.number().check(z.gte(0), z.lte(1))),
  top_p: z.optional(z.number().check(z.gte(0), z.lte(1))),
  top_k: z.optional(z.int().check(z.positive())),
  thinking: z.optional(ThinkingParam),
  output_config: z.optional(OutputConfigParam),
  metadata: z.optional(z.object({ user_id: z.nullish(z.string().check(z.maxLength(256))) })),
  stream: z.optional(z.boolean()),
  router: z.optional(RouterControlsSchema),
});
export type MessagesRequest = z.infer<typeof MessagesRequestSchema>;

/** count_tokens takes the same body without max_tokens, stream or sampling settings. */
export const CountTokensRequestSchema = z.extend(z.omit(MessagesRequestSchema, { max_tokens: true, stream: true }), {
  max_tokens: z.optional(z.int().check(z.positive())),
});

export const KNOWN_FIELDS: ReadonlySet<string> = new Set(Object.keys(MessagesRequestSchema.shape));

export interface ParsedMessages {
  request: CanonicalRequest;
  warnings: string[];
}

/** Anthropic's blocks in order, as canonical messages: tool results become tool messages, thinking rides along. */
export function toCanonical(body: Omit<MessagesRequest, "max_tokens"> & { max_tokens?: number }): ParsedMessages {
  const warnings: string[] = [];
  const messages: ChatMessage[] = [];
  if (body.system !== undefined) {
    messages.push({
      role: "system",
      content: typeof body.system === "string" ? body.system : body.system.map(textPart),
    });
  }
  body.messages.forEach((m, i) => {
    const blocks: ContentBlock[] =
      typeof m.content === "string" ? (m.content === "" ? [] : [{ type: "text", text: m.content }]) : m.content;
    // Anthropic's rule: every message has content, except a final assistant message (a prefill).
    const prefill = m.role === "assistant" && i === body.messages.length - 1;
    if (blocks.length === 0 && !prefill)
      throw new GatewayError(400, `messages.${i}.content: a ${m.role} message must have non-empty content`, {
        param: `messages.${i}.content`,
        code: "invalid_value",
      });
    const empty = blocks.findIndex((b) => b.type === "text" && b.text === "");
    if (empty >= 0 && !prefill)
      throw new GatewayError(400, `messages.${i}.content.${empty}.text: text content blocks must be non-empty`, {
        param: `messages.${i}.content.${empty}.text`,
        code: "invalid_value",
      });
    if (m.role === "user") messages.push(...userTurn(blocks, i, warnings));
    else messages.push(assistantTurn(blocks, i));
  });
  const orphan = orphanToolResult(messages);
  if (orphan !== null)
    throw new GatewayError(
      400,
      `messages: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${orphan.id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in an earlier message.`,
      { param: "messages", code: "invalid_value" },
    );
  const request: CanonicalRequest = {
    messages,
    max_output_tokens: body.max_tokens,
    stream: body.stream === true,
  };
  if (body.tools !== undefined) request.tools = body.tools.map((t, i) => toolOf(t, i));
  if (body.tool_choice !== undefined) {
    const c = body.tool_choice;
    request.tool_choice =
      c.type === "auto"
        ? "auto"
        : c.type === "any"
          ? "required"
          : c.type === "none"
            ? "none"
            : { type: "function", function: { name: c.name } };
    if (c.type !== "none" && c.disable_parallel_tool_use === true) request.parallel_tool_calls = false;
  }
  if (body.stop_sequences !== undefined && body.stop_sequences.length > 0) request.stop = body.stop_sequences;
  if (body.temperature !== undefined) request.temperature = body.temperature;
  if (body.top_p !== undefined) request.top_p = body.top_p;
  if (body.top_k !== undefined) request.top_k = body.top_k;
  if (body.metadata?.user_id) request.user = body.metadata.user_id;
  if (body.thinking !== undefined) {
    const t = body.thinking;
    // Adaptive thinking lets the model decide: Anthropic gets it as such, others the closest ask, a medium effort.
    request.reasoning =
      t.type === "enabled"
        ? { budget_tokens: t.budget_tokens }
        : t.type === "disabled"
          ? { disabled: true }
          : { effort: "medium", adaptive: true };
  }
  const format = body.output_config?.format;
  if (format != null)
    request.response_format = { type: "json_schema", json_schema: { name: "output", schema: format.schema } };
  for (const key of Object.keys(body.output_config ?? {}))
    if (key !== "format") warnings.push(`"output_config.${key}" is not supported by Switchyard; it was not sent`);
  return { request, warnings };
}

function textPart(b: z.infer<typeof TextBlock>) {
  return b.cache_control
    ? { type: "text" as const, text: b.text, cache_control: b.cache_control }
    : { type: "text" as const, text: b.text };
}

function imagePart(b: z.infer<typeof ImageBlock>) {
  const url = b.source.type === "base64" ? `data:${b.source.media_type};base64,${b.source.data}` : b.source.url;
  return {
    type: "image_url" as const,
    image_url: { url },
    ...(b.cache_control ? { cache_control: b.cache_control } : {}),
  };
}

function userTurn(blocks: ContentBlock[], index: number, warnings: string[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  let parts: ReturnType<typeof textPart | typeof imagePart>[] = [];
  const flush = () => {
    if (parts.length > 0) out.push({ role: "user", content: parts });
    parts = [];
  };
  blocks.forEach((b, j) => {
    switch (b.type) {
      case "text":
        parts.push(textPart(b));
        break;
      case "image":
        parts.push(imagePart(b));
        break;
      case "tool_result": {
        flush();
        const content = b.content ?? "";
        let text: string | ReturnType<typeof textPart>[];
        if (typeof content === "string") text = content;
        else {
          if (content.some((c) => c.type === "image"))
            warnings.push(`messages.${index}.content.${j}: images inside a tool_result are not carried; the text is`);
          text = content.filter((c) => c.type === "text").map(textPart);
        }
        out.push({
          role: "tool",
          tool_call_id: b.tool_use_id,
          content: text,
          ...(b.is_error === true ? { is_error: true } : {}),
        });
        break;
      }
      default:
        throw blockError(index, j, `a user message cannot hold a ${b.type} block`);
    }
  });
  flush();
  return out;
}

function assistantTurn(blocks: ContentBlock[], index: number): ChatMessage {
  const text: ReturnType<typeof textPart>[] = [];
  const calls: { id: string; type: "function"; function: { name: string; arguments: string } }[] = [];
  const reasoning: ReasoningPart[] = [];
  blocks.forEach((b, j) => {
    switch (b.type) {
      case "text":
        text.push(textPart(b));
        break;
      case "tool_use":
        calls.push({ id: b.id, type: "function", function: { name: b.name, arguments: JSON.stringify(b.input) } });
        break;
      case "thinking":
        reasoning.push({ type: "thinking", thinking: b.thinking, signature: b.signature });
        break;
      case "redacted_thinking":
        reasoning.push({ type: "redacted_thinking", data: b.data });
        break;
      default:
        throw blockError(index, j, `an assistant message cannot hold a ${b.type} block`);
    }
  });
  const plain = text.every((t) => t.cache_control === undefined);
  const message: ChatMessage = {
    role: "assistant",
    // Several text blocks stay apart (glued, "Let me check." and "One moment." would run into one sentence).
    content: text.length === 0 ? null : plain && text.length === 1 ? (text[0] as { text: string }).text : text,
  };
  if (calls.length > 0) message.tool_calls = calls;
  if (reasoning.length > 0) message.reasoning = reasoning;
  return message;
}

function toolOf(raw: unknown, index: number): Tool {
  const type = (raw as { type?: unknown } | null)?.type;
  if (typeof type === "string" && type !== "custom") {
    throw new GatewayError(400, `tools.${index}: the server tool "${type}" is run by Anthropic, not by Switchyard`, {
      param: `tools.${index}.type`,
      code: "unsupported_tool",
    });
  }
  const parsed = ToolParam.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = ["tools", index, ...(issue?.path ?? [])].map(String).join(".");
    throw new GatewayError(400, `${param}: ${issue?.message ?? "invalid"}`, { param, code: "invalid_value" });
  }
  const t = parsed.data;
  return {
    type: "function",
    function: {
      name: t.name,
      ...(t.description === undefined ? {} : { description: t.description }),
      parameters: t.input_schema,
    },
    ...(t.cache_control ? { cache_control: t.cache_control } : {}),
  };
}

function blockError(message: number, block: number, what: string): GatewayError {
  const param = `messages.${message}.content.${block}`;
  return new GatewayError(400, `${param}: ${what}`, { param, code: "invalid_value" });
}
