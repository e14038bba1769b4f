// Reasoning from providers other than Anthropic reaches every dialect through the gateway: Magistral's thinking parts
// (Mistral's recorded stream), the `reasoning` field of Together's gpt-oss and Ollama's `thinking` (both synthesized in
// the emulator, test/emulators/providers/reasoning.ts) become a Responses reasoning item and a Messages thinking block,
// as JSON and streamed, while a chat client gets its answer as before.
import { describe, expect, it } from "vitest";
import { parseSse } from "../dialects/fixtures.ts";
import { call, chat, type ProviderId as Id, newSession, sseData } from "../gateway.ts";

// biome-ignore lint/suspicious/noExplicitAny: the tests read answers field by field
type Json = Record<string, any>;

const SYNTHESIZED = /^The user wants a short answer\. I will keep it to one line\.$/;
const CASES: { provider: Id; model: string; thinking: RegExp }[] = [
  {
    provider: "mistral",
    model: "mistral/magistral-medium-latest",
    thinking: /^Okay, the user is asking how to cross the street\./,
  },
  { provider: "together", model: "together/openai/gpt-oss-120b", thinking: SYNTHESIZED },
  { provider: "ollama", model: "ollama/qwen3:0.6b", thinking: SYNTHESIZED },
];
const question = "How do I cross the street?";

describe.each(CASES)("$provider", ({ provider, model, thinking }) => {
  const post = async (path: string, json: Json) => {
    const s = await newSession();
    const res = await call(s.env, path, { method: "POST", json });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get("x-router-provider")).toBe(provider);
    return res;
  };
  // Ollama thinks apart only when asked (`think`); the others think unasked, and are asked the same way regardless.
  const responses = (stream: boolean) => ({ model, stream, input: question, reasoning: { effort: "low" } });
  const messages = (stream: boolean) => ({
    model,
    stream,
    max_tokens: 4096,
    thinking: { type: "enabled", budget_tokens: 1024 },
    messages: [{ role: "user", content: question }],
  });

  it("Responses, JSON: a reasoning item with the thinking, then the message", async () => {
    const body = (await (await post("/v1/responses", responses(false))).json()) as Json;
    expect(body.output.map((i: Json) => i.type)).toEqual(["reasoning", "message"]);
    expect(body.output[0].summary[0].text).toMatch(thinking);
    expect(body.output[1].content[0].text).not.toMatch(thinking);
    expect(body.output_text ?? body.output[1].content[0].text).not.toBe("");
  });

  it("Responses, stream: reasoning summary deltas, then a completed response with the reasoning item first", async () => {
    const events = parseSse(await (await post("/v1/responses", responses(true))).text());
    const deltas = events.filter((e) => e.data.type === "response.reasoning_summary_text.delta");
    expect(deltas.map((e) => e.data.delta).join("")).toMatch(thinking);
    const done = events.at(-1)?.data;
    expect(done?.type).toBe("response.completed");
    expect(done?.response.output.map((i: Json) => i.type)).toEqual(["reasoning", "message"]);
    expect(done?.response.output[0].summary[0].text).toMatch(thinking);
    expect(events.map((e) => e.data.sequence_number)).toEqual(events.map((_e, i) => i));
  });

  it("Messages, JSON: a thinking block before the text block", async () => {
    const body = (await (await post("/v1/messages", messages(false))).json()) as Json;
    expect(body.content.map((b: Json) => b.type)).toEqual(["thinking", "text"]);
    expect(body.content[0].thinking).toMatch(thinking);
    expect(body.content[1].text).not.toMatch(thinking);
  });

  it("Messages, stream: a thinking block of thinking_delta events, then the text block", async () => {
    const events = parseSse(await (await post("/v1/messages", messages(true))).text());
    const starts = events.filter((e) => e.event === "content_block_start").map((e) => e.data.content_block.type);
    expect(starts).toEqual(["thinking", "text"]);
    const deltas = events.filter((e) => e.data.delta?.type === "thinking_delta");
    expect(deltas.map((e) => e.data.delta.thinking).join("")).toMatch(thinking);
    expect(events.at(-1)?.event).toBe("message_stop");
  });

  it("chat, JSON and stream: the answer as before, without the reasoning", async () => {
    const s = await newSession();
    const ask = { model, reasoning_effort: "low", messages: [{ role: "user", content: question }] };
    const res = await chat(s.env, ask);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body.object).toBe("chat.completion");
    expect(body.choices[0].message.content).not.toBe("");
    expect(body.choices[0].message.content).not.toMatch(thinking);
    expect(body.choices[0].finish_reason).toBe("stop");

    const streamed = await sseData(await chat(s.env, { ...ask, stream: true }));
    expect(streamed.at(-1)).toBe("[DONE]");
    const chunks = streamed.slice(0, -1) as Json[];
    for (const c of chunks) expect(c.object).toBe("chat.completion.chunk");
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("");
    expect(text).not.toBe("");
    expect(text).not.toMatch(thinking);
    expect(chunks.map((c) => c.choices[0]?.finish_reason).filter(Boolean)).toEqual(["stop"]);
  });
});

describe("a continued conversation", () => {
  it("keeps Magistral's reasoning out of the messages it sends back to Mistral", async () => {
    const s = await newSession();
    const first = await call(s.env, "/v1/responses", {
      method: "POST",
      json: { model: "mistral/magistral-medium-latest", input: question },
    });
    const id = ((await first.json()) as Json).id as string;
    for (let i = 0; i < 50 && (await call(s.env, `/v1/responses/${id}`)).status !== 200; i++)
      await new Promise((r) => setTimeout(r, 20));
    const next = await call(s.env, "/v1/responses", {
      method: "POST",
      json: { model: "mistral/magistral-medium-latest", previous_response_id: id, input: "And at night?" },
    });
    expect(next.status, await next.clone().text()).toBe(200);
    const sent = (await s.requests()).at(-1)?.body as { messages: Json[] };
    expect(sent.messages.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    expect(sent.messages[1]).not.toHaveProperty("reasoning");
  });
});
