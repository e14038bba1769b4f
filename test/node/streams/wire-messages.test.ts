// WireReader on its own: bytes in the sizes a network hands them over, down to one byte per read.
import { describe, expect, it } from "vitest";
import { type WireFormat, type WireMessage, WireReader } from "../../../src/streams/wire-messages.ts";

const encoder = new TextEncoder();

/** A body that hands over `text` in reads of `size` bytes (so multi-byte characters are split across reads). */
function body(text: string, size: number, onCancel?: () => void): ReadableStream<Uint8Array> {
  const bytes = encoder.encode(text);
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
    cancel: () => onCancel?.(),
  });
}

async function read(text: string, format: WireFormat, size: number): Promise<WireMessage[]> {
  const out: WireMessage[] = [];
  const reader = new WireReader(body(text, size), format);
  for (let batch = await reader.read(); batch !== null; batch = await reader.read()) out.push(...batch);
  return out;
}

/** The messages read one byte at a time, in 7-byte reads and whole: the three must agree. */
async function readEveryWay(text: string, format: WireFormat): Promise<WireMessage[]> {
  const whole = await read(text, format, Number.MAX_SAFE_INTEGER);
  expect(await read(text, format, 7)).toEqual(whole);
  expect(await read(text, format, 1)).toEqual(whole);
  return whole;
}

describe("SSE", () => {
  it("reads events fed one byte at a time, with their event names", async () => {
    const text =
      'event: message_start\ndata: {"type":"message_start"}\n\n' +
      'event: content_block_delta\ndata: {"type":"content_block_delta","delta":{"text":"Hi"}}\n\n' +
      "data: [DONE]\n\n";
    expect(await read(text, "sse", 1)).toEqual([
      { event: "message_start", data: '{"type":"message_start"}' },
      { event: "content_block_delta", data: '{"type":"content_block_delta","delta":{"text":"Hi"}}' },
      { data: "[DONE]" },
    ]);
  });

  it("reads CRLF line endings like LF", async () => {
    const text = "event: ping\r\ndata: {}\r\n\r\ndata: one\r\ndata: two\r\n\r\n";
    expect(await readEveryWay(text, "sse")).toEqual([{ event: "ping", data: "{}" }, { data: "one\ntwo" }]);
  });

  it("keeps a multi-byte character whole when its bytes arrive in different reads", async () => {
    const content = "naïve café, 日本語, 🙂👍🏽";
    const text = `data: ${JSON.stringify({ content })}\n\n`;
    const messages = await readEveryWay(text, "sse");
    expect(messages).toHaveLength(1);
    expect(JSON.parse(messages[0]?.data ?? "null")).toEqual({ content });
  });

  it("skips comments (keep-alives) and fields it does not know", async () => {
    const text = ": OPENROUTER PROCESSING\n\n: ping\nid: 7\nretry: 1000\ndata: x\n\n:\n\n";
    expect(await readEveryWay(text, "sse")).toEqual([{ data: "x" }]);
  });

  it("does not pass on an event cut off before its blank line (the SSE rule): a half message is never whole", async () => {
    expect(await readEveryWay('data: {"a":1}\n\ndata: {"choices":[{"delta"', "sse")).toEqual([{ data: '{"a":1}' }]);
    expect(await readEveryWay('data: {"a":1}\n\ndata: {"b":2}\n', "sse")).toEqual([{ data: '{"a":1}' }]);
  });

  it("yields each event as soon as its blank line arrives, before the body ends", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let sent = 0;
    const slow = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent === 0) controller.enqueue(encoder.encode("data: first\n\n"));
        else if (sent === 1) {
          await gate;
          controller.enqueue(encoder.encode("data: second\n\n"));
        } else controller.close();
        sent++;
      },
    });
    const reader = new WireReader(slow, "sse");
    expect(await reader.read()).toEqual([{ data: "first" }]);
    release();
    expect(await reader.read()).toEqual([{ data: "second" }]);
    expect(await reader.read()).toEqual([]);
    expect(await reader.read()).toBe(null);
  });
});

