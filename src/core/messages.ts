// The canonical conversation parts: messages, tools, tool choice and response format. They keep OpenAI's shapes (the
// lingua franca most clients speak); a dialect with other shapes converts to these. Schemas so any dialect can validate.
import * as z from "zod/mini";

/** Anthropic's prompt-cache breakpoint, carried on a part as the client set it (only Anthropic reads it). */
export const CacheControlSchema = z.object({ type: z.literal("ephemeral"), ttl: z.optional(z.enum(["5m", "1h"])) });
export type CacheControl = z.infer<typeof CacheControlSchema>;

/** What `z.url()` asks (a data URL parses too), without its normalising options. */
export const isUrl = (u: string): boolean => URL.canParse(u);

const TextPart = z.object({ type: z.literal("text"), text: z.string(), cache_control: z.optional(CacheControlSchema) });
const ImagePart = z.object({
  type: z.literal("image_url"),
  image_url: z.object({
    url: z.string().check(z.refine(isUrl, "Invalid URL: expected an image URL or a base64 data URL")),
    detail: z.optional(z.enum(["auto", "low", "high"])),
  }),
  cache_control: z.optional(CacheControlSchema),
});

/** A model's reasoning as the provider returned it, kept so a later turn can hand it back (Anthropic's signature). */
export const ReasoningPartSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("thinking"), thinking: z.string(), signature: z.optional(z.string()) }),
  z.object({ type: z.literal("redacted_thinking"), data: z.string() }),
]);
export type ReasoningPart = z.infer<typeof ReasoningPartSchema>;
const UserPart = z.discriminatedUnion("type", [TextPart, ImagePart]);

/** OpenAI refuses an empty content array ("Expected an array with minimum length 1"). */
const EMPTY_ARRAY = "empty array: expected at least one content part";
const textContent = z.union([z.string(), z.array(TextPart).check(z.minLength(1, EMPTY_ARRAY))]);

const ToolCallSchema = z.object({
  id: z.string().check(z.minLength(1)),
  type: z.literal("function"),
  function: z.object({ name: z.string().check(z.minLength(1)), arguments: z.string() }),
});

export const ChatMessageSchema = z.discriminatedUnion("role", [
  z.object({ role: z.literal("system"), content: textContent, name: z.optional(z.string()) }),
  z.object({ role: z.literal("developer"), content: textContent, name: z.optional(z.string()) }),
  z.object({
    role: z.literal("user"),
    content: z.union([z.string(), z.array(UserPart).check(z.minLength(1, EMPTY_ARRAY))]),
    name: z.optional(z.string()),
  }),
  z.object({
    role: z.literal("assistant"),
    content: z.optional(z.nullable(textContent)),
    tool_calls: z.optional(z.array(ToolCallSchema)),
    name: z.optional(z.string()),
    /** Reasoning that came before this turn's text and tool calls (Anthropic wants it back with tool results). */
    reasoning: z.optional(z.array(ReasoningPartSchema)),
  }),
  z.object({
    role: z.literal("tool"),
    content: textContent,
    tool_call_id: z.string().check(z.minLength(1)),
    /** The tool failed (Anthropic's tool_result is_error): Anthropic gets the flag, other providers an "Error: " prefix. */
    is_error: z.optional(z.boolean()),
  }),
]);
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

export const ToolSchema = z.object({
  type: z.literal("function"),
  function: z.object({
    name: z.string().check(z.regex(/^[a-zA-Z0-9_-]{1,64}$/, "must be 1-64 letters, digits, underscores or dashes")),
    description: z.optional(z.string()),
    parameters: z.optional(z.record(z.string(), z.unknown())),
    strict: z.optional(z.nullable(z.boolean())),
  }),
  cache_control: z.optional(CacheControlSchema),
});
export type Tool = z.infer<typeof ToolSchema>;

export const ToolChoiceSchema = z.union([
  z.enum(["none", "auto", "required"]),
  z.object({ type: z.literal("function"), function: z.object({ name: z.string().check(z.minLength(1)) }) }),
]);
export type ToolChoice = z.infer<typeof ToolChoiceSchema>;

export const ResponseFormatSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({
    type: z.literal("json_schema"),
    json_schema: z.object({
      name: z.string().check(z.minLength(1)),
      description: z.optional(z.string()),
      schema: z.optional(z.record(z.string(), z.unknown())),
      strict: z.optional(z.nullable(z.boolean())),
    }),
  }),
]);
export type ResponseFormat = z.infer<typeof ResponseFormatSchema>;

/**
 * The first tool result that answers no earlier tool call, or null. Every provider refuses one (OpenAI: "messages with
 * role 'tool' must be a response to a preceding message with 'tool_calls'"), so each dialect answers it with a 400
 * before any call, in its own words.
 */
export function orphanToolResult(messages: readonly ChatMessage[]): { index: number; id: string } | null {
  const calls = new Set<string>();
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    if (m.role === "assistant") for (const c of m.tool_calls ?? []) calls.add(c.id);
    else if (m.role === "tool" && !calls.has(m.tool_call_id)) return { index: i, id: m.tool_call_id };
  }
  return null;
}
