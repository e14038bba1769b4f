// A cached answer that stopped on one of the caller's stop sequences replays as that stop (Anthropic Messages:
// stop_reason "stop_sequence" and the sequence), as JSON or as a stream, whichever way it was made (DESIGN.md,
// Response cache: a hit answers "as JSON or replayed as a stream in the caller's dialect").
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Env } from "../../../src/env.ts";
import { newSession } from "../gateway.ts";
import { callFull } from "../ledger/ledger-helpers.ts";

/** The recorded emulator has no stop on a stop sequence: Anthropic is stubbed in this isolate's fetch. */
const STUB_ANTHROPIC = "https://stub-anthropic.cache-test.invalid";

const MESSAGE = { id: "msg_stub", type: "message", role: "assistant", model: "claude-haiku-4-5-20251001" };

/** Anthropic's answer that stopped on the caller's stop sequence "4", as JSON or as its SSE events. */
function stopSequenceAnswer(stream: boolean): Response {
  if (!stream)
    return Response.json({
      ...MESSAGE,
      content: [{ type: "text", text: "1, 2, 3, " }],
      stop_reason: "stop_sequence",
      stop_sequence: "4",
      usage: { input_tokens: 12, output_tokens: 8 },
    });
  const events = [
    {
      type: "message_start",
      message: {
        ...MESSAGE,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 12, output_tokens: 1 },
      },
    },
    { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
    { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "1, 2, 3, " } },
    { type: "content_block_stop", index: 0 },
    { type: "message_delta", delta: { stop_reason: "stop_sequence", stop_sequence: "4" }, usage: { output_tokens: 8 } },
    { type: "message_stop" },
  ];
  const body = events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join("");
  return new Response(body, { headers: { "content-type": "text/event-stream" } });
}

/** Answers the stub's /v1/messages (counting the calls); every other fetch goes where it was going. */
function stubAnthropic(): { calls: () => number } {
  const original = globalThis.fetch;
  let calls = 0;
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith(STUB_ANTHROPIC)) return original(input, init);
    if (!url.includes("/v1/messages")) return Response.json({ data: [] });
    calls++;
    const body = JSON.parse(typeof init?.body === "string" ? init.body : await new Request(input, init).text()) as {
      stream?: boolean;
    };
    return stopSequenceAnswer(body.stream === true);
  });
  return { calls: () => calls };
}

afterEach(() => vi.restoreAllMocks());

/** A Messages request that opted into the cache, on a prompt of its own (the Cache API outlives a test). */
async function ask(env: Env, label: string, stream: boolean) {
  const { res, done } = await callFull(env, "/v1/messages", {
    method: "POST",
    json: {
      model: "anthropic/claude-haiku-4-5",
      max_tokens: 50,
      stop_sequences: ["4"],
      stream,
      messages: [{ role: "user", content: `${label}: count to five` }],
      router: { fallback: false },
    },
    headers: { "x-router-cache-ttl": "120", "anthropic-version": "2023-06-01" },
  });
  const text = await done();
  return { cache: res.headers.get("x-router-cache"), status: res.status, text };
}

/** The message_delta of a Messages stream: where it says why it stopped. */
function stopOfStream(text: string): unknown {
  const block = text.split("\n\n").find((b) => b.startsWith("event: message_delta\n"));
  const data = block?.split("\n").find((l) => l.startsWith("data: "));
  if (data === undefined) throw new Error(`no message_delta in stream: ${text.slice(-500)}`);
  return (JSON.parse(data.slice(6)) as { delta: unknown }).delta;
}

const STOPPED = { stop_reason: "stop_sequence", stop_sequence: "4" };

describe("a cached answer that stopped on a stop sequence", () => {
  it("made as JSON, replays as a stream that stopped on it", async () => {
    const stub = stubAnthropic();
    const s = await newSession({}, { ANTHROPIC_BASE_URL: STUB_ANTHROPIC });
    const label = `json-then-stream ${crypto.randomUUID()}`;
    const miss = await ask(s.env, label, false);
    expect(miss.status, miss.text).toBe(200);
    expect(miss.cache).toBe("miss");
    expect(JSON.parse(miss.text)).toMatchObject(STOPPED);

    const hit = await ask(s.env, label, true);
    expect(hit.cache).toBe("hit");
    expect(stub.calls()).toBe(1);
    // What the same request streamed uncached, and what Anthropic itself streams.
    expect(stopOfStream(hit.text)).toEqual(STOPPED);
  });

  it("made as a stream, replays as JSON that stopped on it", async () => {
    const stub = stubAnthropic();
    const s = await newSession({}, { ANTHROPIC_BASE_URL: STUB_ANTHROPIC });
    const label = `stream-then-json ${crypto.randomUUID()}`;
    const miss = await ask(s.env, label, true);
    expect(miss.cache).toBe("miss");
    expect(stopOfStream(miss.text)).toEqual(STOPPED);

    const hit = await ask(s.env, label, false);
    expect(hit.cache).toBe("hit");
    expect(stub.calls()).toBe(1);
    expect(JSON.parse(hit.text)).toMatchObject(STOPPED);
  });

  it("made as a stream, replays as a stream that stopped on it", async () => {
    const stub = stubAnthropic();
    const s = await newSession({}, { ANTHROPIC_BASE_URL: STUB_ANTHROPIC });
    const label = `stream-then-stream ${crypto.randomUUID()}`;
    const miss = await ask(s.env, label, true);
    expect(miss.cache).toBe("miss");

    const hit = await ask(s.env, label, true);
    expect(hit.cache).toBe("hit");
    expect(stub.calls()).toBe(1);
    expect(stopOfStream(hit.text)).toEqual(STOPPED);
  });
});
