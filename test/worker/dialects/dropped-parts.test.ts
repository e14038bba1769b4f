// What a dialect can say that the canonical conversation cannot carry (an image inside a tool result) is left out
// with a warning the client can read, in x-router-warnings and x_router.warnings, and the rest is sent.
import { describe, expect, it } from "vitest";
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
