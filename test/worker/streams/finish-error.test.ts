// Mistral's stream names a failed generation by its finish reason: its API's stream choice takes finish_reason
// "stop" | "length" | "error" | "tool_calls" ("model_length" too). An answer that ended in "error" is a failure
// after the commit point: DESIGN (Failure semantics) says it is never passed off as a finished answer: chat gets an
// error event and no [DONE], Messages an `error` event and no message_stop, Responses response.failed.
import { describe, expect, it } from "vitest";
import { type Dialect, MODEL, post, rawEnv } from "./raw-upstream.ts";

// The recorded Mistral chunk shape (test/fixtures/mistral/chat-completion-stream.sse): usage on the finish chunk.
const chunk = (delta: Record<string, unknown>, finish: string | null, usage?: unknown) =>
  `data: ${JSON.stringify({
    id: "4ad5861c372940a09a2f33540f97d361",
    object: "chat.completion.chunk",
    created: 1784566714,
    model: "mistral-small-latest",
    choices: [{ index: 0, delta, finish_reason: finish }],
    ...(usage ? { usage } : {}),
  })}\n\n`;
const ERRORED = [
  chunk({ role: "assistant", content: "" }, null),
  chunk({ content: "The sky" }, null),
  chunk({ content: "" }, "error", { prompt_tokens: 9, total_tokens: 12, completion_tokens: 3 }),
  "data: [DONE]\n\n",
];

describe.each(["chat", "responses", "messages"] as Dialect[])("%s", (dialect) => {
  it('Mistral finish_reason "error" ends the stream as a failure, not as a finished answer', async () => {
    const env = await rawEnv("mistral", ERRORED);
    const res = await post(env, dialect, MODEL.mistral);
    const raw = await res.text();
    expect(res.status).toBe(200);
    if (dialect === "chat") {
      expect(raw).not.toContain("data: [DONE]");
      expect(raw).not.toContain('"finish_reason":"stop"');
    }
    if (dialect === "messages") {
      expect(raw).toContain("event: error");
      expect(raw).not.toContain("event: message_stop");
    }
    if (dialect === "responses") {
      expect(raw).toContain("event: response.failed");
      expect(raw).not.toContain("event: response.completed");
    }
  });
});
