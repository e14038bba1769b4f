// Wire schemas of Ollama's native /api/chat answers (JSON and NDJSON lines), validating only the fields read.
import * as z from "zod";

const ToolCallSchema = z.object({
  function: z.object({ name: z.string(), arguments: z.union([z.record(z.string(), z.unknown()), z.string()]) }),
});

export const ChatLineSchema = z.object({
  model: z.string(),
  message: z.object({ content: z.string().nullish(), tool_calls: z.array(ToolCallSchema).nullish() }).nullish(),
  done: z.boolean(),
  done_reason: z.string().nullish(),
  prompt_eval_count: z.number().int().nonnegative().nullish(),
  eval_count: z.number().int().nonnegative().nullish(),
});
export type ChatLine = z.infer<typeof ChatLineSchema>;

export const ErrorLineSchema = z.object({ error: z.string() });
