// What the response cache never keeps, and what a hit says: an answer the content filter cut short or withheld, and a
// stream with a hole where a malformed chunk was skipped, are not stored (DESIGN: partial streams are never cached);
// an answer that came without usage replays with the usage the miss said and billed; a replayed Messages stream says
// the prompt's count in message_start; and a request refused before its plan still says x-router-cache.
import { describe, expect, it } from "vitest";
import { newSession } from "../gateway.ts";
import { cache, post, prompt, upstreamPosts } from "./cache-answers.ts";

const b64 = (s: string) => btoa(s);
const sse = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
const CHUNK = { id: "chatcmpl-x", object: "chat.completion.chunk", created: 1, model: "gpt-4o-mini-2024-07-18" };
const AV = { "anthropic-version": "2023-06-01" };
const chatBody = (text: string, extra: Record<string, unknown> = {}) => ({
  model: "openai/gpt-4o-mini",
  messages: [{ role: "user", content: text }],
  max_tokens: 100,
  router: { fallback: false },
  ...extra,
});

describe("the response cache", () => {
  // OpenAI's content filter stopped the stream after some text (its finish_reason content_filter).
  it("never stores a stream the content filter cut short", async () => {
    const s = await newSession();
    const text = prompt("content-filter-stream");
    const pieces = [
      sse({
        ...CHUNK,
        choices: [{ index: 0, delta: { role: "assistant", content: "Partial " }, finish_reason: null }],
      }),
      sse({ ...CHUNK, choices: [{ index: 0, delta: {}, finish_reason: "content_filter" }] }),
      sse({ ...CHUNK, choices: [], usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 } }),
      "data: [DONE]\n\n",
    ].map(b64);
    await s.setFaults([{ provider: "openai", mode: "raw", pieces, times: 1 }]);
    const filtered = await post(s.env, "/v1/chat/completions", chatBody(text, { stream: true }), cache());
    expect(filtered.status).toBe(200);
    expect(filtered.text).toContain('"finish_reason":"content_filter"');
    await s.setFaults([]);
    const next = await post(s.env, "/v1/chat/completions", chatBody(text), cache());
    expect(next.headers.get("x-router-cache")).toBe("miss");
    expect(next.json().choices[0].finish_reason).not.toBe("content_filter");
    expect(await upstreamPosts(s)).toBe(2);
  });

  // The same as JSON: an answer the provider withheld.
  it("never stores a JSON answer the content filter withheld", async () => {
    const s = await newSession();
    const text = prompt("content-filter-json");
    const body = JSON.stringify({
      id: "chatcmpl-y",
      object: "chat.completion",
      created: 1,
      model: "gpt-4o-mini-2024-07-18",
      choices: [{ index: 0, message: { role: "assistant", content: null }, finish_reason: "content_filter" }],
      usage: { prompt_tokens: 10, completion_tokens: 0, total_tokens: 10 },
    });
    await s.setFaults([
      { provider: "openai", mode: "raw", pieces: [b64(body)], content_type: "application/json", times: 1 },
    ]);
    const filtered = await post(s.env, "/v1/chat/completions", chatBody(text), cache());
    expect(filtered.json().choices[0].finish_reason).toBe("content_filter");
    await s.setFaults([]);
    const next = await post(s.env, "/v1/chat/completions", chatBody(text), cache());
    expect(next.headers.get("x-router-cache")).toBe("miss");
  });

  // A content chunk arrives unreadable and is skipped (the client is told in x_router.warnings).
  it("never stores a stream that lost a content chunk to a malformed event", async () => {
    const s = await newSession();
    const text = prompt("malformed-hole");
    const delta = (content: string) =>
      sse({ ...CHUNK, choices: [{ index: 0, delta: { content }, finish_reason: null }] });
    const pieces = [
      sse({ ...CHUNK, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] }),
      delta("10 + 5"),
      'data: {"id":"chatcmpl-x","choices":[{"index":0,"delta":{"content":" equals\n\n',
      delta(" 15."),
      sse({ ...CHUNK, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }),
      sse({ ...CHUNK, choices: [], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } }),
      "data: [DONE]\n\n",
    ].map(b64);
    await s.setFaults([{ provider: "openai", mode: "raw", pieces, times: 1 }]);
    const holed = await post(s.env, "/v1/chat/completions", chatBody(text, { stream: true }), cache());
    expect(holed.text).toContain("malformed stream chunk(s) from the provider were skipped");
    await s.setFaults([]);
    const next = await post(s.env, "/v1/chat/completions", chatBody(text), cache());
    expect(next.headers.get("x-router-cache")).toBe("miss");
  });

  // The provider sent no usage: the miss answers with the estimate it bills.
  it("a Messages hit of an answer that came without usage says the miss's usage, not zeros", async () => {
    const s = await newSession();
    const text = prompt("no-usage-messages");
    const body = {
      model: "openai/gpt-4o-mini",
      max_tokens: 100,
      messages: [{ role: "user", content: text }],
      router: { fallback: false },
    };
    await s.setFaults([{ provider: "openai", mode: "no_usage", times: 1 }]);
    const miss = await post(s.env, "/v1/messages", body, { ...cache(), ...AV });
    expect(miss.headers.get("x-router-cache")).toBe("miss");
    expect(miss.json().usage.input_tokens).toBeGreaterThan(0);
    const hit = await post(s.env, "/v1/messages", body, { ...cache(), ...AV });
    expect(hit.headers.get("x-router-cache")).toBe("hit");
    expect(hit.json().usage.input_tokens).toBe(miss.json().usage.input_tokens);
    expect(hit.json().usage.output_tokens).toBe(miss.json().usage.output_tokens);
  });

  // The same through Responses.
  it("a Responses hit of an answer that came without usage carries numbers in usage, as the miss did", async () => {
    const s = await newSession();
    const text = prompt("no-usage-responses");
    const body = {
      model: "openai/gpt-4o-mini",
      max_output_tokens: 100,
      input: [{ role: "user", content: text }],
      router: { fallback: false },
    };
    await s.setFaults([{ provider: "openai", mode: "no_usage", times: 1 }]);
    const miss = await post(s.env, "/v1/responses", body, cache());
    expect(miss.json().usage?.input_tokens).toBeGreaterThan(0);
    const hit = await post(s.env, "/v1/responses", body, cache());
    expect(hit.headers.get("x-router-cache")).toBe("hit");
    expect(hit.json().usage).toEqual(miss.json().usage);
  });

  // Anthropic's message_start carries the prompt's input_tokens; raw SSE readers take it from there.
  it("a replayed Messages stream says the prompt's input_tokens in message_start, as the miss did", async () => {
    const s = await newSession();
    const text = prompt("message-start");
    const body = {
      model: "anthropic/claude-haiku-4-5",
      max_tokens: 100,
      messages: [{ role: "user", content: text }],
      router: { fallback: false },
      stream: true,
    };
    const start = (a: Awaited<ReturnType<typeof post>>) =>
      a.events().find((e) => e.event === "message_start")?.data.message.usage.input_tokens;
    const miss = await post(s.env, "/v1/messages", body, { ...cache(), ...AV });
    expect(start(miss)).toBeGreaterThan(0);
    const hit = await post(s.env, "/v1/messages", body, { ...cache(), ...AV });
    expect(hit.headers.get("x-router-cache")).toBe("hit");
    expect(start(hit)).toBe(start(miss));
  });

  // An unknown model is refused before any plan, so before the cache.
  it("says x-router-cache on an answer refused before its plan", async () => {
    const s = await newSession();
    const bad = await post(
      s.env,
      "/v1/chat/completions",
      { model: "nope/nope", messages: [{ role: "user", content: "x" }] },
      cache(),
    );
    expect(bad.status).toBe(400);
    expect(bad.headers.get("x-router-cache")).toBe("bypass");
  });

  // A Messages client sends its turn as one text block: the same request as chat's string, so the same entry.
  it("an answer made through chat is a hit for the same request through Messages", async () => {
    const s = await newSession();
    const text = prompt("across-dialects");
    const viaChat = await post(s.env, "/v1/chat/completions", chatBody(text), cache());
    expect(viaChat.headers.get("x-router-cache")).toBe("miss");
    const messages = {
      model: "openai/gpt-4o-mini",
      max_tokens: 100,
      messages: [{ role: "user", content: [{ type: "text", text }] }],
      router: { fallback: false },
    };
    const viaMessages = await post(s.env, "/v1/messages", messages, { ...cache(), ...AV });
    expect(viaMessages.headers.get("x-router-cache")).toBe("hit");
    expect(viaMessages.json().content[0].text).toBe(viaChat.json().choices[0].message.content);
    expect(await upstreamPosts(s)).toBe(1);
  });
});
