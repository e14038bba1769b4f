// The one place upstream bytes become messages: SSE events and NDJSON lines.

export interface WireMessage {
  /** SSE `event:` field; undefined for NDJSON and for SSE messages without one. */
  event?: string;
  data: string;
  /** `data` parsed as JSON, where a reader already parsed it (each message is parsed once on the stream path). */
  json?: unknown;
}

export type WireFormat = "sse" | "ndjson";

/**
 * Reads a response body as messages, one read of the body at a time: `read()` gives the messages that read completed
 * (often several, sometimes none), and null once the body has ended. A pending read ends when the fetch's AbortSignal
 * fires; `cancel()` (for a reader left before the end) cancels the body, which aborts the upstream request.
 */
export class WireReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();
  readonly #feed: (text: string) => void;
  readonly #flush: () => void;
  #queue: WireMessage[] = [];
  #done = false;

  constructor(body: ReadableStream<Uint8Array>, format: WireFormat) {
    this.#reader = body.getReader();
    if (format === "sse") {
      const parser = sseParser((m) => this.#queue.push(m));
      this.#feed = parser.feed;
      this.#flush = parser.reset;
    } else {
      let partial = "";
      this.#feed = (text) => {
        const lines = (partial + text).split("\n");
        partial = lines.pop() ?? "";
        for (const line of lines) if (line.trim() !== "") this.#queue.push({ data: line });
      };
      this.#flush = () => {
        if (partial.trim() !== "") this.#queue.push({ data: partial });
        partial = "";
      };
    }
  }

  /** The messages of the body's next read, in order; null once the body has ended (after its last messages). */
  async read(): Promise<WireMessage[] | null> {
    const raw = this.readRaw();
    return raw === null ? null : this.take(await raw);
  }

  /**
   * The body's next read, as the body gives it: `take` turns it into messages. Null once the body has ended (or was
   * cancelled). The two halves of `read()`, for a caller that awaits the body itself and does the rest in the same
   * synchronous step (no promise of its own per read).
   */
  readRaw(): Promise<ReadableStreamReadResult<Uint8Array>> | null {
    if (this.#done) return null;
    return this.#reader.read();
  }

  /** The messages `result` (a read of the body) completed, in order; null once the body had ended before it. */
  take(result: ReadableStreamReadResult<Uint8Array>): WireMessage[] | null {
    if (this.#done) return null;
    if (result.done) {
      this.#feed(this.#decoder.decode());
      this.#flush();
      this.#done = true;
      this.#reader.releaseLock();
    } else {
      this.#feed(this.#decoder.decode(result.value, STREAMING));
    }
    const messages = this.#queue;
    this.#queue = [];
    return messages;
  }

  /** Stops reading before the end: the body is cancelled (and with it the upstream request). */
  async cancel(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    await this.#reader.cancel().catch(() => undefined);
    this.#reader.releaseLock();
  }
}

const STREAMING = { stream: true };

/**
 * An event stream read as the HTML standard says (https://html.spec.whatwg.org/multipage/server-sent-events.html,
 * "Interpreting an event stream"), keeping what a provider stream carries: `data` (lines joined by "\n") and `event`.
 * Lines end at CRLF, LF or CR; a blank line dispatches the event if it had data; comments, `id`, `retry` and unknown
 * fields are read past. An event without its blank line when the stream ends is dropped, as a browser drops it.
 * (The UTF-8 BOM never reaches it: TextDecoder removes it.)
 */
export function sseParser(onEvent: (message: WireMessage) => void): { feed(text: string): void; reset(): void } {
  let pending = "";
  let data = "";
  let dataLines = 0;
  let event: string | undefined;
  const line = (text: string, start: number, end: number): void => {
    if (start === end) {
      if (dataLines > 0) onEvent(event === undefined ? { data } : { event, data });
      data = "";
      dataLines = 0;
      event = undefined;
      return;
    }
    const colon = text.indexOf(":", start);
    if (colon === start) return;
    const named = colon !== -1 && colon < end;
    const field = named ? text.slice(start, colon) : text.slice(start, end);
    if (field !== "data" && field !== "event") return;
    const from = !named ? end : text.charCodeAt(colon + 1) === 32 ? colon + 2 : colon + 1;
    const value = from >= end ? "" : text.slice(from, end);
    if (field === "event") event = value === "" ? undefined : value;
    else {
      data = dataLines === 0 ? value : `${data}\n${value}`;
      dataLines++;
    }
  };
  return {
    feed(chunk) {
      const text = pending === "" ? chunk : pending + chunk;
      let at = 0;
      if (text.indexOf("\r") === -1) {
        for (let lf = text.indexOf("\n"); lf !== -1; lf = text.indexOf("\n", at)) {
          line(text, at, lf);
          at = lf + 1;
        }
      } else {
        while (at < text.length) {
          const cr = text.indexOf("\r", at);
          const lf = text.indexOf("\n", at);
          const end = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
          // No line end yet, or a CR that may be the first half of a CRLF still on its way.
          if (end === -1 || (end === cr && cr === text.length - 1)) break;
          line(text, at, end);
          at = end === cr && lf === cr + 1 ? end + 2 : end + 1;
        }
      }
      pending = at === 0 ? text : text.slice(at);
    },
    reset() {
      pending = "";
      data = "";
      dataLines = 0;
      event = undefined;
    },
  };
}
