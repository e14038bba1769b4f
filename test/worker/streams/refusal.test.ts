// OpenAI's refusal: a model that declines (a structured output it will not fill) says so in `refusal`, not in
// `content` (ChatCompletionResponseMessage.refusal and ChatCompletionStreamResponseDelta.refusal in OpenAI's OpenAPI
// spec; no recording exists, so the bodies below are written to it). Each dialect carries it in its own place: chat's
// `refusal` field, a Responses `refusal` content part with its response.refusal.* events, and for a Messages client
// the turn's text with Anthropic's own stop reason, `refusal`. Handed back in a later turn, it is that turn's text.
import { createExecutionContext } from "cloudflare:test";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { zodResponseFormat } from "openai/helpers/zod";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { Env } from "../../../src/env.ts";
import worker from "../../../src/index.ts";
import { call, newSession } from "../gateway.ts";
import { MODEL, oaChunk, post, rawEnv, USAGE } from "./raw-upstream.ts";

const SAID = "I'm sorry, I can't help with that.";

const STREAM = [
  `data: ${oaChunk({ role: "assistant", content: null, refusal: "" })}\n\n`,
  `data: ${oaChunk({ refusal: "I'm sorry, " })}\n\n`,
  `data: ${oaChunk({ refusal: "I can't help with that." })}\n\n`,
  `data: ${oaChunk({}, "stop")}\n\n`,
  `data: ${JSON.stringify({ id: "chatcmpl-x", object: "chat.completion.chunk", created: 1, model: "gpt-4o-mini-2024-07-18", choices: [], usage: USAGE })}\n\n`,
  "data: [DONE]\n\n",
];

const ANSWER = JSON.stringify({
  id: "chatcmpl-x",
  object: "chat.completion",
  created: 1,
  model: "gpt-4o-mini-2024-07-18",
  choices: [
    {
      index: 0,
      message: { role: "assistant", content: null, refusal: SAID, annotations: [] },
      logprobs: null,
      finish_reason: "stop",
    },
  ],
  usage: USAGE,
});

/** The data of each SSE event. */
function events(raw: string): Record<string, unknown>[] {
  return raw
    .split("\n\n")
    .map((b) => b.split("\n").find((l) => l.startsWith("data: ")))
    .filter((l): l is string => l !== undefined && l !== "data: [DONE]")
    .map((l) => JSON.parse(l.slice(6)) as Record<string, unknown>);
}

describe("a streamed refusal", () => {
  it("reaches a chat client as delta.refusal, with the provider's finish and no content", async () => {
    const res = await post(await rawEnv("openai", STREAM), "chat", MODEL.openai);
    const raw = await res.text();
    expect(res.status, raw).toBe(200);
    const chunks = events(raw) as {
      choices: { delta: { refusal?: string; content?: string }; finish_reason: string | null }[];
    }[];
    const deltas = chunks.flatMap((c) => c.choices.map((ch) => ch.delta));
    expect(deltas.map((d) => d.refusal ?? "").join("")).toBe(SAID);
    expect(deltas.some((d) => typeof d.content === "string" && d.content !== "")).toBe(false);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
  });

  it("reaches a Responses client as a refusal part with response.refusal.delta and .done", async () => {
    const res = await post(await rawEnv("openai", STREAM), "responses", MODEL.openai);
    const raw = await res.text();
    expect(res.status, raw).toBe(200);
    const list = events(raw);
    const types = list.map((e) => e.type);
    expect(types).toContain("response.refusal.delta");
    expect(types).not.toContain("response.output_text.delta");
    const added = list.find((e) => e.type === "response.content_part.added") as { part: unknown };
    expect(added.part).toEqual({ type: "refusal", refusal: "" });
    const deltas = list.filter((e) => e.type === "response.refusal.delta").map((e) => e.delta);
    expect(deltas.join("")).toBe(SAID);
    const done = list.find((e) => e.type === "response.refusal.done") as Record<string, unknown>;
    expect(done).toMatchObject({ refusal: SAID, content_index: 0, output_index: 0 });
    expect(typeof done.item_id).toBe("string");
    // The sequence numbers run without a gap, and the completed response holds the refusal part.
    expect(list.map((e) => e.sequence_number)).toEqual(list.map((_, i) => i));
    const completed = list.at(-1) as { type: string; response: { output: unknown[] } };
    expect(completed.type).toBe("response.completed");
    expect(completed.response.output).toEqual([
      {
        id: done.item_id,
        type: "message",
        status: "completed",
        role: "assistant",
        content: [{ type: "refusal", refusal: SAID }],
      },
    ]);
  });

  it("reaches a Messages client as the turn's text with stop_reason refusal", async () => {
    const res = await post(await rawEnv("openai", STREAM), "messages", MODEL.openai);
    const raw = await res.text();
    expect(res.status, raw).toBe(200);
    const list = events(raw) as { type: string; delta?: { type?: string; text?: string; stop_reason?: string } }[];
    const text = list
      .filter((e) => e.type === "content_block_delta")
      .map((e) => e.delta?.text ?? "")
      .join("");
    expect(text).toBe(SAID);
    expect(list.find((e) => e.type === "message_delta")?.delta?.stop_reason).toBe("refusal");
  });
});

