// Each adapter's parseStream on the recorded stream bodies (test/fixtures) cut at random places: the network may hand
// bytes over in any sizes, so the canonical events must be the same however the body was split.
import { describe, expect, it } from "vitest";
import type { ProviderId } from "../../../src/config/schema.ts";
import type { StreamEvent } from "../../../src/core/types.ts";
import type { AdapterContext } from "../../../src/providers/adapter.ts";
import { adapterFor } from "../../../src/providers/index.ts";
import { WireReader } from "../../../src/streams/wire-messages.ts";

interface Recording {
  /** The adapter that reads it. */
  adapter: ProviderId;
  /** Path below test/fixtures/. */
  file: string;
  /** The recording ends in an error the provider sent mid-stream (thrown, not emitted): its message. */
  fails?: string;
  /**
   * A recorded error payload (`*.data.json`) sent as an `event: error` after the first `events` events of `file`:
   * how Anthropic reports a failure once the stream has started.
   */
  errorEvent?: { events: number; data: string };
}

const RECORDINGS: Recording[] = [
  { adapter: "openai", file: "openai/chat-completion-stream-text-include-usage.sse" },
  { adapter: "openai", file: "openai/chat-completion-stream-tool-call-include-usage.sse" },
  { adapter: "openai", file: "openai/chat-completion-stream-parallel-tool-calls.sse" },
  { adapter: "anthropic", file: "anthropic/messages-stream-text.sse" },
  { adapter: "anthropic", file: "anthropic/messages-stream-tool-use.sse" },
  { adapter: "mistral", file: "mistral/chat-completion-stream.sse" },
  { adapter: "mistral", file: "mistral/chat-completion-stream-tool-call.sse" },
  { adapter: "together", file: "together/chat-completion-stream-include-usage.sse" },
  { adapter: "together", file: "together/chat-completion-stream-tool-call.sse" },
  { adapter: "ollama", file: "ollama/api-chat-stream.ndjson" },
  { adapter: "ollama", file: "ollama/api-chat-stream-tool-call.docs-example.ndjson" },
  {
    adapter: "ollama",
    file: "ollama/api-generate-stream-midstream-error.docs-example.ndjson",
    fails: "an error was encountered while running the model",
  },
  {
    adapter: "anthropic",
    file: "anthropic/messages-stream-text.sse",
    errorEvent: { events: 6, data: "anthropic/stream-error-event-overloaded.data.json" },
    fails: "Overloaded",
  },
  // Ollama's /v1 endpoint speaks OpenAI's wire format.
  { adapter: "openai", file: "ollama/v1-chat-completions-stream.sse" },
];

const SPLITS_PER_RECORDING = 16;

async function fixtureText(file: string): Promise<string> {
  const mod = (await import(/* @vite-ignore */ `../../fixtures/${file}?raw`)) as { default: string };
  return mod.default;
}

async function recordedBytes(rec: Recording): Promise<Uint8Array> {
  let text = await fixtureText(rec.file);
  if (rec.errorEvent) {
    const events = text.split("\n\n").slice(0, rec.errorEvent.events);
    const data = (await fixtureText(rec.errorEvent.data)).trim();
    text = `${events.join("\n\n")}\n\nevent: error\ndata: ${data}\n\n`;
  }
  return new TextEncoder().encode(text);
}

/** mulberry32: a small seeded generator, so a failing split can be replayed from its seed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cuts `bytes` into pieces of 1 to 2×`mean` bytes (cuts land inside lines, fields and multi-byte characters). */
function split(bytes: Uint8Array, random: () => number, mean: number): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = 1 + Math.floor(random() * 2 * mean);
    pieces.push(bytes.slice(at, at + size));
    at += size;
  }
  return pieces;
}

function bodyOf(pieces: Uint8Array[]): ReadableStream<Uint8Array> {
  let next = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const piece = pieces[next++];
      if (piece === undefined) controller.close();
      else controller.enqueue(piece);
    },
  });
}

interface Replay {
  events: StreamEvent[];
  /** What the decoder threw, as kind and message; null when it ended normally. */
  error: { name: string; kind: unknown; message: string } | null;
}

async function replay(rec: Recording, pieces: Uint8Array[]): Promise<Replay> {
  const adapter = adapterFor(rec.adapter);
  let ids = 0;
  const ctx: AdapterContext = { env: {}, newId: (prefix) => `${prefix}_${++ids}` };
  const events: StreamEvent[] = [];
  const wire = new WireReader(bodyOf(pieces), adapter.streamFormat);
  const decode = adapter.streamDecoder(ctx);
  try {
    // As attempt.ts reads a stream: every message of every read, until the adapter's end event.
    reading: for (let batch = await wire.read(); batch !== null; batch = await wire.read()) {
      for (const m of batch) {
        decode(m, events);
        if (events.at(-1)?.type === "end") break reading;
      }
    }
  } catch (err) {
    const e = err as Error & { kind?: unknown };
    return { events, error: { name: e.name, kind: e.kind, message: e.message } };
  }
  return { events, error: null };
}

describe("parseStream gives the same events however the recorded body is split", () => {
  for (const rec of RECORDINGS) {
    it(`${rec.adapter} reading ${rec.file}${rec.errorEvent ? ", then an error event" : ""}`, async () => {
      const bytes = await recordedBytes(rec);
      const whole = await replay(rec, [bytes]);

      // The unsplit replay is the reference; it must say something, or agreeing with it proves nothing.
      if (rec.fails !== undefined) {
        expect(whole.error).toMatchObject({ name: "ProviderError", message: rec.fails });
      } else {
        expect(whole.error).toBeNull();
        expect(whole.events.some((e) => e.type === "text" || e.type === "tool_call_start")).toBe(true);
        expect(whole.events.at(-1)).toEqual({ type: "end" });
      }

      expect(
        await replay(
          rec,
          split(bytes, () => 0, 0.5),
        ),
        "one byte per read",
      ).toEqual(whole);
      for (let seed = 1; seed <= SPLITS_PER_RECORDING; seed++) {
        const random = seeded(seed);
        // Small pieces cut inside nearly every line; larger ones put several events, or parts of two, in one read.
        const pieces = split(bytes, random, seed % 2 === 0 ? 4 : 48);
        expect(await replay(rec, pieces), `seed ${seed}: ${pieces.length} pieces`).toEqual(whole);
      }
    });
  }
});
