// The one place upstream bytes become messages: SSE events and NDJSON lines.

export interface WireMessage {
  /** SSE `event:` field; undefined for NDJSON and for SSE messages without one. */
  event?: string;
  data: string;
  /** `data` parsed as JSON, where a reader already parsed it (each message is parsed once on the stream path). */
  json?: unknown;
}

/**
 * Looks at each message as it is read, synchronously: false skips it, a throw ends the stream with that error. It may
 * set the message's `json`.
 */
export type WireCheck = (message: WireMessage) => boolean;

export type WireFormat = "sse" | "ndjson";

/**
 * Reads a response body as messages. Ending the iteration early cancels the body, which aborts the upstream
 * request; a pending read ends when the fetch's AbortSignal fires. `check` sees every message before it is yielded
 * (in the same step, not as another generator around this one). `beforeRead` runs each time the reader is about to
 * wait on the network, which is when everything read so far has been handed on: where a writer flushes its batch.
 */
export async function* readWireMessages(
  body: ReadableStream<Uint8Array>,
  format: WireFormat,
  check?: WireCheck,
  beforeRead?: () => void,
): AsyncGenerator<WireMessage> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const queue: WireMessage[] = [];
  const streaming = { stream: true };
  let feed: (text: string) => void;
  let flush: () => void;
  if (format === "sse") {
    const parser = sseParser((m) => queue.push(m));
    feed = parser.feed;
    flush = parser.reset;
  } else {
    let partial = "";
    feed = (text) => {
      const lines = (partial + text).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) if (line.trim() !== "") queue.push({ data: line });
    };
    flush = () => {
      if (partial.trim() !== "") queue.push({ data: partial });
      partial = "";
    };
  }
  let finished = false;
  try {
    for (;;) {
      beforeRead?.();
      const { done, value } = await reader.read();
      if (done) {
        feed(decoder.decode());
        flush();
        finished = true;
      } else {
        feed(decoder.decode(value, streaming));
      }
      // One read often holds several messages: they are taken in order, and the queue emptied once.
      for (let i = 0; i < queue.length; i++) {
        const message = queue[i]!;
        if (check === undefined || check(message)) yield message;
      }
      queue.length = 0;
      if (finished) return;
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

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