describe("a refusal answered as JSON", () => {
  const json = async () => rawEnv("openai", [ANSWER], "application/json");

  it("is chat's message.refusal, with content null", async () => {
    const res = await post(await json(), "chat", MODEL.openai, { stream: false });
    const body = (await res.json()) as { choices: { message: Record<string, unknown>; finish_reason: string }[] };
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.choices[0]?.message).toMatchObject({ role: "assistant", content: null, refusal: SAID });
    expect(body.choices[0]?.finish_reason).toBe("stop");
  });

  it("is a Responses refusal part, and output_text stays empty", async () => {
    const res = await post(await json(), "responses", MODEL.openai, { stream: false });
    const body = (await res.json()) as { output: { type: string; content: unknown[] }[]; output_text?: string };
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.output).toHaveLength(1);
    expect(body.output[0]?.content).toEqual([{ type: "refusal", refusal: SAID }]);
  });

  it("is a Messages text block with stop_reason refusal", async () => {
    const res = await post(await json(), "messages", MODEL.openai, { stream: false });
    const body = (await res.json()) as { content: unknown[]; stop_reason: string };
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.content).toEqual([{ type: "text", text: SAID }]);
    expect(body.stop_reason).toBe("refusal");
  });
});

describe("a refusal handed back in the conversation", () => {
  it.each([
    ["its refusal field", { role: "assistant", content: null, refusal: SAID }],
    ["a refusal content part", { role: "assistant", content: [{ type: "refusal", refusal: SAID }] }],
  ])("as %s is the assistant turn's text upstream", async (_label, turn) => {
    const s = await newSession();
    const res = await call(s.env, "/v1/chat/completions", {
      method: "POST",
      json: {
        model: "mistral/mistral-small-latest",
        messages: [
          { role: "user", content: "Fill this form." },
          turn,
          { role: "user", content: "Then just say hello." },
        ],
      },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const sent = (await s.requests()).find((r) => r.method === "POST")?.body as { messages: unknown[] };
    const assistant = sent.messages[1] as Record<string, unknown>;
    expect(assistant.role).toBe("assistant");
    expect(JSON.stringify(assistant.content)).toContain(SAID);
    expect(assistant).not.toHaveProperty("refusal");
  });
});

describe("the official clients", () => {
  const ADMIN = "refusal-admin-key";
  const workerFetch = (env: Env): typeof fetch =>
    (async (input: RequestInfo | URL, init?: RequestInit) =>
      worker.fetch(new Request(input, init), env, createExecutionContext())) as typeof fetch;
  const openai = (env: Env) =>
    new OpenAI({ baseURL: "http://127.0.0.1:8787/v1", apiKey: ADMIN, fetch: workerFetch(env), maxRetries: 0 });
  const Form = z.object({ name: z.string() });

  it("openai chat.completions.parse gives message.refusal and no parsed value", async () => {
    const env = await rawEnv("openai", [ANSWER], "application/json", { ADMIN_KEY: ADMIN });
    const done = await openai(env).chat.completions.parse({
      model: MODEL.openai,
      messages: [{ role: "user", content: "Fill this form." }],
      response_format: zodResponseFormat(Form, "form"),
    });
    expect(done.choices[0]?.message.refusal).toBe(SAID);
    expect(done.choices[0]?.message.parsed).toBeNull();
  });

  it("openai chat.completions.stream fires refusal.delta and refusal.done", async () => {
    const env = await rawEnv("openai", STREAM, "text/event-stream", { ADMIN_KEY: ADMIN });
    const stream = openai(env).chat.completions.stream({
      model: MODEL.openai,
      messages: [{ role: "user", content: "Fill this form." }],
      response_format: zodResponseFormat(Form, "form"),
    });
    const deltas: string[] = [];
    let done = "";
    stream.on("refusal.delta", (e) => deltas.push(e.delta));
    stream.on("refusal.done", (e) => {
      done = e.refusal;
    });
    const final = await stream.finalChatCompletion();
    expect(deltas.join("")).toBe(SAID);
    expect(done).toBe(SAID);
    expect(final.choices[0]?.message.refusal).toBe(SAID);
  });

  it("openai responses.stream ends with the refusal part in its final response", async () => {
    const env = await rawEnv("openai", STREAM, "text/event-stream", { ADMIN_KEY: ADMIN });
    const stream = openai(env).responses.stream({ model: MODEL.openai, input: "Fill this form.", store: false });
    let done = "";
    stream.on("response.refusal.done", (e) => {
      done = e.refusal;
    });
    const final = await stream.finalResponse();
    expect(done).toBe(SAID);
    const message = final.output.find((i) => i.type === "message");
    // The SDK's own parse adds `parsed: null` to the part.
    expect(message?.type === "message" ? message.content : null).toMatchObject([{ type: "refusal", refusal: SAID }]);
  });

  it("@anthropic-ai/sdk messages.stream ends with the refusal's text and stop_reason refusal", async () => {
    const env = await rawEnv("openai", STREAM, "text/event-stream", { ADMIN_KEY: ADMIN });
    const client = new Anthropic({
      baseURL: "http://127.0.0.1:8787",
      apiKey: ADMIN,
      fetch: workerFetch(env),
      maxRetries: 0,
    });
    const final = await client.messages
      .stream({ model: MODEL.openai, max_tokens: 100, messages: [{ role: "user", content: "Fill this form." }] })
      .finalMessage();
    expect(final.stop_reason).toBe("refusal");
    expect(final.content).toMatchObject([{ type: "text", text: SAID }]);
  });
});
