// Input the official APIs refuse is refused here too, before any provider call, in the dialect's own error shape; input
// they take (nulls meaning "not set", an empty user string, instructions alone) is taken, and reaches Anthropic in a
// shape Anthropic takes.
import { describe, expect, it } from "vitest";
import { call, chat, newSession } from "../gateway.ts";

const NF = { router: { fallback: false } };
const HAIKU = "anthropic/claude-3-haiku";
const GPT = "openai/gpt-4o-mini";

interface ErrorBody {
  type?: string;
  error: { type?: string; param?: string | null; message?: string };
}

async function json(res: Response): Promise<ErrorBody> {
  return (await res.json()) as ErrorBody;
}

describe("Messages: empty user content", () => {
  // src/dialects/messages/request.ts: "Anthropic's rule: every message has content, except a final assistant message
  // (a prefill)". Anthropic answers `content: ""` with 400 "messages.0: all messages must have non-empty content except
  // for the optional final assistant message", and an empty text block with "text content blocks must be non-empty".
  for (const content of ["", [{ type: "text", text: "" }]]) {
    it(`400 invalid_request_error, no upstream call, for content ${JSON.stringify(content)}`, async () => {
      const s = await newSession();
      const res = await call(s.env, "/v1/messages", {
        method: "POST",
        json: { model: HAIKU, max_tokens: 10, ...NF, messages: [{ role: "user", content }] },
      });
      const body = await json(res);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(body).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
      expect(await s.requests()).toHaveLength(0);
    });
  }
});

describe("Chat: message shapes", () => {
  // OpenAI refuses an empty content array ("Invalid 'messages[0].content': empty array. Expected an array with minimum
  // length 1"). DESIGN: "Bad input gets a clear error ... with the right status".
  it("a user message with content [] is a 400 naming messages.0.content", async () => {
    const s = await newSession();
    const res = await chat(s.env, { model: HAIKU, ...NF, messages: [{ role: "user", content: [] }] });
    const body = await json(res);
    expect(res.status, JSON.stringify(body).slice(0, 300)).toBe(400);
    expect(body.error.param).toBe("messages.0.content");
    expect(await s.requests()).toHaveLength(0);
  });

  // OpenAI takes null for "not set" on every optional field, and so does Switchyard, inside messages too: an assistant
  // turn replayed with `tool_calls: null` (what the Python SDK's models and many OpenAI-compatible servers produce;
  // openai/openai-openapi#348), or `name: null`.
  it("null tool_calls / name on a message mean not set", async () => {
    const s = await newSession();
    const res = await chat(s.env, {
      model: GPT,
      ...NF,
      messages: [
        { role: "user", content: "hi", name: null },
        { role: "assistant", content: "hello", tool_calls: null, name: null },
        { role: "user", content: "again" },
      ],
    });
    expect(res.status, (await res.clone().text()).slice(0, 300)).toBe(200);
  });

  // OpenAI: 400 "Messages with role 'tool' must be a response to a preceding message with 'tool_calls'". Anthropic
  // refuses a tool_result with no tool_use too: sent on, every candidate of a chain would be called with a request none
  // can take.
  it("a tool message answering no tool call is a 400 before any provider call", async () => {
    const s = await newSession();
    const res = await chat(s.env, {
      model: HAIKU,
      ...NF,
      messages: [
        { role: "user", content: "hi" },
        { role: "tool", tool_call_id: "call_nope", content: "r" },
      ],
    });
    expect(res.status).toBe(400);
    expect(await s.requests()).toHaveLength(0);
  });
});

describe("Responses: function_call_output without its call", () => {
  // OpenAI: 400 {"message":"No tool call found for function call output with call_id nope.","type":
  // "invalid_request_error","param":"input"}.
  it("is a 400 naming input, before any provider call", async () => {
    const s = await newSession();
    const res = await call(s.env, "/v1/responses", {
      method: "POST",
      json: { model: GPT, ...NF, input: [{ type: "function_call_output", call_id: "nope", output: "x" }] },
    });
    const body = await json(res);
    expect(res.status, JSON.stringify(body).slice(0, 300)).toBe(400);
    expect(body.error.param).toMatch(/^input/);
    expect(await s.requests()).toHaveLength(0);
  });
});

describe("image URLs", () => {
  // As /v1/messages refuses a source.url that is not a URL (400 "Invalid URL"), chat's image_url.url and Responses'
  // input_image.image_url are URLs or data URLs; OpenAI refuses anything else up front.
  it("chat: 400 naming the url", async () => {
    const s = await newSession();
    const res = await chat(s.env, {
      model: GPT,
      ...NF,
      messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "not a url" } }] }],
    });
    const body = await json(res);
    expect(res.status, JSON.stringify(body).slice(0, 300)).toBe(400);
    expect(body.error.param).toBe("messages.0.content.0.image_url.url");
    expect(await s.requests()).toHaveLength(0);
  });

  it("responses: 400 naming the image_url", async () => {
    const s = await newSession();
    const res = await call(s.env, "/v1/responses", {
      method: "POST",
      json: {
        model: GPT,
        ...NF,
        input: [{ role: "user", content: [{ type: "input_image", image_url: "not a url" }] }],
      },
    });
    const body = await json(res);
    expect(res.status, JSON.stringify(body).slice(0, 300)).toBe(400);
    expect(body.error.param).toBe("input.0.content.0.image_url");
    expect(await s.requests()).toHaveLength(0);
  });
});

describe("valid OpenAI input reaching Anthropic in a shape Anthropic refuses", () => {
  // DESIGN "Dialects": "any dialect may reach any provider". OpenAI takes a system-only conversation and an empty
  // user string; Anthropic refuses `messages: []` ("at least one message is required") and empty text blocks, so the
  // adapter sends the instructions as the user's turn, and leaves an empty text block out.
  for (const messages of [[{ role: "system", content: "Say hi." }], [{ role: "user", content: "" }]]) {
    it(`${JSON.stringify(messages)}: no empty messages list, no empty text block upstream`, async () => {
      const s = await newSession();
      const res = await chat(s.env, { model: HAIKU, ...NF, messages });
      await res.text();
      const sent = (await s.requests()).filter((r) => r.provider === "anthropic").map((r) => r.body ?? {});
      for (const body of sent) {
        const turns = body.messages as { content: { type: string; text?: string }[] }[];
        expect(turns.length, JSON.stringify(body)).toBeGreaterThan(0);
        for (const t of turns) for (const b of t.content) if (b.type === "text") expect(b.text).not.toBe("");
      }
    });
  }
});

describe("a provider's 404 and 413 reach the caller as such", () => {
  // OpenAI answers an unknown model with 404 model_not_found (the openai client's NotFoundError) and a body too large
  // with 413: with every candidate saying the same, the caller hears that status, in its dialect's shape.
  for (const status of [404, 413]) {
    it(`${status} from the only candidate: ${status} in chat and in Messages`, async () => {
      const s = await newSession({ faults: [{ provider: "openai", mode: "status", status }] });
      const res = await chat(s.env, { model: GPT, ...NF, messages: [{ role: "user", content: "hi" }] });
      const body = await json(res);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(body.error.type).toBe("invalid_request_error");
      const messages = await call(s.env, "/v1/messages", {
        method: "POST",
        json: { model: GPT, max_tokens: 10, ...NF, messages: [{ role: "user", content: "hi" }] },
      });
      const anthropic = await json(messages);
      expect(messages.status).toBe(status);
      expect(anthropic).toMatchObject({
        type: "error",
        error: { type: status === 404 ? "not_found_error" : "request_too_large" },
      });
    });
  }
});
