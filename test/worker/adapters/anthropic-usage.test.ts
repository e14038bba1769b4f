// Anthropic's usage breakdown: the current API splits output_tokens with `output_tokens_details.thinking_tokens` (the
// Usage and MessageDeltaUsage types of @anthropic-ai/sdk 1.15); the adapter reports them as the canonical
// reasoning_tokens, in JSON answers and at a stream's message_delta. The payloads are the recorded ones with that field
// added (no recording carries it yet).
import { describe, expect, it } from "vitest";
import type { StreamEvent } from "../../../src/core/types.ts";
import { anthropicAdapter } from "../../../src/providers/anthropic/adapter.ts";
import { fixture } from "../dialects/fixtures.ts";

const ctx = { env: {}, newId: (prefix: string) => `${prefix}_1` };

describe("Anthropic thinking tokens", () => {
  it("a JSON answer's output_tokens_details.thinking_tokens become reasoning_tokens", async () => {
    const answer = JSON.parse(await fixture("anthropic/messages-text.json"));
    answer.usage.output_tokens_details = { thinking_tokens: 9 };
    const result = anthropicAdapter.parseChatResponse(answer, ctx);
    expect(result.usage).toMatchObject({ output_tokens: 15, reasoning_tokens: 9 });
  });

  it("so does a stream's message_delta; without the breakdown nothing is claimed", () => {
    const decode = anthropicAdapter.streamDecoder(ctx);
    const out: StreamEvent[] = [];
    const delta = (usage: Record<string, unknown>) =>
      decode({ data: JSON.stringify({ type: "message_delta", delta: { stop_reason: "end_turn" }, usage }) }, out);
    delta({ output_tokens: 40, output_tokens_details: { thinking_tokens: 31 } });
    expect(out.filter((e) => e.type === "usage").at(-1)).toMatchObject({
      usage: { output_tokens: 40, reasoning_tokens: 31 },
    });
    const plain: StreamEvent[] = [];
    anthropicAdapter.streamDecoder(ctx)(
      { data: JSON.stringify({ type: "message_delta", delta: {}, usage: { output_tokens: 3 } }) },
      plain,
    );
    const usage = plain.find((e) => e.type === "usage");
    expect(usage?.type === "usage" ? usage.usage : null).not.toHaveProperty("reasoning_tokens");
  });
});

describe("reasoning tokens to a Messages client", () => {
  it("come back as Anthropic's output_tokens_details.thinking_tokens, and only when known", async () => {
    const { anthropicUsage } = await import("../../../src/dialects/messages/encoder.ts");
    const base = { input_tokens: 5, output_tokens: 40, cached_input_tokens: 0, cache_write_tokens: 0 };
    expect(anthropicUsage({ ...base, reasoning_tokens: 31 })).toMatchObject({
      output_tokens: 40,
      output_tokens_details: { thinking_tokens: 31 },
    });
    expect(anthropicUsage(base)).not.toHaveProperty("output_tokens_details");
  });
});
