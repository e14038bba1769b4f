// OpenAI-compatible servers (vLLM, SGLang, some hosted open models) that stream parallel tool calls all at `index: 0`,
// each call starting with its own id and name: two calls, not one with glued arguments; an id repeated on a call's
// later chunks is still that call.
import { describe, expect, it } from "vitest";
import type { StreamEvent } from "../../../src/core/types.ts";
import { togetherAdapter } from "../../../src/providers/together.ts";

const CTX = { env: {}, newId: (p: string) => `${p}_1` } as never;
const chunk = (call: Record<string, unknown>) =>
  JSON.stringify({
    id: "c",
    object: "chat.completion.chunk",
    created: 1,
    model: "m",
    choices: [{ index: 0, delta: { tool_calls: [call] }, finish_reason: null }],
  });

describe("parallel tool calls that all say index 0", () => {
  it("a new id at the same index starts a new call", () => {
    const decode = togetherAdapter.streamDecoder(CTX);
    const out: StreamEvent[] = [];
    for (const data of [
      chunk({ index: 0, id: "call_a", type: "function", function: { name: "add", arguments: "" } }),
      chunk({ index: 0, function: { arguments: '{"a":1}' } }),
      chunk({ index: 0, id: "call_b", type: "function", function: { name: "mul", arguments: "" } }),
      chunk({ index: 0, function: { arguments: '{"b":2}' } }),
    ])
      decode({ data }, out);
    const starts = out.filter((e) => e.type === "tool_call_start");
    expect(starts.map((e) => (e as { id: string }).id)).toEqual(["call_a", "call_b"]);
    const deltas = out.filter((e) => e.type === "tool_call_delta") as { index: number; arguments: string }[];
    expect(deltas).toEqual([
      { type: "tool_call_delta", index: 0, arguments: '{"a":1}' },
      { type: "tool_call_delta", index: 1, arguments: '{"b":2}' },
    ]);
  });

  it("the same id on a call's later chunks goes on with that call", () => {
    const decode = togetherAdapter.streamDecoder(CTX);
    const out: StreamEvent[] = [];
    for (const data of [
      chunk({ index: 0, id: "call_a", type: "function", function: { name: "add", arguments: '{"a"' } }),
      chunk({ index: 0, id: "call_a", function: { arguments: ":1}" } }),
    ])
      decode({ data }, out);
    expect(out.filter((e) => e.type === "tool_call_start")).toHaveLength(1);
    expect(out.filter((e) => e.type === "tool_call_delta").map((e) => (e as { index: number }).index)).toEqual([0, 0]);
  });
});
