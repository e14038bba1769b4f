// The Messages dialect's encoders: a canonical result as Anthropic's message JSON, and its usage and stop reason.

import type { RouteReport } from "../../core/route-report.ts";
import type { ChatResult, FinishReason, Usage } from "../../core/types.ts";

export type StopReason = "end_turn" | "max_tokens" | "stop_sequence" | "tool_use" | "refusal";

/** A turn that called tools is `tool_use`, whatever the provider said (some say "stop" with tool calls). */
export function stopReason(finish: FinishReason | null, sawToolCall: boolean): StopReason {
  // A tool call cut off by max_tokens is not a call to run (its input is incomplete): max_tokens wins.
  if (sawToolCall && finish !== "length") return "tool_use";
  switch (finish) {
    case "length":
      return "max_tokens";
    case "tool_calls":
      return "tool_use";
    case "content_filter":
      return "refusal";
    case "stop":
    case null:
      return "end_turn";
    default: {
      const never: never = finish;
      throw new Error(`unhandled finish reason ${String(never)}`);
    }
  }
}

export function anthropicUsage(u: Usage | null) {
  return {
    input_tokens: u?.input_tokens ?? 0,
    cache_creation_input_tokens: u?.cache_write_tokens ?? 0,
    cache_read_input_tokens: u?.cached_input_tokens ?? 0,
    // The cache writes by time to live, as Anthropic breaks them down (a provider without 1-hour writes: all 5-minute).
    cache_creation: {
      ephemeral_5m_input_tokens: (u?.cache_write_tokens ?? 0) - (u?.cache_write_1h_tokens ?? 0),
      ephemeral_1h_input_tokens: u?.cache_write_1h_tokens ?? 0,
    },
    output_tokens: u?.output_tokens ?? 0,
    // Anthropic's breakdown of output_tokens, where the provider said how many went to reasoning.
    ...(u?.reasoning_tokens === undefined ? {} : { output_tokens_details: { thinking_tokens: u.reasoning_tokens } }),
  };
}

export function parseToolInput(args: string): Record<string, unknown> {
  try {
    const value: unknown = args.trim() === "" ? {} : JSON.parse(args);
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    // A model that wrote broken JSON: Anthropic's shape needs an object, so the raw text rides in one.
    return { _raw_arguments: args };
  }
}

export function encodeMessage(id: string, result: ChatResult, route: RouteReport): Record<string, unknown> {
  const content: Record<string, unknown>[] = [];
  for (const r of result.reasoning ?? []) {
    content.push(
      r.type === "thinking"
        ? { type: "thinking", thinking: r.thinking, signature: r.signature ?? "" }
        : { type: "redacted_thinking", data: r.data },
    );
  }
  if (result.content !== null && result.content !== "") content.push({ type: "text", text: result.content });
  // A refusal said apart (OpenAI's `refusal`) is the turn's text here, and its stop reason Anthropic's own.
  if (result.refusal !== undefined) content.push({ type: "text", text: result.refusal });
  for (const call of result.tool_calls) {
    content.push({ type: "tool_use", id: call.id, name: call.name, input: parseToolInput(call.arguments) });
  }
  return {
    id,
    type: "message",
    role: "assistant",
    model: result.model,
    content,
    stop_reason:
      result.refusal !== undefined
        ? ("refusal" as const)
        : result.stop_sequence === undefined
          ? stopReason(result.finish_reason, result.tool_calls.length > 0)
          : ("stop_sequence" as const),
    stop_sequence: result.stop_sequence ?? null,
    usage: anthropicUsage(result.usage),
    x_router: route,
  };
}
