// Stored responses as the openai client meets them: an item_reference found where previous_response_id is found
// (the admin naming no workspace: any workspace's), input_items paged by `before` as well as `after`, and OpenAI's
// 16-pair limit on metadata.
import { createExecutionContext } from "cloudflare:test";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import worker from "../../../src/index.ts";
import { call, newSession, type Session } from "../gateway.ts";

const ADMIN = "admin-key-for-responses-items-0123456789";
const GPT = "openai/gpt-4o-mini";
const tools = [
  {
    type: "function" as const,
    name: "get_weather",
    strict: false,
    parameters: { type: "object", properties: { city: { type: "string" } } },
  },
];
// biome-ignore lint/suspicious/noExplicitAny: the tests read answers field by field
type Json = Record<string, any>;

const session = () => newSession({}, { ADMIN_KEY: ADMIN });
const client = (s: Session, headers: Record<string, string> = {}) =>
  new OpenAI({
    baseURL: "http://127.0.0.1:8787/v1",
    apiKey: ADMIN,
    maxRetries: 0,
    defaultHeaders: headers,
    fetch: (async (input: RequestInfo | URL, init?: RequestInit) =>
      worker.fetch(new Request(input, init), s.env, createExecutionContext())) as typeof fetch,
  });

describe("item_reference", () => {
  it("the admin naming no workspace finds a stored item of any workspace, as previous_response_id does", async () => {
    const s = await session();
    const r1 = await client(s, { "x-router-workspace": `ws-items-${crypto.randomUUID()}` }).responses.create({
      model: GPT,
      input: "Weather in Paris?",
      tools,
    });
    const calls = r1.output.flatMap((i) => (i.type === "function_call" ? [i] : []));
    expect(calls.length).toBeGreaterThan(0);
    const outputs = calls.map((c) => ({ type: "function_call_output" as const, call_id: c.call_id, output: "18C" }));
    const c = client(s);
    const viaPrevious = await c.responses.create({ model: GPT, tools, previous_response_id: r1.id, input: outputs });
    expect(viaPrevious.status).toBe("completed");
    const viaReference = await c.responses.create({
      model: GPT,
      tools,
      input: [
        { role: "user", content: "Weather in Paris?" },
        ...calls.map((call) => ({ type: "item_reference" as const, id: call.id as string })),
        ...outputs,
      ],
    });
    expect(viaReference.status).toBe("completed");
    const sent = (await s.requests()).at(-1)?.body as Json;
    expect(sent.messages[1].tool_calls.map((t: Json) => t.id)).toEqual(calls.map((call) => call.call_id));
  });
});

describe("input_items paging", () => {
  const five = ["one", "two", "three", "four", "five"].map((text, i) => ({
    type: "message" as const,
    role: i % 2 === 0 ? ("user" as const) : ("assistant" as const),
    content: text,
  }));

  it("before: the items before the given id, in the order asked, with has_more past the limit", async () => {
    const s = await session();
    const c = client(s);
    const r = await c.responses.create({ model: GPT, input: five });
    const asc = (await c.responses.inputItems.list(r.id, { order: "asc" })).data.map((i) => i.id);
    expect(asc).toHaveLength(5);
    const page = async (query: string) => {
      const res = await call(s.env, `/v1/responses/${r.id}/input_items?${query}`, {
        headers: { authorization: `Bearer ${ADMIN}` },
      });
      expect(res.status).toBe(200);
      return (await res.json()) as Json;
    };
    expect((await page(`order=asc&before=${asc[3]}`)).data.map((i: Json) => i.id)).toEqual(asc.slice(0, 3));
    const limited = await page(`order=asc&before=${asc[3]}&limit=2`);
    expect(limited.data.map((i: Json) => i.id)).toEqual(asc.slice(0, 2));
    expect(limited.has_more).toBe(true);
    const between = await page(`order=asc&after=${asc[0]}&before=${asc[4]}`);
    expect(between.data.map((i: Json) => i.id)).toEqual(asc.slice(1, 4));
    expect(between.has_more).toBe(false);
    expect((await page(`before=${asc[1]}`)).data.map((i: Json) => i.id)).toEqual([asc[4], asc[3], asc[2]]);
    expect((await page("before=msg_nope")).data).toEqual([]);
  });
});

describe("metadata", () => {
  it("16 pairs are kept; a 17th is a 400 naming metadata", async () => {
    const s = await session();
    const c = client(s);
    const pairs = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, `v${i}`]));
    const kept = await c.responses.create({ model: GPT, input: "hi", metadata: pairs(16) });
    expect(Object.keys(kept.metadata ?? {})).toHaveLength(16);
    const err = await c.responses.create({ model: GPT, input: "hi", metadata: pairs(17) }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.error).toMatchObject({ type: "invalid_request_error", param: "metadata" });
    expect(err.error.message).toMatch(/16/);
  });
});
