// A request that asks more than every configured model can give (max_tokens above every output limit, a prompt no
// window holds, a capability the named model lacks) is the caller's error: a 400 that names why, never a 503 an SDK
// would retry, and nothing is sent upstream. An outage (nothing configured) stays a 503.
import { describe, expect, it } from "vitest";
import { call, chat, newSession } from "../gateway.ts";

const HI = [{ role: "user", content: "hi" }];

interface OpenAIError {
  error: { message: string; type: string; param: string | null; code: string | null };
}

async function expectRefused(res: Response, code: string, message: RegExp) {
  const body = (await res.json()) as OpenAIError;
  expect(res.status, JSON.stringify(body)).toBe(400);
  expect(body.error.type).toBe("invalid_request_error");
  expect(body.error.code).toBe(code);
  expect(body.error.message).toMatch(message);
  expect(res.headers.get("retry-after")).toBeNull();
}

describe("requests no configured model can serve are a 400", () => {
  it("max_tokens above every model's output limit, streaming or not", async () => {
    const s = await newSession();
    for (const stream of [false, true]) {
      const res = await chat(s.env, { model: "openai/gpt-4o-mini", messages: HI, max_tokens: 1e12, stream });
      await expectRefused(res, "invalid_value", /max_tokens 1000000000000 is above its output limit of 16384/);
    }
    const auto = await chat(s.env, { model: "auto", messages: HI, max_completion_tokens: 5e9 });
    await expectRefused(auto, "invalid_value", /above its output limit/);
    expect(await s.requests()).toHaveLength(0);
  });

  it("a prompt larger than the named model's window, with fallback off", async () => {
    const s = await newSession();
    const long = "word ".repeat(160_000);
    const res = await chat(s.env, {
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: long }],
      router: { fallback: false },
    });
    await expectRefused(res, "context_length_exceeded", /context window 128000/);
    expect(await s.requests()).toHaveLength(0);
  });

  it("a capability the named model lacks, with fallback off; with fallback on, a model that has it answers", async () => {
    const s = await newSession();
    const image = {
      role: "user",
      content: [
        { type: "text", text: "what is this?" },
        { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
      ],
    };
    const off = await chat(s.env, {
      model: "mistral/codestral-latest",
      messages: [image],
      router: { fallback: false },
    });
    await expectRefused(off, "model_not_capable", /mistral\/codestral-latest: lacks vision/);
    expect(await s.requests()).toHaveLength(0);
    const on = await chat(s.env, { model: "mistral/codestral-latest", messages: [image] });
    expect(on.status).toBe(200);
  });

  it("the Responses and Messages dialects give the same 400 in their own shapes", async () => {
    const s = await newSession();
    const responses = await call(s.env, "/v1/responses", {
      method: "POST",
      json: { model: "openai/gpt-4o-mini", input: "hi", max_output_tokens: 1e12 },
    });
    const rBody = (await responses.json()) as OpenAIError;
    expect(responses.status, JSON.stringify(rBody)).toBe(400);
    expect(rBody.error.code).toBe("invalid_value");
    const messages = await call(s.env, "/v1/messages", {
      method: "POST",
      json: { model: "anthropic/claude-haiku-4-5-20251001", max_tokens: 1e12, messages: HI },
    });
    const mBody = (await messages.json()) as { type: string; error: { type: string; message: string } };
    expect(messages.status, JSON.stringify(mBody)).toBe(400);
    expect(mBody).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
    expect(mBody.error.message).toMatch(/output limit of 64000/);
    expect(await s.requests()).toHaveLength(0);
  });

  it("an unconfigured provider is still an outage (503), and does not count as a refusal", async () => {
    const s = await newSession({}, { OPENAI_API_KEY: undefined });
    const res = await chat(s.env, { model: "openai/gpt-4o-mini", messages: HI, router: { fallback: false } });
    expect(res.status).toBe(503);
    // The refused model decides when the only other one is not configured.
    const mixed = await chat(s.env, {
      model: "mistral/codestral-latest",
      models: ["mistral/codestral-latest", "openai/gpt-4o"],
      messages: HI,
      max_tokens: 300_000,
    });
    await expectRefused(mixed, "invalid_value", /mistral\/codestral-latest: max_tokens 300000/);
  });
});
