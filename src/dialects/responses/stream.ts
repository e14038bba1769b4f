// Canonical stream events as the Responses API's semantic events, each with its sequence_number: response.created and
// in_progress, output items with their parts and deltas, then response.completed with usage, or response.failed.
import type { ChatMessage, ReasoningPart } from "../../core/messages.ts";
import type { RouteReport } from "../../core/route-report.ts";
import type { FinishReason, StreamEvent, Usage } from "../../core/types.ts";
import {
  finishedStatus,
  functionCallItem,
  messageItem,
  messagePart,
  type OutputItem,
  type ResponseEcho,
  type ResponseObject,
  responseShell,
  responsesUsage,
} from "./encoder.ts";
import { sealReasoning, wantsReasoningState, withStoredStates } from "./reasoning-state.ts";

export type ResponsesStreamEvent = Exclude<StreamEvent, { type: "end" }>;

const encoder = new TextEncoder();

type Open =
  /** A message of text, or of the model's refusal (a part of its own type, with its own events). */
  | { kind: "message"; id: string; index: number; text: string; part: "output_text" | "refusal" }
  | { kind: "reasoning"; id: string; index: number; text: string }
  | { kind: "function_call"; id: string; index: number; call: { id: string; name: string; arguments: string } };

type CallOpen = Extract<Open, { kind: "function_call" }>;
/** A tool call that started while another was streaming. */
type PendingCall = { index: number; id: string; name: string };

export class ResponsesStreamWriter {
  #seq = 0;
  #started = false;
  #open: Open | null = null;
  readonly #output: OutputItem[] = [];
  /** Canonical tool index -> its open or finished item. */
  readonly #calls = new Map<number, CallOpen>();
  /** A call that started while another was streaming, until the next event says which way they come. */
  #pending: PendingCall | null = null;
  /** Calls whose deltas interleave with the open one's, by canonical index: written whole at the end, in order. */
  readonly #queued = new Map<number, CallOpen["call"]>();
  #finish: FinishReason | null = null;
  #usage: Usage | null = null;
  /** Thinking blocks as they streamed, in order, with their signatures, and redacted ones: a continued conversation
   * hands them back to Anthropic. */
  readonly #reasoning: ReasoningPart[] = [];
  /** How many of them a reasoning item has already sealed: each item hands back only its own. */
  #sealed = 0;
  /** Each reasoning item's sealed state, by item id, shown or not (a stored response keeps it). */
  readonly #states = new Map<string, string>();
  /** Set once the stream was cut after its commit: the response failed, with this error. */
  #failure: { error: { code: string; message: string }; usage: ReturnType<typeof responsesUsage> | null } | null = null;

  constructor(
    readonly echo: ResponseEcho,
    /** The model that answers; `answeredBy` names another once the answer was continued on it. */
    public model: string,
    readonly newId: (prefix: string) => string,
    readonly now: () => number,
  ) {}

