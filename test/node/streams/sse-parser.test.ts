// The gateway's own event-stream reader gives the same events as eventsource-parser (a widely used reader of the
// standard, kept as a dev dependency for this comparison), however the bytes are split, on the recorded provider
// streams and on the edge cases of the standard's line rules.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createParser } from "eventsource-parser";
import { describe, expect, it } from "vitest";
import { sseParser, type WireMessage } from "../../../src/streams/wire-messages.ts";

const fixtures = join(import.meta.dirname, "../../fixtures");
const recorded = readdirSync(fixtures, { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".sse"))
  .map((f) => readFileSync(join(fixtures, f), "utf8"));

const edgeCases = [
  "data: a\n\n",
  "data:a\n\ndata:  two spaces\n\n",
  "data: one\ndata: two\n\n",
  "data\n\n",
  "data:\n\n",
  "event: ping\n\n",
  "event: message_start\ndata: {}\n\nevent:\ndata: x\n\n",
  ": a comment\ndata: after comment\n\n",
  "id: 7\nretry: 100\nretry: no\nunknown: field\ndata: x\n\n",
  "data: crlf\r\n\r\ndata: cr\r\rdata: mixed\r\n\n",
  "data: no blank line at the end",
  "data: trailing\n",
  "\n\n\ndata: after blank lines\n\n",
  "dat: near miss\nevents: near miss\ndata: ok\n\n",
  "data:: colon\n\ndata: a:b\n\n",
  "event: e1\nevent: e2\ndata: last event wins\n\n",
  "data: ünïcödé 日本語 😀\n\n",
  "data: [DONE]\n\n",
];

function oracle(chunks: string[]): WireMessage[] {
  const out: WireMessage[] = [];
  const parser = createParser({
    onEvent: (e) => out.push(e.event === undefined ? { data: e.data } : { event: e.event, data: e.data }),
  });
  for (const c of chunks) parser.feed(c);
  parser.reset({ consume: true });
  return out;
}

function ours(chunks: string[]): WireMessage[] {
  const out: WireMessage[] = [];
  const parser = sseParser((m) => out.push(m));
  for (const c of chunks) parser.feed(c);
  parser.reset();
  return out;
}

/** The text cut at every position, and at seeded random positions into many pieces. */
function* splits(text: string): Generator<string[]> {
  yield [text];
  for (let i = 1; i < text.length; i++) yield [text.slice(0, i), text.slice(i)];
  let seed = text.length;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (let round = 0; round < 50; round++) {
    const pieces: string[] = [];
    let at = 0;
    while (at < text.length) {
      const n = 1 + Math.floor(random() * 12);
      pieces.push(text.slice(at, at + n));
      at += n;
    }
    yield pieces;
  }
}

describe("sseParser", () => {
  it("reads every recorded provider stream as eventsource-parser does, however it is split", () => {
    expect(recorded.length).toBeGreaterThan(5);
    for (const text of recorded) {
      const expected = oracle([text]);
      expect(expected.length).toBeGreaterThan(1);
      for (const chunks of splits(text.slice(0, 4000))) expect(ours(chunks)).toEqual(oracle(chunks));
      expect(ours([text])).toEqual(expected);
    }
  });

  it("follows the standard's line rules as eventsource-parser does", () => {
    for (const text of edgeCases) for (const chunks of splits(text)) expect(ours(chunks), text).toEqual(oracle(chunks));
    expect(ours(["data: one\ndata: two\n\n"])).toEqual([{ data: "one\ntwo" }]);
    expect(ours(["data: crlf\r\n\r\ndata: cr\r\r"])).toEqual([{ data: "crlf" }]); // the last CR may be half a CRLF
    expect(ours(["data: crlf\r\n\r\ndata: cr\r\r", "x"])).toEqual([{ data: "crlf" }, { data: "cr" }]);
    expect(ours(["event: e\ndata: x\n\n"])).toEqual([{ event: "e", data: "x" }]);
    expect(ours(["data: no blank line at the end"])).toEqual([]);
  });
});
