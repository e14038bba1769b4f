// The Responses dialect's encoder: a canonical result as OpenAI's Response object (output items, usage, x_router).
import type { RouteReport } from "../../core/route-report.ts";
import type { ChatResult, Usage } from "../../core/types.ts";
import { cacheWrites, totalPromptTokens } from "../../core/types.ts";
import { sealReasoning, wantsReasoningState } from "./reasoning-state.ts";
import type { ResponsesRequest } from "./request.ts";

export function responsesUsage(u: Usage | null) {
  const input = u === null ? 0 : totalPromptTokens(u);
  const output = u?.output_tokens ?? 0;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: u?.cached_input_tokens ?? 0, ...(u === null ? {} : cacheWrites(u)) },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: u?.reasoning_tokens ?? 0 },
    total_tokens: input + output,
  };
}

/** What the Response object echoes of its request (OpenAI answers with the settings it ran with). */
export interface ResponseEcho {
  id: string;
  created_at: number;
  body: ResponsesRequest;
}

export type OutputItem = Record<string, unknown> & { type: string; id: string };

export function responseShell(echo: ResponseEcho, model: string) {
  const b = echo.body;
  return {
    id: echo.id,
    object: "response" as const,
    created_at: echo.created_at,
    status: "in_progress" as string,
    background: false,
    completed_at: null as number | null,
    error: null as { code: string; message: string } | null,
    incomplete_details: null as { reason: string } | null,
    instructions: b.instructions ?? null,
    max_output_tokens: b.max_output_tokens ?? null,
    model,
    output: [] as OutputItem[],
    parallel_tool_calls: b.parallel_tool_calls ?? true,
    previous_response_id: b.previous_response_id ?? null,
    reasoning: { effort: b.reasoning?.effort ?? null, summary: b.reasoning?.summary ?? null },
    store: b.store ?? true,
    temperature: b.temperature ?? null,
    text: { format: b.text?.format ?? { type: "text" } },
    tool_choice: b.tool_choice ?? "auto",
    tools: b.tools ?? [],
    top_p: b.top_p ?? null,
    truncation: b.truncation ?? "disabled",
    usage: null as ReturnType<typeof responsesUsage> | null,
    user: b.user ?? null,
    metadata: b.metadata ?? {},
  };
}
export type ResponseObject = ReturnType<typeof responseShell> & { x_router?: RouteReport };

/** Output items of a finished answer: reasoning (when the provider exposed it), the message, the function calls. */
export function outputItems(
  result: ChatResult,
  newId: (prefix: string) => string,
  /** The client asked for reasoning.encrypted_content: the item carries the sealed thinking to hand back. */
  withState = false,
): OutputItem[] {
  const items: OutputItem[] = [];
  const reasoning = (result.reasoning ?? []).flatMap((r) => (r.type === "thinking" ? [r.thinking] : []));
  const sealed = withState ? sealReasoning(result.reasoning) : null;
  if (reasoning.length > 0 || sealed !== null) {
    items.push({
      id: newId("rs"),
      type: "reasoning",
      summary: reasoning.map((text) => ({ type: "summary_text", text })),
      ...(sealed === null ? {} : { encrypted_content: sealed }),
    });
  }
  if (result.content !== null && result.content !== "")
    items.push(messageItem(newId("msg"), result.content, "completed"));
  if (result.refusal !== undefined) items.push(messageItem(newId("msg"), result.refusal, "completed", "refusal"));
  for (const call of result.tool_calls) items.push(functionCallItem(newId("fc"), call, "completed"));
  return items;
}

/** An assistant message: its text, or the model's refusal (OpenAI's `refusal` content part). */
export function messageItem(id: string, text: string, status: string, part = "output_text"): OutputItem {
  return { id, type: "message", status, content: [messagePart(part, text)], role: "assistant" };
}

export function messagePart(part: string, text: string): Record<string, unknown> {
  return part === "refusal" ? { type: "refusal", refusal: text } : { type: part, annotations: [], logprobs: [], text };
}

export function functionCallItem(
  id: string,
  call: { id: string; name: string; arguments: string },
  status: string,
): OutputItem {
  return { id, type: "function_call", status, arguments: call.arguments, call_id: call.id, name: call.name };
}

/** At a length stop the item the limit cut (the last message or call) is `incomplete`, as OpenAI marks it. */
function markCutItem(output: OutputItem[]): void {
  for (let i = output.length - 1; i >= 0; i--) {
    const item = output[i]!;
    if (item.type === "reasoning") continue;
    output[i] = { ...item, status: "incomplete" };
    return;
  }
}

/** A length stop is `incomplete` with its reason, as OpenAI reports it. */
export function finishedStatus(finish: ChatResult["finish_reason"] | null) {
  if (finish === "length") return { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } };
  if (finish === "content_filter") return { status: "incomplete", incomplete_details: { reason: "content_filter" } };
  return { status: "completed", incomplete_details: null };
}

export function encodeResponse(
  echo: ResponseEcho,
  result: ChatResult,
  route: RouteReport,
  completedAt: number,
  newId: (prefix: string) => string,
): ResponseObject {
  const finished = finishedStatus(result.finish_reason);
  const output = outputItems(result, newId, wantsReasoningState(echo.body.include));
  if (finished.status === "incomplete") markCutItem(output);
  return {
    ...responseShell(echo, result.model),
    ...finished,
    // As at OpenAI, only a completed response has a completion time.
    completed_at: finished.status === "completed" ? completedAt : null,
    output,
    // No usage from the provider: none is made up here (x_router.usage_estimated and cost_usd give what is billed).
    usage: result.usage === null ? null : responsesUsage(result.usage),
    x_router: route,
  };
}
