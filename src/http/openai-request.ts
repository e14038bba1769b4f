// Zod schema of the OpenAI Chat Completions request body Switchyard accepts, plus its own `router` and `models` fields.
import { z } from "zod";
import { CapabilitySchema, StrategySchema } from "../config/schema.ts";

const TextPart = z.object({ type: z.literal("text"), text: z.string() });
const ImagePart = z.object({
  type: z.literal("image_url"),
  image_url: z.object({ url: z.string().min(1), detail: z.enum(["auto", "low", "high"]).optional() }),
});
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

const TimeoutsOverride = z.strictObject({
  headers_ms: z.int().positive().optional(),
  first_token_ms: z.int().positive().optional(),
  idle_ms: z.int().positive().optional(),
  total_ms: z.int().positive().optional(),
});

export const RouterControlsSchema = z.strictObject({
  strategy: StrategySchema.optional(),
  chain: z.string().min(1).optional(),
  capabilities: z.array(CapabilitySchema).optional(),
  task_type: z.string().min(1).optional(),
  budget_remaining: z.number().nonnegative().optional(),
  max_latency_ms: z.number().positive().optional(),
  fallback: z.boolean().optional(),
  workspace_id: z.string().min(1).max(128).optional(),
  execution_id: z.string().min(1).max(128).optional(),
  timeouts: TimeoutsOverride.optional(),
});
export type RouterControls = z.infer<typeof RouterControlsSchema>;

const nullableNumber = (schema: z.ZodNumber) => schema.nullable().optional();

export const ChatCompletionRequestSchema = z.object({
  model: z.string().min(1, "model is required"),
  models: z.array(z.string().min(1)).min(1).max(10).optional(),
  messages: z.array(ChatMessageSchema).min(1, "messages must hold at least one message"),
  stream: z.boolean().nullable().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullable().optional(),
  tools: z.array(ToolSchema).max(128).optional(),
  tool_choice: ToolChoiceSchema.optional(),
  parallel_tool_calls: z.boolean().optional(),
  response_format: ResponseFormatSchema.optional(),
  temperature: nullableNumber(z.number().min(0).max(2)),
  top_p: nullableNumber(z.number().min(0).max(1)),
  presence_penalty: nullableNumber(z.number().min(-2).max(2)),
  frequency_penalty: nullableNumber(z.number().min(-2).max(2)),
  stop: z
    .union([z.string(), z.array(z.string()).max(4)])
    .nullable()
    .optional(),
  seed: z.int().nullable().optional(),
  max_tokens: z.int().positive().nullable().optional(),
  max_completion_tokens: z.int().positive().nullable().optional(),
  n: z.literal(1, "only n=1 is supported").nullable().optional(),
  user: z.string().max(256).optional(),
  router: RouterControlsSchema.optional(),
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequestSchema>;

/** Top-level fields OpenAI defines that Switchyard reads; anything else is passed over with a visible warning. */
export const KNOWN_FIELDS: ReadonlySet<string> = new Set(Object.keys(ChatCompletionRequestSchema.shape));
