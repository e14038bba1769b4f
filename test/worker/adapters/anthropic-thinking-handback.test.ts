// Thinking handed back to Anthropic: Anthropic verifies each thinking block's signature, and refuses one it did not
// sign ("Invalid `signature` in `thinking` block"). Thinking another provider produced (Magistral, gpt-oss, Ollama)
// has none, so a conversation whose earlier turn another provider answered keeps its signed thinking and redacted
// thinking for Anthropic, and leaves the unsigned thinking out, with a warning. The emulator checks no signatures: the
// test reads what reached it.
import { describe, expect, it } from "vitest";
import { call, newSession } from "../gateway.ts";

const QUESTION = { role: "user", content: "How do I cross the street?" };

describe("thinking handed back to Anthropic", () => {
  it("sends signed and redacted thinking, leaves unsigned thinking out, and says so", async () => {
    const s = await newSession();
    const res = await call(s.env, "/v1/messages", {
      method: "POST",
      json: {
        model: "anthropic/claude-sonnet-4-5-20250929",
        max_tokens: 4096,
        thinking: { type: "enabled", budget_tokens: 2048 },
        router: { fallback: false },
        messages: [
          QUESTION,
          {
            role: "assistant",
            content: [
              { type: "thinking", thinking: "Magistral's thoughts", signature: "" },
              { type: "text", text: "Look both ways." },
            ],
          },
          { role: "user", content: "And what did Claude think?" },
          {
            role: "assistant",
            content: [
              { type: "thinking", thinking: "Claude's thoughts", signature: "EqQBCkYIBxgCKkD" },
              { type: "redacted_thinking", data: "EmwKAhgBEgy3va3pzix" },
              { type: "text", text: "Wait for the light." },
            ],
          },
          { role: "user", content: "And at night?" },
        ],
      },
    });
    const body = (await res.json()) as { x_router: { warnings: string[] } };
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.x_router.warnings.join("; ")).toContain("1 thinking block(s) without Anthropic's signature");
    const [sent] = (await s.requests()).filter((r) => r.provider === "anthropic");
    const turns = sent?.body?.messages as { role: string; content: { type: string; signature?: string }[] }[];
    const handedBack = turns.filter((t) => t.role === "assistant").map((t) => t.content.map((b) => b.type));
    expect(handedBack).toEqual([["text"], ["thinking", "redacted_thinking", "text"]]);
    expect(turns[3]?.content[0]?.signature).toBe("EqQBCkYIBxgCKkD");
  });
});
