// A rescued answer whose answering leg reports no usage (its stream finishes without a usage chunk) is still billed for
// every leg: each from its own prompt (a continuation's carries the prefill; a restart's is the whole prompt again)
// and what it generated (a restart generates the text already sent again before it joins). Through the official
// clients: the usage the Responses and Messages clients read, and the cost in x_router.
import { createExecutionContext } from "cloudflare:test";
import Anthropic from "@anthropic-ai/sdk";
import { describe, expect, it } from "vitest";
import worker from "../../../src/index.ts";
import { type Fault, newSession, type Session } from "../gateway.ts";
import { CLOCKS, client } from "./helpers.ts";

const IDLE = { "x-router-timeout-idle-ms": String(CLOCKS.idle_ms) };
const CUT: Fault = { provider: "openai", model: "gpt-4o-mini", mode: "cut", after_chunks: 4 };
const QUESTION = "What is 10 + 5?";

const chunk = (model: string, delta: Record<string, unknown>, finish: string | null) =>
  `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

/** A stream that finishes (its finish reason, then [DONE]) with no usage chunk at all. */
const withoutUsage = (provider: "mistral" | "openai", model: string, texts: string[]): Fault => ({
  provider,
  model,
  mode: "raw",
  pieces: [
    ...texts.map((t, i) => btoa(chunk(model, i === 0 ? { role: "assistant", content: t } : { content: t }, null))),
    btoa(chunk(model, {}, "stop")),
    btoa("data: [DONE]\n\n"),
  ],
});

interface Billed {
  usage: { input_tokens: number; output_tokens: number };
  x_router: { cost_usd: number; usage_estimated?: boolean; attempts: { via?: string }[] };
}

async function responses(s: Session, models: string[]): Promise<Billed> {
  const stream = client(s, IDLE).responses.stream({
    model: models[0] as string,
    input: QUESTION,
    ...{ models },
  } as never);
  return (await stream.finalResponse()) as unknown as Billed;
}

async function messages(s: Session, models: string[]) {
  // The SDK always sends a key, and a key that is presented is checked, in development too: the admin's passes.
  const admin = "admin-key-for-rescue-tests-0123456789";
  const sessionEnv = { ...s.env, ADMIN_KEY: admin };
  const anthropic = new Anthropic({
    baseURL: "http://127.0.0.1:8787",
    apiKey: admin,
    maxRetries: 0,
    defaultHeaders: IDLE,
    fetch: async (url: string | URL | Request, init?: RequestInit) =>
      worker.fetch(new Request(url, init), sessionEnv, createExecutionContext()),
  });
  const stream = anthropic.messages.stream({
    model: models[0] as string,
    max_tokens: 200,
    messages: [{ role: "user", content: QUESTION }],
    ...{ models },
  } as never);
  return await stream.finalMessage();
}

const CONTINUED = ["openai/gpt-4o-mini", "mistral/mistral-small-latest"];
const REST = ["5 equals", " 15, and that is the whole of it."];

describe("a rescued answer whose answering leg reports no usage", () => {
  it("a continuation: both prompts are billed, in the Responses client's usage", async () => {
    const alone = await responses(
      await newSession({ faults: [withoutUsage("mistral", "mistral-small-latest", REST)] }),
      ["mistral/mistral-small-latest"],
    );
    const continued = await responses(
      await newSession({ faults: [CUT, withoutUsage("mistral", "mistral-small-latest", REST)] }),
      CONTINUED,
    );
    expect(continued.x_router.attempts.map((a) => a.via ?? "attempt")).toEqual(["attempt", "continuation"]);
    expect(continued.x_router.usage_estimated).toBe(true);
    expect(continued.usage.input_tokens).toBeGreaterThan(alone.usage.input_tokens);
  });

  it("a continuation: both prompts are billed, in the Messages client's usage", async () => {
    const alone = await messages(
      await newSession({ faults: [withoutUsage("mistral", "mistral-small-latest", REST)] }),
      ["mistral/mistral-small-latest"],
    );
    const continued = await messages(
      await newSession({ faults: [CUT, withoutUsage("mistral", "mistral-small-latest", REST)] }),
      CONTINUED,
    );
    expect(continued.usage.input_tokens).toBeGreaterThan(alone.usage.input_tokens);
  });

  it("a splice: the restart's whole prompt and regenerated text are billed, at least what it costs alone", async () => {
    const WHOLE = ["10 + 5", " equals 15."];
    const alone = await responses(await newSession({ faults: [withoutUsage("openai", "gpt-4o", WHOLE)] }), [
      "openai/gpt-4o",
    ]);
    const spliced = await responses(await newSession({ faults: [CUT, withoutUsage("openai", "gpt-4o", WHOLE)] }), [
      "openai/gpt-4o-mini",
      "openai/gpt-4o",
    ]);
    expect(spliced.x_router.attempts.map((a) => a.via ?? "attempt")).toEqual(["attempt", "splice"]);
    expect(spliced.usage.input_tokens).toBeGreaterThan(alone.usage.input_tokens);
    expect(spliced.x_router.cost_usd).toBeGreaterThanOrEqual(alone.x_router.cost_usd);
  });
});
