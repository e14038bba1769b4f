// The one place upstream bytes become messages: SSE (via eventsource-parser) and NDJSON lines.
import { createParser } from "eventsource-parser";

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
    const parser = createParser({
      onEvent: (e) => queue.push(e.event === undefined ? { data: e.data } : { event: e.event, data: e.data }),
    });
    feed = (text) => parser.feed(text);
    flush = () => parser.reset({ consume: true });
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
