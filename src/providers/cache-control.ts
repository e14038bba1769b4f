// Anthropic's cache_control breakpoints are Anthropic's alone: every other provider gets the request without them
// (OpenAI caches on its own; Mistral refuses unknown fields), and the client is told they were dropped.
import type { ProviderId } from "../config/schema.ts";
import type { CanonicalRequest, ChatMessage } from "../core/types.ts";

function strip<T extends object>(part: T): T {
  if (!("cache_control" in part)) return part;
  const { cache_control: _dropped, ...rest } = part as T & { cache_control?: unknown };
  return rest as T;
}

function stripMessage(m: ChatMessage): ChatMessage {
  if (!Array.isArray(m.content)) return m;
  return { ...m, content: (m.content as object[]).map(strip) } as ChatMessage;
}

/** The request without breakpoints, and the warning to give when there were any. */
export function withoutCacheControl(
  req: CanonicalRequest,
  provider: ProviderId,
): { req: CanonicalRequest; warning: string | null } {
  const marked =
    req.messages.some((m) => Array.isArray(m.content) && (m.content as object[]).some((p) => "cache_control" in p)) ||
    (req.tools ?? []).some((t) => t.cache_control !== undefined);
  if (!marked) return { req, warning: null };
  return {
    req: { ...req, messages: req.messages.map(stripMessage), ...(req.tools ? { tools: req.tools.map(strip) } : {}) },
    warning: `${provider} has no cache_control: the prompt-cache breakpoints were not sent`,
  };
}

/** OpenAI's reasoning_effort for a thinking budget (Anthropic's control), so a budget still asks for about as much. */
export function effortForBudget(budget: number): "low" | "medium" | "high" {
  if (budget < 4096) return "low";
  if (budget < 16384) return "medium";
  return "high";
}
