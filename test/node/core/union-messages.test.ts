// A union's refusal says what is wrong with the value, not only "Invalid input": the check of the branch whose type
// the value had (too many stop sequences, a word not among the options), else the types the branches expected.
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../../src/core/gateway-error.ts";
import { parseChatRequest } from "../../../src/dialects/chat/request.ts";

const OK = { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }] };

function refusal(body: unknown): { param: string | null; message: string } {
  try {
    parseChatRequest(body);
  } catch (err) {
    if (err instanceof GatewayError) return { param: err.param ?? null, message: err.message };
    throw err;
  }
  throw new Error("accepted");
}

describe("a union's refusal", () => {
  it("names the failed check of the branch whose type the value had", () => {
    const stop = refusal({ ...OK, stop: ["a", "b", "c", "d", "e"] });
    expect(stop.param).toBe("stop");
    expect(stop.message).not.toMatch(/Invalid input$/);
    expect(stop.message).toMatch(/4/);
    const choice = refusal({ ...OK, tool_choice: "bogus" });
    expect(choice.param).toBe("tool_choice");
    expect(choice.message).toMatch(/auto/);
  });

  it("names the types expected when the value had none of them", () => {
    expect(refusal({ ...OK, stop: 5 }).message).toMatch(/expected string or array/);
  });
});
