// The response cache through the official clients: the openai SDK opts in with a header, reads x-router-cache, and
// gets the cached answer again as JSON and as a stream; @anthropic-ai/sdk gets a Messages answer replayed.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import worker from "../../../src/index.ts";
import { newSession, type Session } from "../gateway.ts";

/** A key is checked when sent, even in development mode: the clients always send one. */
const ADMIN = "sdk-cache-admin";

/** The Worker as the clients' fetch; `settle()` waits for every call's after-the-response work (the cache writes). */
function workerFetch(s: Session) {
  const pending: Promise<void>[] = [];
  const fetch = async (url: string | URL | Request, init?: RequestInit) => {
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request(url, init), s.env, ctx);
    pending.push(waitOnExecutionContext(ctx));
    return res;
  };
  return { fetch, settle: () => Promise.all(pending.splice(0)) };
}

async function upstreamCalls(s: Session): Promise<number> {
  return (await s.requests()).filter((r) => r.method === "POST").length;
}

describe("response cache through the official clients", () => {
  it("openai: a miss, then hits as JSON and as a stream, with x-router-cache", async () => {
    const s = await newSession({}, { ADMIN_KEY: ADMIN });
    const { fetch, settle } = workerFetch(s);
    const client = new OpenAI({
      baseURL: "http://127.0.0.1:8787/v1",
      apiKey: ADMIN,
      maxRetries: 0,
      defaultHeaders: { "x-router-cache-ttl": "120" },
      fetch,
    });
    const ask = {
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user" as const, content: `sdk ${crypto.randomUUID()}` }],
    };
    const first = await client.chat.completions.create(ask).withResponse();
    expect(first.response.headers.get("x-router-cache")).toBe("miss");
    await settle();
    const second = await client.chat.completions.create(ask).withResponse();
    expect(second.response.headers.get("x-router-cache")).toBe("hit");
    expect(second.data.choices[0]?.message.content).toBe(first.data.choices[0]?.message.content);

    const stream = await client.chat.completions.create({ ...ask, stream: true }).withResponse();
    expect(stream.response.headers.get("x-router-cache")).toBe("hit");
    let text = "";
    for await (const chunk of stream.data) text += chunk.choices[0]?.delta?.content ?? "";
    expect(text).toBe(first.data.choices[0]?.message.content);
    await settle();
    expect(await upstreamCalls(s)).toBe(1);
  });

  it("@anthropic-ai/sdk: messages.create is answered from the cache the second time", async () => {
    const s = await newSession({}, { ADMIN_KEY: ADMIN });
    const { fetch, settle } = workerFetch(s);
    const client = new Anthropic({ baseURL: "http://127.0.0.1:8787", apiKey: ADMIN, maxRetries: 0, fetch });
    const ask = {
      model: "anthropic/claude-haiku-4-5",
      max_tokens: 200,
      messages: [{ role: "user" as const, content: `sdk ${crypto.randomUUID()}` }],
    };
    const options = { headers: { "x-router-cache-ttl": "120" } };
    const first = await client.messages.create(ask, options).withResponse();
    expect(first.response.headers.get("x-router-cache")).toBe("miss");
    await settle();
    const second = await client.messages.create(ask, options).withResponse();
    expect(second.response.headers.get("x-router-cache")).toBe("hit");
    expect(second.data.content).toEqual(first.data.content);
    const streamed = await client.messages.stream(ask, options).finalMessage();
    expect(streamed.content).toEqual(first.data.content);
    await settle();
    expect(await upstreamCalls(s)).toBe(1);
  });
});
