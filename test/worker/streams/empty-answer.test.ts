// An answer with no content at all, streamed: Anthropic's stream of an empty end_turn (message_start, message_delta,
// message_stop, no content block: what Claude answers after a tool result it has nothing to add to), or an
// OpenAI-compatible stream whose only chunks are the role, the finish and usage.
import { describe, expect, it } from "vitest";
import { type Dialect, MODEL, oaChunk, post, rawEnv, USAGE } from "./raw-upstream.ts";

const ev = (type: string, data: Record<string, unknown>) =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const ANTHROPIC_EMPTY = [
  ev("message_start", {
    message: {
      id: "msg_x",
      type: "message",
      role: "assistant",
      model: "claude-haiku-4-5-20251001",
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 5, output_tokens: 1 },
    },
  }),
  ev("message_delta", { delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 1 } }),
  ev("message_stop", {}),
];
const OPENAI_EMPTY = [
  `data: ${oaChunk({ role: "assistant", content: "" })}\n\n`,
  `data: ${oaChunk({}, "stop")}\n\n`,
  `data: ${JSON.stringify({ id: "chatcmpl-x", object: "chat.completion.chunk", created: 1, model: "m", choices: [], usage: USAGE })}\n\n`,
  "data: [DONE]\n\n",
];

describe.each(["chat", "responses", "messages"] as Dialect[])("%s", (dialect) => {
  it.each([
    ["anthropic", ANTHROPIC_EMPTY],
    ["openai", OPENAI_EMPTY],
  ] as const)("an empty answer from %s streams as a finished, empty answer, not a failure", async (provider, body) => {
    const env = await rawEnv(provider, [...body]);
    const res = await post(env, dialect, MODEL[provider]);
    const raw = await res.text();
    expect(res.status, raw).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
  });
});
