// Canonical stream events as Anthropic's event sequence: message_start, content blocks (text, tool_use, thinking) with
// their deltas, message_delta with the stop reason and usage, message_stop; after a failure, an `error` event instead.
import type { RouteReport } from "../../core/route-report.ts";
import type { FinishReason, StreamEvent, Usage } from "../../core/types.ts";
import { anthropicUsage, stopReason } from "./encoder.ts";
import { anthropicErrorType } from "./errors.ts";

export type MessagesStreamEvent = Exclude<StreamEvent, { type: "end" }>;

const encoder = new TextEncoder();
const sse = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/** A tool call that started while another was streaming. */
type PendingCall = { index: number; id: string; name: string };

type OpenBlock = { kind: "text" } | { kind: "thinking" } | { kind: "tool_use"; toolIndex: number };

export class MessagesStreamWriter {
  #started = false;
  #block: OpenBlock | null = null;
  /** The open thinking block got its signature: more thinking after it is a block of its own. */
  #signed = false;
  #pinged = false;
  #nextIndex = 0;
  /** Canonical tool index -> Anthropic content block index. */
  readonly #toolBlocks = new Map<number, number>();
  /** A call that started while another was streaming, until the next event says which way they come. */
  #pending: PendingCall | null = null;
  /** Calls whose deltas interleave with the open one's, by canonical index: written whole at the end, in order. */
  readonly #queued = new Map<number, { id: string; name: string; input: string }>();
  #finish: FinishReason | null = null;
  /** The model refused (OpenAI's `refusal`, streamed as text here): the stop reason is Anthropic's `refusal`. */
  #refused = false;
  /** The stop sequence that ended the answer, where the provider said which. */
  #stopSequence: string | null = null;
  #usage: Usage | null = null;
  /** The prompt's tokens as the provider counted them at the start (message_start's usage); null: not known. */
  #prompt: Usage | null = null;

  constructor(
    readonly id: string,
    readonly model: string,
  ) {}

