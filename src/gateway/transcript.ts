// The conversation of one request, kept for the ledger only when features.store_prompts is on.
import type { ChatResult, StreamEvent, ToolCall } from "../core/types.ts";
import type { CommittedStream } from "../execute/attempt.ts";

export class Transcript {
  readonly #prompt: string;
  #text = "";
  #refusal: string | null = null;
  readonly #calls: ToolCall[] = [];

  constructor(prompt: string) {
    this.#prompt = prompt;
  }

  answer(result: ChatResult): void {
    this.#text = result.content ?? "";
    this.#refusal = result.refusal ?? null;
    this.#calls.push(...result.tool_calls);
  }

  /** The same stream, noting its text and tool calls as they pass. */
  follow(stream: CommittedStream): CommittedStream {
    const note = (e: StreamEvent) => {
      if (e.type === "text") this.#text += e.text;
      else if (e.type === "refusal") this.#refusal = (this.#refusal ?? "") + e.text;
      else if (e.type === "tool_call_start") this.#calls[e.index] = { id: e.id, name: e.name, arguments: "" };
      else if (e.type === "tool_call_delta") {
        const call = this.#calls[e.index];
        if (call !== undefined) call.arguments += e.arguments;
      }
    };
    stream.head.forEach(note);
    const rest = stream.rest;
    const next = async () => {
      const batch = await rest.next();
      batch?.forEach(note);
      return batch;
    };
    return { ...stream, rest: { next } };
  }

  content(): { prompt: string; completion: string | null } {
    const answered = this.#text !== "" || this.#refusal !== null || this.#calls.length > 0;
    const refusal = this.#refusal === null ? {} : { refusal: this.#refusal };
    return {
      prompt: this.#prompt,
      completion: answered
        ? JSON.stringify({ content: this.#text, ...refusal, tool_calls: this.#calls.filter(Boolean) })
        : null,
    };
  }
}
