// The one place upstream bytes become messages: SSE (via eventsource-parser) and NDJSON lines.
import { createParser } from "eventsource-parser";

export interface WireMessage {
  /** SSE `event:` field; undefined for NDJSON and for SSE messages without one. */
  event?: string;
  data: string;
}

export type WireFormat = "sse" | "ndjson";

/**
 * Reads a response body as messages. Ending the iteration early cancels the body, which aborts the upstream
 * request; a pending read ends when the fetch's AbortSignal fires.
 */
export async function* readWireMessages(
  body: ReadableStream<Uint8Array>,
  format: WireFormat,
): AsyncGenerator<WireMessage> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const queue: WireMessage[] = [];
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
      const { done, value } = await reader.read();
      if (done) {
        feed(decoder.decode());
        flush();
        finished = true;
      } else {
        feed(decoder.decode(value, { stream: true }));
      }
      while (queue.length > 0) yield queue.shift() as WireMessage;
      if (finished) return;
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
