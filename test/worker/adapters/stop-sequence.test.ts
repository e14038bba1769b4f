// Anthropic says which stop sequence ended an answer (stop_reason "stop_sequence", stop_sequence "4"): the Messages
// dialect hands both back, in JSON and in the stream, whatever the canonical finish ("stop") folds them into.
import { describe, expect, it } from "vitest";
import type { StreamEvent } from "../../../src/core/types.ts";
import { encodeMessage } from "../../../src/dialects/messages/encoder.ts";
import { type MessagesStreamEvent, MessagesStreamWriter } from "../../../src/dialects/messages/stream.ts";
import type { AdapterContext } from "../../../src/providers/adapter.ts";
import { adapterFor } from "../../../src/providers/index.ts";
import { decode, parseSse, ROUTE } from "../dialects/fixtures.ts";

const ctx: AdapterContext = { env: {}, newId: (prefix) => `${prefix}_1` };
const anthropic = adapterFor("anthropic");

describe("stop_sequence from Anthropic to the Messages dialect", () => {
  it("a whole answer", () => {
    const result = anthropic.parseChatResponse(
      {
        model: "claude-haiku-4-5-20251001",
        content: [{ type: "text", text: "1, 2, 3, " }],
        stop_reason: "stop_sequence",
        stop_sequence: "4",
        usage: { input_tokens: 12, output_tokens: 8 },
      },
      ctx,
    );
    expect(result.finish_reason).toBe("stop");
    expect(result.stop_sequence).toBe("4");
    const encoded = encodeMessage("msg_1", result, ROUTE);
    expect(encoded).toMatchObject({ stop_reason: "stop_sequence", stop_sequence: "4" });
    const natural = encodeMessage("msg_2", { ...result, stop_sequence: undefined }, ROUTE);
    expect(natural).toMatchObject({ stop_reason: "end_turn", stop_sequence: null });
  });

  it("a stream's message_delta", () => {
    const decoder = anthropic.streamDecoder(ctx);
    const events: StreamEvent[] = [];
    const wire = [
      { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
      { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "1, 2, 3, " } },
      { type: "content_block_stop", index: 0 },
      {
        type: "message_delta",
        delta: { stop_reason: "stop_sequence", stop_sequence: "4" },
        usage: { output_tokens: 8 },
      },
    ];
    for (const json of wire) decoder({ event: json.type, data: JSON.stringify(json) }, events);
    expect(events.find((e) => e.type === "finish")).toEqual({
      type: "finish",
      finish_reason: "stop",
      stop_sequence: "4",
    });
    const writer = new MessagesStreamWriter("msg_s", "claude-haiku-4-5-20251001");
    const out = parseSse(
      decode([writer.start(), ...events.map((e) => writer.event(e as MessagesStreamEvent)), writer.end(ROUTE)]),
    );
    expect(out.find((e) => e.event === "message_delta")?.data.delta).toEqual({
      stop_reason: "stop_sequence",
      stop_sequence: "4",
    });
  });
});
