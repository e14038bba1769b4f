// Maps OpenAI's finish reasons to the canonical set; providers with their own words map them first (Mistral).
import type { FinishReason } from "../../core/types.ts";

export function mapOpenAIFinishReason(reason: string | null | undefined, hasToolCalls: boolean): FinishReason {
  switch (reason) {
    case "length":
      return "length";
    case "tool_calls":
    case "function_call":
      return "tool_calls";
    case "content_filter":
      return "content_filter";
    default:
      // "stop", Together's "eos", and absent reasons: a finished answer, named by what it holds.
      return hasToolCalls ? "tool_calls" : "stop";
  }
}
