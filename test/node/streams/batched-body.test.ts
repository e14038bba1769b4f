// A stream as the gateway reads and writes it (openStream, committedAnswer, encodedBody): the events of one upstream
// read leave as one write, the end goes with the last of them, nothing read is held back while the next read is
// awaited, and an error decoded after some events of a read comes after them.
import { describe, expect, it } from "vitest";
import { ProviderError } from "../../../src/core/errors.ts";
import { openStream } from "../../../src/execute/attempt.ts";
import { realDeps } from "../../../src/execute/deps.ts";
import { committedAnswer, type EventEncoder, encodedBody } from "../../../src/gateway/committed-body.ts";
import type { ProviderAdapter } from "../../../src/providers/adapter.ts";

const bytes = new TextEncoder();
const text = new TextDecoder();
const sse = (...data: string[]) => bytes.encode(data.map((d) => `data: ${d}\n\n`).join(""));
const delta = (t: string) => JSON.stringify({ text: t });
const FINISH = JSON.stringify({ finish: true });

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

/** A provider whose chunks are {text}, {finish} or {fail}, ending with [DONE]. */
const adapter = {
  id: "openai",
  streamFormat: "sse",
  streamDecoder: () => (m, out) => {
    if (m.data === "[DONE]") return void out.push({ type: "end" });
    const chunk = m.json as { text?: string; finish?: boolean; fail?: string };
    if (chunk.fail !== undefined) throw new ProviderError({ kind: "stream", provider: "openai", message: chunk.fail });
    if (chunk.text !== undefined) out.push({ type: "text", text: chunk.text });
    if (chunk.finish) out.push({ type: "finish", finish_reason: "stop" });
  },
} as Partial<ProviderAdapter> as ProviderAdapter;

function open(body: ReadableStream<Uint8Array>) {
  return openStream({
    adapter,
    built: { request: { url: "https://openai.test/chat", headers: {}, body: {} }, warnings: [] },
    timeouts: { headers_ms: 1000, first_token_ms: 1000, idle_ms: 1000, total_ms: 5000 },
    deadline: Date.now() + 5000,
    clientSignal: new AbortController().signal,
    deps: { ...realDeps, fetch: async () => new Response(body) },
    ctx: { env: {}, newId: (p) => p },
  });
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

describe("a stream written by the provider's reads", () => {
  const reads = [sse(delta("a")), sse(delta("b"), delta("c"), delta("d")), sse(delta("e"), FINISH, "[DONE]")];

  it("writes the events of one upstream read as one piece, and the end with the last", async () => {
    const stream = await open(upstream(reads, async () => undefined));
    expect(stream.head).toEqual([{ type: "text", text: "a" }]);
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
    const stream = await open(upstream(reads, gate));
    const out = await writes(encodedBody(committedAnswer(stream, route), encoder), (n) => {
      received.n = n;
      for (const w of received.waiters.splice(0)) w();
    });
    expect(out).toEqual(["[a]", "[b][c][d]", "[e]<end>"]);
  });

  it("keeps what a read brought after the first content event for the rest, in order", async () => {
    const stream = await open(
      upstream([sse(delta("a"), delta("b")), sse(delta("c"), FINISH, "[DONE]")], async () => undefined),
    );
    expect(stream.head).toEqual([{ type: "text", text: "a" }]);
    const out = await writes(encodedBody(committedAnswer(stream, route), encoder));
    expect(out).toEqual(["[a]", "[b]", "[c]<end>"]);
  });

  it("passes on the events a read decoded before an error in it, then cuts the answer", async () => {
    const failing = [sse(delta("a")), sse(delta("b"), JSON.stringify({ fail: "overloaded" }), delta("never"))];
    const stream = await open(upstream(failing, async () => undefined));
    const out = await writes(encodedBody(committedAnswer(stream, route), encoder));
    expect(out).toEqual(["[a]", "[b]", "<cut The answer was cut off: overloaded>"]);
  });

  it("an error before the first content event fails the attempt (which can fall back), though its read held content", async () => {
    const before = [sse(JSON.stringify({ fail: "refused" }), delta("a"), FINISH, "[DONE]")];
    await expect(open(upstream(before, async () => undefined))).rejects.toMatchObject({ message: "refused" });
  });
});
