// Wire schemas of Anthropic Messages answers and stream events, validating only the fields Switchyard reads.
import * as z from "zod";

export const AnthropicUsageSchema = z.object({
  input_tokens: z.number().int().nonnegative().nullish(),
  output_tokens: z.number().int().nonnegative().nullish(),
  cache_read_input_tokens: z.number().int().nonnegative().nullish(),
  cache_creation_input_tokens: z.number().int().nonnegative().nullish(),
  /** The writes split by TTL (5-minute and 1-hour writes bill at different prices). */
  cache_creation: z
    .object({
      ephemeral_5m_input_tokens: z.number().int().nonnegative().nullish(),
      ephemeral_1h_input_tokens: z.number().int().nonnegative().nullish(),
    })
    .nullish(),
});
export type AnthropicUsage = z.infer<typeof AnthropicUsageSchema>;

const ContentBlockSchema = z.union([
  z.object({ type: z.literal("text"), text: z.string() }),
  z.object({ type: z.literal("tool_use"), id: z.string(), name: z.string(), input: z.unknown() }),
  // thinking, redacted_thinking, server tool blocks...: passed over.
  z.object({ type: z.string() }).loose(),
]);

export const MessageSchema = z.object({
  model: z.string(),
  content: z.array(ContentBlockSchema),
  stop_reason: z.string().nullish(),
  usage: AnthropicUsageSchema,
});

export const StreamEventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("message_start"), message: z.object({ model: z.string(), usage: AnthropicUsageSchema }) }),
  z.object({
    type: z.literal("content_block_start"),
    index: z.number().int(),
    content_block: z.object({
      type: z.string(),
      id: z.string().optional(),
      name: z.string().optional(),
      text: z.string().optional(),
    }),
  }),
  z.object({
    type: z.literal("content_block_delta"),
    index: z.number().int(),
    delta: z.object({
      type: z.string(),
      text: z.string().optional(),
      partial_json: z.string().optional(),
      thinking: z.string().optional(),
      signature: z.string().optional(),
    }),
  }),
  z.object({ type: z.literal("content_block_stop"), index: z.number().int() }),
  z.object({
    type: z.literal("message_delta"),
    delta: z.object({ stop_reason: z.string().nullish() }),
    usage: AnthropicUsageSchema.nullish(),
  }),
  z.object({ type: z.literal("message_stop") }),
  z.object({ type: z.literal("ping") }),
  z.object({ type: z.literal("error"), error: z.object({ type: z.string(), message: z.string() }) }),
]);

export const ErrorBodySchema = z.object({ error: z.object({ type: z.string(), message: z.string() }) });
