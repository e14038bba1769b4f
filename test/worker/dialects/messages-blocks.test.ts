// The Messages API through @anthropic-ai/sdk: separate text blocks stay apart on the way upstream (glued, "line one."
// and "line two." would read as one sentence), the anthropic-beta header reaches Anthropic's count_tokens as it
// reaches /v1/messages, and a tool's or thinking's setting the gateway does not carry is named in x-router-warnings.
import { createExecutionContext } from "cloudflare:test";
import Anthropic from "@anthropic-ai/sdk";
import { describe, expect, it } from "vitest";
import worker from "../../../src/index.ts";
import { call, newSession, type Session } from "../gateway.ts";

const ADMIN = "admin-key-for-messages-blocks-0123456789";
const HAIKU = "anthropic/claude-haiku-5-5";
const MINI = "openai/gpt-4o-mini";
const tools = [{ name: "get_weather", input_schema: { type: "object" as const, properties: {} } }];
// biome-ignore lint/suspicious/noExplicitAny: the tests read upstream bodies field by field
type Json = Record<string, any>;

async function client(): Promise<{ s: Session; c: Anthropic }> {
  const s = await newSession({}, { ADMIN_KEY: ADMIN });
  const fetcher = (async (input: RequestInfo | URL, init?: RequestInit) =>
    worker.fetch(new Request(input, init), s.env, createExecutionContext())) as typeof fetch;
  return { s, c: new Anthropic({ baseURL: "http://127.0.0.1:8787", apiKey: ADMIN, fetch: fetcher, maxRetries: 0 }) };
}
const lastBody = async (s: Session) => (await s.requests()).at(-1)?.body as Json;
const twoLines = [
  { type: "text" as const, text: "line one." },
  { type: "text" as const, text: "line two." },
];

/** An assistant turn of two text blocks and a tool call. */
const checkingTurn: Anthropic.MessageParam = {
  role: "assistant",
  content: [
    { type: "text", text: "Let me check." },
    { type: "text", text: "One moment." },
    { type: "tool_use", id: "toolu_1", name: "get_weather", input: {} },
  ],
};

describe("text blocks stay apart", () => {
  it("a tool_result of two text blocks reaches Anthropic as two blocks", async () => {
    const { c, s } = await client();
    await c.messages.create({
      model: HAIKU,
      max_tokens: 50,
      tools,
      messages: [
        { role: "user", content: "Weather?" },
        { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "get_weather", input: {} }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: twoLines }] },
      ],
    });
    const result = (await lastBody(s)).messages[2].content[0];
    expect(result).toMatchObject({ type: "tool_result", tool_use_id: "toolu_1", content: twoLines });
  });

  it("an assistant turn's two text blocks reach Anthropic as two blocks, before its tool_use", async () => {
    const { c, s } = await client();
    await c.messages.create({
      model: HAIKU,
      max_tokens: 50,
      tools,
      messages: [
        { role: "user", content: "Weather?" },
        checkingTurn,
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "sunny" }] },
      ],
    });
    const turn = (await lastBody(s)).messages[1].content;
    expect(turn.map((b: Json) => b.type)).toEqual(["text", "text", "tool_use"]);
    expect(turn.slice(0, 2).map((b: Json) => b.text)).toEqual(["Let me check.", "One moment."]);
  });

  it("to OpenAI: the assistant's blocks stay parts, and a failed tool's blocks are one text apart by a blank line", async () => {
    const { c, s } = await client();
    await c.messages.create({
      model: MINI,
      max_tokens: 50,
      tools,
      messages: [
        { role: "user", content: "Weather?" },
        checkingTurn,
        {
          role: "user",
          content: [{ type: "tool_result", tool_use_id: "toolu_1", is_error: true, content: twoLines }],
        },
      ],
    });
    const sent = (await lastBody(s)).messages;
    expect(sent[1].content.map((p: Json) => p.text)).toEqual(["Let me check.", "One moment."]);
    expect(sent[2]).toMatchObject({ role: "tool", tool_call_id: "toolu_1", content: "Error: line one.\n\nline two." });
  });
});

describe("count_tokens", () => {
  it("sends the caller's anthropic-beta names on to Anthropic, as /v1/messages does", async () => {
    const { c, s } = await client();
    const messages = [{ role: "user" as const, content: "hi" }];
    await c.beta.messages.create({ model: HAIKU, max_tokens: 10, messages, betas: ["context-1m-2025-08-07"] });
    expect((await s.requests()).at(-1)?.headers["anthropic-beta"]).toBe("context-1m-2025-08-07");
    const counted = await c.beta.messages.countTokens({ model: HAIKU, messages, betas: ["context-1m-2025-08-07"] });
    expect(counted.input_tokens).toBeGreaterThan(0);
    const upstream = (await s.requests()).at(-1);
    expect(upstream?.path).toContain("count_tokens");
    // The SDK adds its own token-counting beta beside the caller's.
    expect(upstream?.headers["anthropic-beta"]?.split(",")).toContain("context-1m-2025-08-07");
  });
});

describe("settings the gateway does not carry", () => {
  it("a tool's strict and thinking's display are named in x-router-warnings; the request is served", async () => {
    const s = await newSession({}, { ADMIN_KEY: ADMIN });
    const res = await call(s.env, "/v1/messages", {
      method: "POST",
      headers: { "x-api-key": ADMIN },
      json: {
        model: HAIKU,
        max_tokens: 4000,
        thinking: { type: "adaptive", display: "omitted" },
        tools: [{ ...tools[0], strict: true }],
        messages: [{ role: "user", content: "hi" }],
      },
    });
    expect(res.status).toBe(200);
    const warnings = decodeURIComponent(res.headers.get("x-router-warnings") ?? "");
    expect(warnings).toContain('"tools.0.strict" is not supported by Switchyard; it was not sent');
    expect(warnings).toContain('"thinking.display" is not supported by Switchyard; it was not sent');
    const sent = await lastBody(s);
    expect(sent.tools[0].strict).toBeUndefined();
    expect(sent.thinking).toEqual({ type: "adaptive" });
  });
});