  /** message_start: what the client reads first, before any content (the ping follows the first block's start). */
  start(): Uint8Array {
    this.#started = true;
    return encoder.encode(this.#start());
  }

  event(e: MessagesStreamEvent): Uint8Array | null {
    // The provider's count of the prompt, before the first content: message_start carries it, as Anthropic's does.
    if (e.type === "prompt_usage") {
      if (!this.#started) this.#prompt = e.usage;
      return null;
    }
    let out = this.#started ? "" : this.#start();
    this.#started = true;
    // A call that started while another streams: the event after it says whether the calls come one after another
    // (its own delta, or anything else: it opens now) or interleave (a delta of the open call: it waits its turn).
    if (this.#pending !== null && !(e.type === "tool_call_delta" && e.index === this.#openToolIndex()))
      out += e.type === "tool_call_start" ? this.#queuePending() : this.#openPending();
    switch (e.type) {
      case "refusal":
      case "text":
        if (e.type === "refusal") this.#refused = true;
        if (e.text === "") return out === "" ? null : encoder.encode(out);
        if (this.#block?.kind !== "text") out += this.#open({ kind: "text" }, { type: "text", text: "" });
        out += this.#delta({ type: "text_delta", text: e.text });
        break;
      case "reasoning":
        // A signature seals its block (Anthropic's clients keep one per block): thinking after it opens the next.
        if (this.#block?.kind !== "thinking" || this.#signed)
          out += this.#open({ kind: "thinking" }, { type: "thinking", thinking: "", signature: "" });
        out += this.#delta({ type: "thinking_delta", thinking: e.text });
        break;
      case "reasoning_signature":
        if (this.#block?.kind !== "thinking")
          out += this.#open({ kind: "thinking" }, { type: "thinking", thinking: "", signature: "" });
        out += this.#delta({ type: "signature_delta", signature: e.signature });
        this.#signed = true;
        break;
      case "reasoning_redacted":
        // A block of its own, whole in its start event, as Anthropic streams it.
        out += this.#open({ kind: "thinking" }, { type: "redacted_thinking", data: e.data }) + this.#close();
        break;
      case "tool_call_start":
        // Anthropic's clients take a block's deltas only until its stop: a call that starts while another streams
        // opens once the next event shows the open one is done, or waits until the end if their deltas interleave.
        if (this.#queued.size > 0) this.#queued.set(e.index, { id: e.id, name: e.name, input: "" });
        else if (this.#block?.kind === "tool_use") this.#pending = { index: e.index, id: e.id, name: e.name };
        else out += this.#openTool(e.index, e.id, e.name);
        break;
      case "tool_call_delta": {
        const waiting = this.#queued.get(e.index);
        if (waiting !== undefined) {
          waiting.input += e.arguments;
          break;
        }
        if (this.#pending !== null) out += this.#queuePending();
        const index = this.#toolBlocks.get(e.index);
        if (index === undefined || e.arguments === "") break;
        out += sse("content_block_delta", {
          type: "content_block_delta",
          index,
          delta: { type: "input_json_delta", partial_json: e.arguments },
        });
        break;
      }
      case "finish":
        if (this.#finish === null && e.stop_sequence !== undefined) this.#stopSequence = e.stop_sequence;
        this.#finish ??= e.finish_reason;
        break;
      case "usage":
        this.#usage = e.usage;
        break;
      default: {
        const never: never = e;
        throw new Error(`unhandled event ${JSON.stringify(never)}`);
      }
    }
    return out === "" ? null : encoder.encode(out);
  }

  /** The last block's stop, message_delta (stop reason, usage, x_router) and message_stop. */
  end(route: RouteReport): Uint8Array {
    let out = this.#started ? "" : this.#start();
    if (this.#pending !== null) out += this.#openPending();
    // The calls that waited their turn, each a whole block: its start, its input, its stop.
    for (const [toolIndex, call] of this.#queued) {
      out += this.#openTool(toolIndex, call.id, call.name);
      if (call.input !== "") out += this.#delta({ type: "input_json_delta", partial_json: call.input });
    }
    this.#queued.clear();
    out += this.#close();
    if (!this.#pinged) {
      this.#pinged = true;
      out += sse("ping", { type: "ping" });
    }
    out += sse("message_delta", {
      type: "message_delta",
      delta: {
        stop_reason: this.#refused
          ? "refusal"
          : this.#stopSequence === null
            ? stopReason(this.#finish, this.#toolBlocks.size > 0)
            : "stop_sequence",
        stop_sequence: this.#stopSequence,
      },
      usage: anthropicUsage(this.#usage),
      x_router: route,
    });
    out += sse("message_stop", { type: "message_stop" });
    return encoder.encode(out);
  }

  /** A failure after the commit point: Anthropic's `error` event, and no message_stop after it. */
  cut(message: string, route: RouteReport, status = 500): Uint8Array {
    const type = anthropicErrorType(status);
    return encoder.encode(sse("error", { type: "error", error: { type, message }, x_router: route }));
  }

  #start(): string {
    return sse("message_start", {
      type: "message_start",
      message: {
        id: this.id,
        type: "message",
        role: "assistant",
        model: this.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: anthropicUsage(this.#prompt),
      },
    });
  }

  #openTool(toolIndex: number, id: string, name: string): string {
    const out = this.#open({ kind: "tool_use", toolIndex }, { type: "tool_use", id, name, input: {} });
    this.#toolBlocks.set(toolIndex, this.#nextIndex - 1);
    return out;
  }

  #openToolIndex(): number | null {
    return this.#block?.kind === "tool_use" ? this.#block.toolIndex : null;
  }

  /** The call that started while another streamed opens now: they come one after another. */
  #openPending(): string {
    const p = this.#pending as PendingCall;
    this.#pending = null;
    return this.#openTool(p.index, p.id, p.name);
  }

  /** The calls interleave: the one that started waits its turn, and so does every call after it. */
  #queuePending(): string {
    const p = this.#pending as PendingCall;
    this.#pending = null;
    this.#queued.set(p.index, { id: p.id, name: p.name, input: "" });
    return "";
  }

  #open(block: OpenBlock, contentBlock: Record<string, unknown>): string {
    const out = this.#close();
    this.#block = block;
    this.#signed = false;
    const index = this.#nextIndex++;
    const start = sse("content_block_start", { type: "content_block_start", index, content_block: contentBlock });
    if (this.#pinged) return out + start;
    // Anthropic sends its first ping right after the first block's start.
    this.#pinged = true;
    return out + start + sse("ping", { type: "ping" });
  }

  #delta(delta: Record<string, unknown>): string {
    return sse("content_block_delta", { type: "content_block_delta", index: this.#nextIndex - 1, delta });
  }

  #close(): string {
    if (this.#block === null) return "";
    this.#block = null;
    return sse("content_block_stop", { type: "content_block_stop", index: this.#nextIndex - 1 });
  }
}
