// An item_reference to a stored reasoning item (what the Vercel AI SDK's @ai-sdk/openai sends for earlier reasoning
// when store is on, its default) hands Anthropic its signed thinking back, as previous_response_id does; the stored
// state stays out of what a client reads back.
import { describe, expect, it } from "vitest";
import { call, newSession, type Session } from "../gateway.ts";
import { parseSse } from "./fixtures.ts";

const HAIKU = "anthropic/claude-haiku-4-5-20251001";
// biome-ignore lint/suspicious/noExplicitAny: the test reads answers field by field
type Json = Record<string, any>;
const create = async (s: Session, body: Json) => {
  const res = await call(s.env, "/v1/responses", { method: "POST", json: body });
  expect(res.status).toBe(200);
  return res;
};
const rebuilt = (ids: { rs: string; msg: string }) => ({
  model: HAIKU,
  reasoning: { effort: "low" },
  input: [
    { role: "user", content: [{ type: "input_text", text: "Two names for a pelican" }] },
    { type: "item_reference", id: ids.rs },
    { type: "item_reference", id: ids.msg },
    { role: "user", content: [{ type: "input_text", text: "And a third?" }] },
  ],
});

async function expectThinkingHandedBack(s: Session, res: Response) {
  expect(decodeURIComponent(res.headers.get("x-router-warnings") ?? "")).not.toMatch(/reasoning items/);
  const sent = (await s.requests()).at(-1)?.body as Json;
  expect(sent.messages.map((m: Json) => m.role)).toEqual(["user", "assistant", "user"]);
  expect(sent.messages[1].content[0]).toMatchObject({ type: "thinking", signature: expect.any(String) });
}

describe("item_reference to a stored reasoning item", () => {
  it("a JSON answer's reasoning item, referenced, gives Anthropic the signed thinking; GET shows no stored state", async () => {
    const s = await newSession();
    const first = (await (
      await create(s, { model: HAIKU, input: "Two names for a pelican", reasoning: { effort: "low" } })
    ).json()) as Json;
    const [rs, msg] = first.output as Json[];
    expect([rs?.type, msg?.type]).toEqual(["reasoning", "message"]);
    expect(rs).not.toHaveProperty("encrypted_content");
    await expectThinkingHandedBack(s, await create(s, rebuilt({ rs: rs?.id, msg: msg?.id })));
    const got = (await (await call(s.env, `/v1/responses/${first.id}`, { method: "GET" })).json()) as Json;
    expect(got.output).toEqual(first.output);
    expect(JSON.stringify(got)).not.toMatch(/switchyard_state|encrypted_content/);
  });

  it("a streamed answer's reasoning item, referenced, gives Anthropic the signed thinking too", async () => {
    const s = await newSession();
    const res = await create(s, {
      model: HAIKU,
      input: "Two names for a pelican",
      reasoning: { effort: "low" },
      stream: true,
    });
    const events = parseSse(await res.text());
    const completed = events.at(-1)?.data.response as Json;
    expect(completed.status).toBe("completed");
    const [rs, msg] = completed.output as Json[];
    expect([rs?.type, msg?.type]).toEqual(["reasoning", "message"]);
    expect(JSON.stringify(events)).not.toMatch(/switchyard_state|encrypted_content/);
    await expectThinkingHandedBack(s, await create(s, rebuilt({ rs: rs?.id, msg: msg?.id })));
    const got = (await (await call(s.env, `/v1/responses/${completed.id}`, { method: "GET" })).json()) as Json;
    expect(JSON.stringify(got)).not.toMatch(/switchyard_state|encrypted_content/);
  });

  it("a client that asked for reasoning.encrypted_content gets it shown, and a reference to the item works alike", async () => {
    const s = await newSession();
    const first = (await (
      await create(s, {
        model: HAIKU,
        input: "Two names for a pelican",
        reasoning: { effort: "low" },
        include: ["reasoning.encrypted_content"],
      })
    ).json()) as Json;
    const [rs, msg] = first.output as Json[];
    expect(rs?.encrypted_content).toMatch(/^swy1\./);
    await expectThinkingHandedBack(s, await create(s, rebuilt({ rs: rs?.id, msg: msg?.id })));
    const got = (await (await call(s.env, `/v1/responses/${first.id}`, { method: "GET" })).json()) as Json;
    expect(got.output).toEqual(first.output);
  });
});
