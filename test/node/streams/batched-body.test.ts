// encodedBody over a stream that says when it waits on the provider: the events of one upstream read leave as one
// write, and nothing read is held back while the next read is awaited.
import { describe, expect, it } from "vitest";
import type { StreamEvent } from "../../../src/core/types.ts";
import type { CommittedStream } from "../../../src/execute/attempt.ts";
import { committedAnswer, type EventEncoder, encodedBody } from "../../../src/gateway/committed-body.ts";
import { readWireMessages } from "../../../src/streams/wire-messages.ts";

const bytes = new TextEncoder();
const text = new TextDecoder();
const sse = (...data: string[]) => bytes.encode(data.map((d) => `data: ${d}\n\n`).join(""));
const delta = (t: string) => JSON.stringify({ text: t });

/** An upstream body that hands over `reads` one at a time, each only once `gate(i)` resolves. */
function upstream(reads: Uint8Array[], gate: (i: number) => Promise<void>): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (i >= reads.length) return controller.close();
        await gate(i);
        controller.enqueue(reads[i++]!);
      },
    },
    { highWaterMark: 0 },
  );
}

/** A committed stream read from `body` as attempt.ts builds one: messages become events, onWait before each read. */
function committed(body: ReadableStream<Uint8Array>, batching: boolean): Promise<CommittedStream> {
  let hook: (() => void) | null = null;
  const messages = readWireMessages(body, "sse", undefined, () => hook?.());
  async function* events(): AsyncGenerator<StreamEvent> {
    for await (const m of messages) {
      if (m.data === "[DONE]") return;
      const { text: t, finish } = JSON.parse(m.data) as { text?: string; finish?: boolean };
      if (t !== undefined) yield { type: "text", text: t };
      if (finish) yield { type: "finish", finish_reason: "stop" };
    }
  }
  const rest = events();
  return rest.next().then((first) => ({
    head: first.done ? [] : [first.value],
    rest,
    ttftMs: 0,
    abort: () => undefined,
    malformedSkipped: () => 0,
    ...(batching ? { onWait: (h: (() => void) | null) => (hook = h) } : {}),
  }));
}

const encoder: EventEncoder = {
  event: (e) => (e.type === "text" ? bytes.encode(`[${e.text}]`) : null),
  end: () => bytes.encode("<end>"),
  cut: (message) => bytes.encode(`<cut ${message}>`),
};

async function writes(body: ReadableStream<Uint8Array>, onWrite?: (n: number) => void): Promise<string[]> {
  const out: string[] = [];
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return out;
    out.push(text.decode(value));
    onWrite?.(out.length);
  }
}

const route = () => ({}) as never;

describe("encodedBody, batched by the provider's reads", () => {
  const reads = [
    sse(delta("a")),
    sse(delta("b"), delta("c"), delta("d")),
    sse(delta("e"), JSON.stringify({ finish: true }), "[DONE]"),
  ];

  it("writes the events of one upstream read as one piece, and the end with the last", async () => {
    const stream = await committed(
      upstream(reads, async () => undefined),
      true,
    );
    const out = await writes(encodedBody(committedAnswer(stream, route), encoder));
    expect(out).toEqual(["[a]", "[b][c][d]", "[e]<end>"]);
  });

  it("holds nothing back while the next read is awaited: a read's events are out before the next read is sent", async () => {
    // The upstream sends read i only once the client has received i pieces: a writer that held events back until
    // the next read came would never finish.
    const received: { n: number; waiters: (() => void)[] } = { n: 0, waiters: [] };
    const gate = (i: number) =>
      new Promise<void>((resolve) => {
        const check = () => (received.n >= i ? resolve() : received.waiters.push(check));
        check();
      });
    const stream = await committed(upstream(reads, gate), true);
    const out = await writes(encodedBody(committedAnswer(stream, route), encoder), (n) => {
      received.n = n;
      for (const w of received.waiters.splice(0)) w();
    });
    expect(out).toEqual(["[a]", "[b][c][d]", "[e]<end>"]);
  });

  it("writes event by event when the stream cannot say when it waits", async () => {
    const stream = await committed(
      upstream(reads, async () => undefined),
      false,
    );
    const out = await writes(encodedBody(committedAnswer(stream, route), encoder));
    expect(out).toEqual(["[a]", "[b]", "[c]", "[d]", "[e]", "<end>"]);
  });
});
