// Wire schemas of Ollama's native /api/chat answers (JSON and NDJSON lines), validating only the fields read.
import * as z from "zod/mini";

const ToolCallSchema = z.object({
  function: z.object({ name: z.string(), arguments: z.union([z.record(z.string(), z.unknown()), z.string()]) }),
});

export const ChatLineSchema = z.object({
  model: z.string(),
  message: z.nullish(
    z.object({
      content: z.nullish(z.string()),
      /** The model's reasoning, sent apart from the content when the request set `think`. */
      thinking: z.nullish(z.string()),
      tool_calls: z.nullish(z.array(ToolCallSchema)),
    }),
  ),
  done: z.boolean(),
  done_reason: z.nullish(z.string()),
  prompt_eval_count: z.nullish(z.number().check(z.int(), z.nonnegative())),
  eval_count: z.nullish(z.number().check(z.int(), z.nonnegative())),
});
export type ChatLine = z.infer<typeof ChatLineSchema>;

export const ErrorLineSchema = z.object({ error: z.string() });
