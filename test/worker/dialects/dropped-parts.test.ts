// What a dialect can say that the canonical conversation cannot carry (an image inside a tool result) is left out
// with a warning the client can read, in x-router-warnings and x_router.warnings, and the rest is sent; what
// OpenAI's usage has no field for (prompt-cache writes) is named beside what it has.
import { describe, expect, it } from "vitest";
import { responsesUsage } from "../../../src/dialects/responses/encoder.ts";
import { call, newSession } from "../gateway.ts";

const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
const warningsOf = (res: Response) => decodeURIComponent(res.headers.get("x-router-warnings") ?? "");

describe("parts the canonical conversation does not carry", () => {
  it("Messages: an image inside a tool_result is left out with a warning; its text is sent", async () => {
    const s = await newSession();
    const res = await call(s.env, "/v1/messages", {
      method: "POST",
      json: {
        model: "anthropic/claude-haiku-4-5",
        max_tokens: 100,
        tools: [{ name: "screenshot", input_schema: { type: "object" } }],
        messages: [
          { role: "user", content: "What is on screen?" },
          { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "screenshot", input: {} }] },
          {
            role: "user",
            content: [
              {
                type: "tool_result",
                tool_use_id: "toolu_1",
                content: [
                  { type: "text", text: "the login page" },
                  { type: "image", source: { type: "base64", media_type: "image/png", data: PNG } },
                ],
              },
            ],
          },
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(warningsOf(res)).toMatch(/messages\.2\.content\.0: images inside a tool_result are not carried/);
    const body = (await res.json()) as { x_router: { warnings: string[] } };
    expect(body.x_router.warnings.join("\n")).toMatch(/images inside a tool_result/);
    const sent = JSON.stringify((await s.requests()).at(-1)?.body);
    expect(sent).toContain("the login page");
    expect(sent).not.toContain(PNG);
  });

  it("Responses: an image in a function_call_output is left out with a warning; its text is sent", async () => {
    const s = await newSession();
    const res = await call(s.env, "/v1/responses", {
      method: "POST",
      json: {
        model: "openai/gpt-4o-mini",
        store: false,
        input: [
          { role: "user", content: "What is on screen?" },
          { type: "function_call", call_id: "call_1", name: "screenshot", arguments: "{}" },
          {
            type: "function_call_output",
            call_id: "call_1",
            output: [
              { type: "input_text", text: "the login page" },
              { type: "input_image", image_url: `data:image/png;base64,${PNG}` },
            ],
          },
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(warningsOf(res)).toMatch(/input\.2\.output: images in a function_call_output are not carried/);
    const body = (await res.json()) as { x_router: { warnings: string[] } };
    expect(body.x_router.warnings.join("\n")).toMatch(/function_call_output/);
    const sent = JSON.stringify((await s.requests()).at(-1)?.body);
    expect(sent).toContain("the login page");
    expect(sent).not.toContain(PNG);
  });
});

describe("prompt-cache writes in every dialect's usage", () => {
  it("chat completions to Anthropic: cache_write_tokens beside cached_tokens, as the ledger bills them", async () => {
    const s = await newSession();
    const res = await call(s.env, "/v1/chat/completions", {
      method: "POST",
      json: {
        model: "anthropic/claude-haiku-4-5",
        max_tokens: 100,
        messages: [
          {
            role: "system",
            content: [{ type: "text", text: "A long guide.", cache_control: { type: "ephemeral", ttl: "1h" } }],
          },
          { role: "user", content: "hi" },
        ],
      },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { usage: Record<string, unknown> };
    // The recording: input 17, cache_creation 2056 (all ephemeral_1h), read 0, output 100.
    expect(body.usage).toMatchObject({
      prompt_tokens: 17 + 2056,
      prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 2056, cache_write_1h_tokens: 2056 },
    });
  });

  it("Responses usage names cache writes the same way, and leaves them out when there were none", () => {
    const u = { input_tokens: 17, cached_input_tokens: 5, cache_write_tokens: 2056, output_tokens: 100 };
    expect(responsesUsage(u).input_tokens_details).toEqual({ cached_tokens: 5, cache_write_tokens: 2056 });
    expect(responsesUsage(u).input_tokens).toBe(17 + 5 + 2056);
    expect(responsesUsage({ ...u, cache_write_tokens: 0 }).input_tokens_details).toEqual({ cached_tokens: 5 });
  });
});