describe("NDJSON", () => {
  it("reads lines fed one byte at a time", async () => {
    const lines = [
      { model: "llama3.2", message: { content: "Why" }, done: false },
      { model: "llama3.2", message: { content: " did" }, done: false },
      { model: "llama3.2", done: true, eval_count: 50 },
    ];
    const text = lines.map((l) => `${JSON.stringify(l)}\n`).join("");
    const messages = await read(text, "ndjson", 1);
    expect(messages.map((m) => JSON.parse(m.data))).toEqual(lines);
    expect(messages.every((m) => m.event === undefined)).toBe(true);
  });

  it("yields a final line that has no newline", async () => {
    const messages = await readEveryWay('{"n":1}\n{"n":2,"done":true}', "ndjson");
    expect(messages.map((m) => JSON.parse(m.data))).toEqual([{ n: 1 }, { n: 2, done: true }]);
  });

  it("skips blank lines and reads CRLF lines", async () => {
    const messages = await readEveryWay('{"n":1}\r\n\r\n\n{"n":2}\r\n  \n', "ndjson");
    expect(messages.map((m) => JSON.parse(m.data))).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it("keeps a multi-byte character whole across reads", async () => {
    const content = "Ça va? 你好 🦙";
    const messages = await readEveryWay(`${JSON.stringify({ message: { content } })}\n`, "ndjson");
    expect(messages.map((m) => JSON.parse(m.data))).toEqual([{ message: { content } }]);
  });
});

describe("ending early", () => {
  for (const format of ["sse", "ndjson"] as const) {
    it(`${format}: cancel() before the end cancels the body (which aborts the upstream request)`, async () => {
      let cancelled = false;
      const line = format === "sse" ? "data: {}\n\n" : "{}\n";
      const reader = new WireReader(
        body(line.repeat(50), 3, () => {
          cancelled = true;
        }),
        format,
      );
      await reader.read();
      await reader.cancel();
      expect(cancelled).toBe(true);
      expect(await reader.read()).toBe(null);
    });

    it(`${format}: a body read to its end is not cancelled`, async () => {
      let cancelled = false;
      const line = format === "sse" ? "data: {}\n\n" : "{}\n";
      const messages: WireMessage[] = [];
      const reader = new WireReader(
        body(line.repeat(3), 3, () => {
          cancelled = true;
        }),
        format,
      );
      for (let batch = await reader.read(); batch !== null; batch = await reader.read()) messages.push(...batch);
      await reader.cancel();
      expect(messages).toHaveLength(3);
      expect(cancelled).toBe(false);
    });
  }
});

describe("the two halves of read(): readRaw() and take()", () => {
  it("give the same messages as read(), and null once the body has ended", async () => {
    const text = 'data: {"a":1}\n\ndata: {"b":"é"}\n\n';
    const reader = new WireReader(body(text, 5), "sse");
    const out: WireMessage[] = [];
    for (let raw = reader.readRaw(); raw !== null; raw = reader.readRaw()) {
      const messages = reader.take(await raw);
      if (messages === null) break;
      out.push(...messages);
    }
    expect(out).toEqual(await read(text, "sse", 5));
    expect(reader.readRaw()).toBe(null);
  });

  it("a read left waiting ends when the body is cancelled, and nothing more is read or taken", async () => {
    let cancelled = false;
    // A body that never sends: only cancel() ends the pending read.
    const silent = new ReadableStream<Uint8Array>({
      pull: () => new Promise<void>(() => undefined),
      cancel: () => {
        cancelled = true;
      },
    });
    const reader = new WireReader(silent, "sse");
    const pending = reader.readRaw();
    expect(pending).not.toBe(null);
    await reader.cancel();
    const result = await pending;
    expect(result?.done).toBe(true);
    expect(cancelled).toBe(true);
    expect(reader.take(result!)).toBe(null);
    expect(reader.readRaw()).toBe(null);
  });
});
