// Redacted thinking: Anthropic's encrypted thinking blocks reach a Messages client in JSON and in the stream, and go
// back to Anthropic in the next turn (from the client's own copy, or from a stored Responses conversation), as
// Anthropic requires around tool use. The emulator answers Anthropic's documented trigger string with one.
import { describe, expect, it } from "vitest";
import { REDACTED_DATA, REDACTED_THINKING_TRIGGER } from "../../emulators/providers/anthropic-recordings.ts";
import { call, newSession, type Session } from "../gateway.ts";
import { parseSse } from "./fixtures.ts";

const HAIKU = "anthropic/claude-haiku-4-5-20251001";
const thinking = { type: "enabled", budget_tokens: 2048 };
const ask = [{ role: "user", content: `Two names for a pelican. ${REDACTED_THINKING_TRIGGER}` }];

const messages = (s: Session, body: Record<string, unknown>) =>
  call(s.env, "/v1/messages", {
    method: "POST",
    json: { model: HAIKU, max_tokens: 4096, thinking, messages: ask, ...body },
  });

/** The calls the gateway made to Anthropic's messages endpoint. */
const anthropicCalls = async (s: Session) => (await s.requests()).filter((r) => r.path.endsWith("/messages"));

describe("redacted thinking", () => {
  it("streams to a Messages client as its own block, before the thinking and the text", async () => {
    const s = await newSession();
    const events = parseSse(await (await messages(s, { stream: true })).text());
    const starts = events.filter((e) => e.event === "content_block_start");
    expect(starts.map((e) => [e.data.index, e.data.content_block.type])).toEqual([
      [0, "redacted_thinking"],
      [1, "thinking"],
      [2, "text"],
    ]);
    expect(starts[0]?.data.content_block).toEqual({ type: "redacted_thinking", data: REDACTED_DATA });
    const stops = events.filter((e) => e.event === "content_block_stop").map((e) => e.data.index);
    expect(stops).toEqual([0, 1, 2]);
    expect(events.some((e) => e.event === "content_block_delta" && e.data.index === 0)).toBe(false);
    expect(events.at(-1)?.event).toBe("message_stop");
  });

  it("comes back in JSON, and the client's copy goes back to Anthropic in the next turn", async () => {
    const s = await newSession();
    // biome-ignore lint/suspicious/noExplicitAny: the test reads the answer field by field
    const first = (await (await messages(s, {})).json()) as any;
    expect(first.content[0]).toEqual({ type: "redacted_thinking", data: REDACTED_DATA });
    const res = await messages(s, {
      messages: [...ask, { role: "assistant", content: first.content }, { role: "user", content: "And a third?" }],
    });
    expect(res.status).toBe(200);
    const sent = (await anthropicCalls(s)).at(-1)?.body as { messages: { role: string; content: unknown[] }[] };
    expect(sent.messages[1]?.content[0]).toEqual({ type: "redacted_thinking", data: REDACTED_DATA });
  });

  it("a streamed Responses answer stores it, and previous_response_id hands it back to Anthropic", async () => {
    const s = await newSession();
    const responses = (json: Record<string, unknown>) => call(s.env, "/v1/responses", { method: "POST", json });
    const stream = parseSse(
      await (
        await responses({ model: HAIKU, input: ask[0]?.content, reasoning: { effort: "low" }, stream: true })
      ).text(),
    );
    const completed = stream.find((e) => e.event === "response.completed");
    expect(completed?.data.response.status).toBe("completed");
    const next = await responses({
      model: HAIKU,
      previous_response_id: completed?.data.response.id,
      input: "And a third?",
      reasoning: { effort: "low" },
    });
    expect(next.status).toBe(200);
    const sent = (await anthropicCalls(s)).at(-1)?.body as {
      messages: { role: string; content: { type: string }[] }[];
    };
    const assistant = sent.messages.find((m) => m.role === "assistant");
    expect(assistant?.content.map((b) => b.type)).toEqual(["redacted_thinking", "thinking", "text"]);
    expect(assistant?.content[0]).toEqual({ type: "redacted_thinking", data: REDACTED_DATA });
  });

  it("a client that keeps its own state (store: false) gets it sealed in a reasoning item, and hands it back", async () => {
    const s = await newSession();
    const responses = (json: Record<string, unknown>) => call(s.env, "/v1/responses", { method: "POST", json });
    const base = { model: HAIKU, reasoning: { effort: "low" }, store: false, include: ["reasoning.encrypted_content"] };
    const stream = parseSse(await (await responses({ ...base, input: ask[0]?.content, stream: true })).text());
    const output = stream.find((e) => e.event === "response.completed")?.data.response.output as {
      type: string;
      encrypted_content?: string;
    }[];
    expect(output.map((i) => i.type)).toEqual(["reasoning", "reasoning", "message"]);
    expect(output.every((i) => i.type !== "reasoning" || typeof i.encrypted_content === "string")).toBe(true);
    const next = await responses({
      ...base,
      input: [{ role: "user", content: ask[0]?.content }, ...output, { role: "user", content: "And a third?" }],
    });
    expect(next.status, await next.clone().text()).toBe(200);
    const sent = (await anthropicCalls(s)).at(-1)?.body as {
      messages: { role: string; content: { type: string }[] }[];
    };
    const assistant = sent.messages.find((m) => m.role === "assistant");
    expect(assistant?.content.map((b) => b.type)).toEqual(["redacted_thinking", "thinking", "text"]);
  });
});
