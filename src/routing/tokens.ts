// Prompt-size estimate for routing (context-window checks and cost estimates), from the request's text.
import type { CanonicalRequest } from "../core/types.ts";

/** Roughly four characters a token for English text, plus per-message overhead; images count as a flat 765. */
export function estimatePromptTokens(req: CanonicalRequest): number {
  let chars = 0;
  let images = 0;
  for (const m of req.messages) {
    chars += 16;
    const content = m.content;
    if (typeof content === "string") chars += content.length;
    else if (Array.isArray(content)) {
      for (const part of content) {
        if (part.type === "text") chars += part.text.length;
        else images++;
      }
    }
    if (m.role === "assistant") for (const c of m.tool_calls ?? []) chars += c.function.name.length + c.function.arguments.length;
  }
  if (req.tools !== undefined) chars += JSON.stringify(req.tools).length;
  return Math.ceil(chars / 4) + images * 765;
}
