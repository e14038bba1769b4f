import { describe, expect, it } from "vitest";
import { chat, newSession } from "./gateway.ts";

describe("gateway smoke", () => {
  it("answers a chat completion through OpenAI", async () => {
    const s = await newSession();
    const res = await chat(s.env, { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(res.headers.get("x-router-provider")).toBe("openai");
  });
});