  /** response.created and response.in_progress. */
  start(): Uint8Array {
    return encoder.encode(this.#start());
  }

  event(e: ResponsesStreamEvent): Uint8Array | null {
    let out = this.#start();
    // A call that started while another streams: the event after it says whether the calls come one after another
    // (its own delta, or anything else: it opens now) or interleave (a delta of the open call: it waits its turn).
    if (this.#pending !== null && !(e.type === "tool_call_delta" && this.#calls.get(e.index) === this.#open))
      out += e.type === "tool_call_start" ? this.#queuePending() : this.#openPending();
    switch (e.type) {
      case "refusal":
      case "text": {
        if (e.text === "") break;
        const part = e.type === "text" ? "output_text" : "refusal";
        let open = this.#open;
        if (open?.kind !== "message" || open.part !== part) {
          out += this.#close();
          open = { kind: "message", id: this.newId("msg"), index: this.#output.length, text: "", part };
          this.#open = open;
          this.#output.push(messageItem(open.id, "", "in_progress", part));
          out += this.#emit("response.output_item.added", {
            output_index: open.index,
            item: { ...messageItem(open.id, "", "in_progress"), content: [] },
          });
          out += this.#emit("response.content_part.added", {
            content_index: 0,
            item_id: open.id,
            output_index: open.index,
            part: messagePart(part, ""),
          });
        }
        open.text += e.text;
        out +=
          part === "output_text"
            ? this.#emit("response.output_text.delta", {
                content_index: 0,
                delta: e.text,
                item_id: open.id,
                logprobs: [],
                output_index: open.index,
              })
            : this.#emit("response.refusal.delta", {
                content_index: 0,
                delta: e.text,
                item_id: open.id,
                output_index: open.index,
              });
        break;
      }
      case "reasoning": {
        const last = this.#reasoning.at(-1);
        if (last?.type === "thinking" && last.signature === undefined) last.thinking += e.text;
        else this.#reasoning.push({ type: "thinking", thinking: e.text });
        let open = this.#open;
        if (open?.kind !== "reasoning") {
          out += this.#close();
          open = { kind: "reasoning", id: this.newId("rs"), index: this.#output.length, text: "" };
          this.#open = open;
          this.#output.push({ id: open.id, type: "reasoning", summary: [] });
          out += this.#emit("response.output_item.added", {
            output_index: open.index,
            item: { id: open.id, type: "reasoning", summary: [] },
          });
          out += this.#emit("response.reasoning_summary_part.added", {
            item_id: open.id,
            output_index: open.index,
            summary_index: 0,
            part: { type: "summary_text", text: "" },
          });
        }
        open.text += e.text;
        out += this.#emit("response.reasoning_summary_text.delta", {
          item_id: open.id,
          output_index: open.index,
          summary_index: 0,
          delta: e.text,
        });
        break;
      }
      case "reasoning_signature": {
        // Anthropic's signature seals its thinking: the Responses API has no place for it, the stored turn keeps it.
        const last = this.#reasoning.at(-1);
        if (last?.type === "thinking") last.signature = (last.signature ?? "") + e.signature;
        else this.#reasoning.push({ type: "thinking", thinking: "", signature: e.signature });
        // Thinking that came as its signature alone has no item to be sealed in: one of its own, as for redacted.
        if (this.#open?.kind !== "reasoning" && wantsReasoningState(this.echo.body.include))
          out += this.#close() + this.#sealedItem();
        break;
      }
      case "reasoning_redacted":
        // Nothing to show; the stored turn keeps it, and a client that keeps its own state gets it sealed in a
        // reasoning item: the open one's, else one of its own with no summary (as a whole answer has it).
        this.#reasoning.push({ type: "redacted_thinking", data: e.data });
        if (this.#open?.kind !== "reasoning" && wantsReasoningState(this.echo.body.include))
          out += this.#close() + this.#sealedItem();
        break;
      case "tool_call_start":
        // OpenAI's clients take an item whole at its done, after which no delta comes: a call that starts while
        // another streams opens once the next event shows the open one is done, or waits until the end if their
        // deltas interleave.
        if (this.#queued.size > 0) this.#queued.set(e.index, { id: e.id, name: e.name, arguments: "" });
        else if (this.#open?.kind === "function_call") this.#pending = { index: e.index, id: e.id, name: e.name };
        else out += this.#openCall(e.index, { id: e.id, name: e.name, arguments: "" });
        break;
      case "tool_call_delta": {
        const waiting = this.#queued.get(e.index);
        if (waiting !== undefined) {
          waiting.arguments += e.arguments;
          break;
        }
        if (this.#pending !== null) out += this.#queuePending();
        const call = this.#calls.get(e.index);
        if (call === undefined || e.arguments === "") break;
        call.call.arguments += e.arguments;
        // A provider that interleaves its calls' deltas sends some for a call already closed: its item in the output
        // takes them too, so that response.completed and a stored response hold every call's whole arguments.
        if (this.#open !== call) this.#mark(call, "completed");
        out += this.#emit("response.function_call_arguments.delta", {
          delta: e.arguments,
          item_id: call.id,
          output_index: call.index,
        });
        break;
      }
      case "finish":
        this.#finish ??= e.finish_reason;
        break;
      case "usage":
        this.#usage = e.usage;
        break;
      // response.completed carries the whole usage, the prompt's part too.
      case "prompt_usage":
        break;
      default: {
        const never: never = e;
        throw new Error(`unhandled event ${JSON.stringify(never)}`);
      }
    }
    return out === "" ? null : encoder.encode(out);
  }

  /** The model that answered in the end (a continuation's), for the events and the object that close the response. */
  answeredBy(model: string): this {
    this.model = model;
    return this;
  }

  /** Closes the open item and sends response.completed (or incomplete, at a length stop) with usage and x_router. */
  end(route: RouteReport): Uint8Array {
    let out = this.#start();
    if (this.#pending !== null) out += this.#openPending();
    // The calls that waited their turn, each whole: added, its arguments, done.
    for (const [index, call] of this.#queued) {
      const args = call.arguments;
      out += this.#openCall(index, { ...call, arguments: "" });
      const open = this.#calls.get(index) as CallOpen;
      open.call.arguments = args;
      if (args !== "")
        out += this.#emit("response.function_call_arguments.delta", {
          delta: args,
          item_id: open.id,
          output_index: open.index,
        });
    }
    this.#queued.clear();
    // At a length stop the item still open is the one the limit cut: it closes `incomplete`, as OpenAI marks it.
    out += this.#close(finishedStatus(this.#finish).status === "completed" ? "completed" : "incomplete");
    const response = this.response(route);
    out += this.#emit(response.status === "completed" ? "response.completed" : "response.incomplete", { response });
    return encoder.encode(out);
  }

  /** A failure after the commit point: response.failed with the error, never response.completed. */
  cut(message: string, route: RouteReport, status = 500): Uint8Array {
    let out = this.#start();
    if (this.#open !== null) {
      this.#mark(this.#open, "incomplete");
      this.#open = null;
    }
    this.#failure = {
      // The codes OpenAI's response.failed carries: a provider's rate limit is its own, anything else the server's.
      error: { code: status === 429 ? "rate_limit_exceeded" : "server_error", message },
      usage: this.#usage === null ? null : responsesUsage(this.#usage),
    };
    out += this.#emit("response.failed", { response: this.response(route) });
    return encoder.encode(out);
  }

  /** The Response object as it stands now (what a stored response keeps after the stream, failed or not). */
  response(route: RouteReport): ResponseObject {
    if (this.#failure !== null)
      return {
        ...responseShell(this.echo, this.model),
        status: "failed",
        ...this.#failure,
        output: this.#output,
        x_router: route,
      };
    const finished = finishedStatus(this.#finish);
    return {
      ...responseShell(this.echo, this.model),
      ...finished,
      completed_at: finished.status === "completed" ? Math.floor(this.now() / 1000) : null,
      output: this.#output,
      usage: responsesUsage(this.#usage),
      x_router: route,
    };
  }

  /** The Response object as stored: reasoning items keep their sealed state for an item_reference to hand back. */
  stored(route: RouteReport): ResponseObject {
    const response = this.response(route);
    return { ...response, output: withStoredStates(response.output, this.#states) as OutputItem[] };
  }

  /** What was answered, as the canonical assistant turn a stored conversation continues from. */
  assistantMessage(): ChatMessage {
    const turn = assistantTurn(this.#output);
    if (this.#reasoning.length === 0 || turn.role !== "assistant") return turn;
    return { ...turn, reasoning: this.#reasoning.map((p) => ({ ...p })) };
  }

  #start(): string {
    if (this.#started) return "";
    this.#started = true;
    const response = responseShell(this.echo, this.model);
    return this.#emit("response.created", { response }) + this.#emit("response.in_progress", { response });
  }

  #openCall(index: number, call: CallOpen["call"]): string {
    const out = this.#close();
    const open: CallOpen = { kind: "function_call", id: this.newId("fc"), index: this.#output.length, call };
    this.#open = open;
    this.#calls.set(index, open);
    this.#output.push(functionCallItem(open.id, open.call, "in_progress"));
    return (
      out +
      this.#emit("response.output_item.added", {
        item: functionCallItem(open.id, open.call, "in_progress"),
        output_index: open.index,
      })
    );
  }

  /** The call that started while another streamed opens now: they come one after another. */
  #openPending(): string {
    const p = this.#pending as PendingCall;
    this.#pending = null;
    return this.#openCall(p.index, { id: p.id, name: p.name, arguments: "" });
  }

  /** The calls interleave: the one that started waits its turn, and so does every call after it. */
  #queuePending(): string {
    const p = this.#pending as PendingCall;
    this.#pending = null;
    this.#queued.set(p.index, { id: p.id, name: p.name, arguments: "" });
    return "";
  }

  #close(status = "completed"): string {
    const open = this.#open;
    if (open === null) return "";
    this.#open = null;
    const item = this.#mark(open, status);
    switch (open.kind) {
      case "message": {
        const part = messagePart(open.part, open.text);
        const where = { content_index: 0, item_id: open.id, output_index: open.index };
        return (
          (open.part === "output_text"
            ? this.#emit("response.output_text.done", { ...where, logprobs: [], text: open.text })
            : this.#emit("response.refusal.done", { ...where, refusal: open.text })) +
          this.#emit("response.content_part.done", {
            content_index: 0,
            item_id: open.id,
            output_index: open.index,
            part,
          }) +
          this.#emit("response.output_item.done", { item, output_index: open.index })
        );
      }
      case "reasoning": {
        const part = { type: "summary_text", text: open.text };
        return (
          this.#emit("response.reasoning_summary_text.done", {
            item_id: open.id,
            output_index: open.index,
            summary_index: 0,
            text: open.text,
          }) +
          this.#emit("response.reasoning_summary_part.done", {
            item_id: open.id,
            output_index: open.index,
            summary_index: 0,
            part,
          }) +
          this.#emit("response.output_item.done", { item, output_index: open.index })
        );
      }
      case "function_call":
        return (
          this.#emit("response.function_call_arguments.done", {
            arguments: open.call.arguments,
            item_id: open.id,
            output_index: open.index,
          }) + this.#emit("response.output_item.done", { item, output_index: open.index })
        );
      default: {
        const never: never = open;
        throw new Error(`unhandled item ${JSON.stringify(never)}`);
      }
    }
  }

  /** Rewrites an item in the output list with its final text or arguments and `status`. */
  #mark(target: Open, status: string): OutputItem {
    const item =
      target.kind === "message"
        ? messageItem(target.id, target.text, status, target.part)
        : target.kind === "reasoning"
          ? this.#reasoningItem(target.id, target.text)
          : functionCallItem(target.id, target.call, status);
    this.#output[target.index] = item;
    return item;
  }

  /** A reasoning item with no summary, added and done at once: the sealed state of what no open item holds. */
  #sealedItem(): string {
    const index = this.#output.length;
    const item = this.#reasoningItem(this.newId("rs"), "");
    this.#output.push(item);
    return (
      this.#emit("response.output_item.added", { output_index: index, item }) +
      this.#emit("response.output_item.done", { output_index: index, item })
    );
  }

  /** A finished reasoning item; with the sealed thinking when the client asked for reasoning.encrypted_content. */
  #reasoningItem(id: string, text: string): OutputItem {
    const item: OutputItem = { id, type: "reasoning", summary: text === "" ? [] : [{ type: "summary_text", text }] };
    // Sealed either way: a client that did not ask for it may still hand the stored item back by reference.
    const sealed = this.#reasoning.length > this.#sealed ? sealReasoning(this.#reasoning.slice(this.#sealed)) : null;
    this.#sealed = this.#reasoning.length;
    if (sealed === null) return item;
    this.#states.set(id, sealed);
    return wantsReasoningState(this.echo.body.include) ? { ...item, encrypted_content: sealed } : item;
  }

  #emit(type: string, fields: Record<string, unknown>): string {
    const data = { type, ...fields, sequence_number: this.#seq++ };
    return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
  }
}

/** Output items as the canonical assistant turn: the message text and the function calls. */
export function assistantTurn(output: readonly OutputItem[]): ChatMessage {
  let text = "";
  const calls: { id: string; type: "function"; function: { name: string; arguments: string } }[] = [];
  for (const item of output) {
    if (item.type === "message" && Array.isArray(item.content)) {
      // A refusal goes back as the turn's text, as a client's own refusal part is read (request.ts).
      for (const part of item.content as { text?: unknown; refusal?: unknown }[]) {
        if (typeof part.text === "string") text += part.text;
        else if (typeof part.refusal === "string") text += part.refusal;
      }
    }
    // A call the answer never finished (cut, or stopped at its length) cannot have been run: it is not history.
    if (item.type === "function_call" && item.status !== "incomplete") {
      calls.push({
        id: String(item.call_id),
        type: "function",
        function: { name: String(item.name), arguments: String(item.arguments) },
      });
    }
  }
  return { role: "assistant", content: text === "" ? null : text, ...(calls.length > 0 ? { tool_calls: calls } : {}) };
}
