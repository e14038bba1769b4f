// The chat dialect's encoder of OpenAI answers: chat.completion JSON, chat.completion.chunk SSE lines, error events.
import type { RouteReport } from "../../core/route-report.ts";
import type { ChatResult, FinishReason, StreamEvent, Usage } from "../../core/types.ts";
import { cacheWrites, totalPromptTokens } from "../../core/types.ts";

export function openAIUsage(u: Usage) {
  const prompt = totalPromptTokens(u);
  return {
    prompt_tokens: prompt,
    completion_tokens: u.output_tokens,
    total_tokens: prompt + u.output_tokens,
    prompt_tokens_details: { cached_tokens: u.cached_input_tokens, ...cacheWrites(u) },
    // Reasoning tokens (part of completion_tokens), where the provider counts them apart.
    ...(u.reasoning_tokens === undefined
      ? {}
      : { completion_tokens_details: { reasoning_tokens: u.reasoning_tokens } }),
  };
}

function openAIToolCalls(calls: ChatResult["tool_calls"]) {
  return calls.map((c) => ({
    id: c.id,
    type: "function" as const,
    function: { name: c.name, arguments: c.arguments },
  }));
}

export function encodeCompletion(
  id: string,
  created: number,
  result: ChatResult,
  xRouter: RouteReport,
): Record<string, unknown> {
  const message: Record<string, unknown> = {
    role: "assistant",
    content: result.content,
    refusal: result.refusal ?? null,
  };
  if (result.tool_calls.length > 0) message.tool_calls = openAIToolCalls(result.tool_calls);
  return {
    id,
    object: "chat.completion",
    created,
    model: result.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: result.finish_reason }],
    usage: result.usage ? openAIUsage(result.usage) : null,
    x_router: xRouter,
  };
}

const encoder = new TextEncoder();

/**
 * Writes canonical stream events as OpenAI chunks. It remembers what the answer held so the final chunk can carry
 * finish_reason, usage (only when the client asked) and x_router.
 */
export class ChunkWriter {
  #roleSent = false;
  finishReason: FinishReason | null = null;
  usage: Usage | null = null;
  sawToolCall = false;
  readonly #base: { id: string; object: "chat.completion.chunk"; created: number; model: string };

  /** A delta chunk's text up to its delta, and after it: every chunk of the answer begins and ends the same. */
  readonly #deltaHead: string;
  readonly #deltaTail: string;

  /** `includeUsage`: the client asked for the usage chunk, and so (as at OpenAI) every chunk carries `usage: null`. */
  constructor(id: string, created: number, model: string, includeUsage = false) {
    this.#base = { id, object: "chat.completion.chunk", created, model };
    this.#deltaHead = `data: ${JSON.stringify(this.#base).slice(0, -1)},"choices":[{"index":0,"delta":`;
    this.#deltaTail = `,"logprobs":null,"finish_reason":null}]${includeUsage ? ',"usage":null' : ""}}\n\n`;
  }

  /** Encodes one event; returns null for events that are held for the end (finish, usage, end). */
  event(e: StreamEvent): Uint8Array | null {
    switch (e.type) {
      case "text":
        // The same bytes as #delta({ content: e.text }), without the object (the common chunk).
        if (this.#roleSent)
          return encoder.encode(`${this.#deltaHead}{"content":${JSON.stringify(e.text)}}${this.#deltaTail}`);
        return this.#delta({ content: e.text });
      case "refusal":
        return this.#delta({ refusal: e.text });
      case "tool_call_start":
        this.sawToolCall = true;
        return this.#delta({
          tool_calls: [{ index: e.index, id: e.id, type: "function", function: { name: e.name, arguments: "" } }],
        });
      case "tool_call_delta":
        return this.#delta({ tool_calls: [{ index: e.index, function: { arguments: e.arguments } }] });
      case "reasoning":
      case "reasoning_signature":
      case "reasoning_redacted":
        // Chat completions has no place for reasoning: OpenAI's own models never stream it.
        return null;
      case "finish":
        this.finishReason ??= e.finish_reason;
        return null;
      case "usage":
        this.usage = e.usage;
        return null;
      // The final usage chunk carries the prompt too.
      case "prompt_usage":
      case "end":
        return null;
      default: {
        const never: never = e;
        throw new Error(`unhandled event ${JSON.stringify(never)}`);
      }
    }
  }

  /** The finish chunk (with x_router), the usage chunk if asked for, and [DONE]. */
  finish(includeUsage: boolean, xRouter: RouteReport): Uint8Array {
    const finishReason = this.finishReason ?? (this.sawToolCall ? "tool_calls" : "stop");
    let out = sse({
      ...this.#base,
      choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason }],
      ...(includeUsage ? { usage: null } : {}),
      ...(includeUsage ? {} : { x_router: xRouter }),
    });
    if (includeUsage) {
      out += sse({ ...this.#base, choices: [], usage: this.usage ? openAIUsage(this.usage) : null, x_router: xRouter });
    }
    return encoder.encode(out + "data: [DONE]\n\n");
  }

  #delta(delta: Record<string, unknown>): Uint8Array {
    if (!this.#roleSent) {
      this.#roleSent = true;
      delta = { role: "assistant", ...delta };
    }
    // The same bytes as sse({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: null }] }), with
    // `usage: null` after choices when the client asked for usage.
    return encoder.encode(`${this.#deltaHead}${JSON.stringify(delta)}${this.#deltaTail}`);
  }
}

/** An OpenAI-style error event: what a client gets when a committed stream fails. No [DONE] follows. */
export function encodeStreamError(message: string, type: string, code: string, xRouter?: RouteReport): Uint8Array {
  return encoder.encode(
    sse({ error: { message, type, param: null, code }, ...(xRouter ? { x_router: xRouter } : {}) }),
  );
}

function sse(payload: unknown): string {
  return `data: ${JSON.stringify(payload)}\n\n`;
}
