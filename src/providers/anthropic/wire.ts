// Wire schemas of Anthropic Messages answers and stream events, validating only the fields Switchyard reads.
import * as z from "zod/mini";

const count = () => z.nullish(z.number().check(z.int(), z.nonnegative()));

export const AnthropicUsageSchema = z.object({
  input_tokens: count(),
  output_tokens: count(),
  cache_read_input_tokens: count(),
  cache_creation_input_tokens: count(),
  /** The writes split by TTL (5-minute and 1-hour writes bill at different prices). */
  cache_creation: z.nullish(
    z.object({
      ephemeral_5m_input_tokens: count(),
      ephemeral_1h_input_tokens: count(),
    }),
  ),
  /** Of output_tokens, those spent thinking (the current API's breakdown; @anthropic-ai/sdk 1.15's Usage type). */
  output_tokens_details: z.nullish(z.object({ thinking_tokens: count() })),
});
export type AnthropicUsage = z.infer<typeof AnthropicUsageSchema>;

const ContentBlockSchema = z.union([
  z.object({ type: z.literal("text"), text: z.string() }),
  z.object({ type: z.literal("tool_use"), id: z.string(), name: z.string(), input: z.unknown() }),
  // thinking, redacted_thinking, server tool blocks...: passed over.
  z.looseObject({ type: z.string() }),
]);

export const MessageSchema = z.object({
  model: z.string(),
  content: z.array(ContentBlockSchema),
  stop_reason: z.nullish(z.string()),
  stop_sequence: z.nullish(z.string()),
  usage: AnthropicUsageSchema,
});

const index = () => z.number().check(z.int());

export const StreamEventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("message_start"), message: z.object({ model: z.string(), usage: AnthropicUsageSchema }) }),
  z.object({
    type: z.literal("content_block_start"),
    index: index(),
    content_block: z.object({
      type: z.string(),
      id: z.optional(z.string()),
      name: z.optional(z.string()),
      text: z.optional(z.string()),
      data: z.optional(z.string()),
    }),
  }),
  z.object({
    type: z.literal("content_block_delta"),
    index: index(),
    delta: z.object({
      type: z.string(),
      text: z.optional(z.string()),
      partial_json: z.optional(z.string()),
      thinking: z.optional(z.string()),
      signature: z.optional(z.string()),
    }),
  }),
  z.object({ type: z.literal("content_block_stop"), index: index() }),
  z.object({
    type: z.literal("message_delta"),
    delta: z.object({ stop_reason: z.nullish(z.string()), stop_sequence: z.nullish(z.string()) }),
    usage: z.nullish(AnthropicUsageSchema),
  }),
  z.object({ type: z.literal("message_stop") }),
  z.object({ type: z.literal("ping") }),
  z.object({ type: z.literal("error"), error: z.object({ type: z.string(), message: z.string() }) }),
]);

export const ErrorBodySchema = z.object({ error: z.object({ type: z.string(), message: z.string() }) });
