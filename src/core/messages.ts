// The canonical conversation parts: messages, tools, tool choice and response format. They keep OpenAI's shapes (the
// lingua franca most clients speak); a dialect with other shapes converts to these. Schemas so any dialect can validate.
import * as z from "zod";

/** Anthropic's prompt-cache breakpoint, carried on a part as the client set it (only Anthropic reads it). */
export const CacheControlSchema = z.object({ type: z.literal("ephemeral"), ttl: z.enum(["5m", "1h"]).optional() });
export type CacheControl = z.infer<typeof CacheControlSchema>;

const TextPart = z.object({ type: z.literal("text"), text: z.string(), cache_control: CacheControlSchema.optional() });
const ImagePart = z.object({
  type: z.literal("image_url"),
  image_url: z.object({ url: z.string().min(1), detail: z.enum(["auto", "low", "high"]).optional() }),
  cache_control: CacheControlSchema.optional(),
});

/** A model's reasoning as the provider returned it, kept so a later turn can hand it back (Anthropic's signature). */
export const ReasoningPartSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("thinking"), thinking: z.string(), signature: z.string().optional() }),
  z.object({ type: z.literal("redacted_thinking"), data: z.string() }),
]);
export type ReasoningPart = z.infer<typeof ReasoningPartSchema>;
const UserPart = z.discriminatedUnion("type", [TextPart, ImagePart]);

const textContent = z.union([z.string(), z.array(TextPart)]);

const ToolCallSchema = z.object({
  id: z.string().min(1),
  type: z.literal("function"),
  function: z.object({ name: z.string().min(1), arguments: z.string() }),
});

export const ChatMessageSchema = z.discriminatedUnion("role", [
  z.object({ role: z.literal("system"), content: textContent, name: z.string().optional() }),
  z.object({ role: z.literal("developer"), content: textContent, name: z.string().optional() }),
  z.object({ role: z.literal("user"), content: z.union([z.string(), z.array(UserPart)]), name: z.string().optional() }),
  z.object({
    role: z.literal("assistant"),
    content: textContent.nullable().optional(),
    tool_calls: z.array(ToolCallSchema).optional(),
    name: z.string().optional(),
    /** Reasoning that came before this turn's text and tool calls (Anthropic wants it back with tool results). */
    reasoning: z.array(ReasoningPartSchema).optional(),
  }),
  z.object({ role: z.literal("tool"), content: textContent, tool_call_id: z.string().min(1) }),
]);
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

export const ToolSchema = z.object({
  type: z.literal("function"),
  function: z.object({
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, "must be 1-64 letters, digits, underscores or dashes"),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullable().optional(),
  }),
  cache_control: CacheControlSchema.optional(),
});
export type Tool = z.infer<typeof ToolSchema>;

export const ToolChoiceSchema = z.union([
  z.enum(["none", "auto", "required"]),
  z.object({ type: z.literal("function"), function: z.object({ name: z.string().min(1) }) }),
]);
export type ToolChoice = z.infer<typeof ToolChoiceSchema>;

export const ResponseFormatSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({
    type: z.literal("json_schema"),
    json_schema: z.object({
      name: z.string().min(1),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullable().optional(),
    }),
  }),
]);
export type ResponseFormat = z.infer<typeof ResponseFormatSchema>;
