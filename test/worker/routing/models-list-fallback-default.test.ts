// DESIGN, the `model` field: "a `models` array in the body (OpenRouter's convention ...): this request's own fallback
// chain, tried in order" — also under the deployment default LLM_ENABLE_FALLBACK=false, which is about the fallbacks
// the router would add; only the request's own router.fallback: false cuts the list to its first entry. The same holds
// for a chain the request names ("chain:<name>": "that predefined chain").
import { describe, expect, it } from "vitest";
import { call, newSession } from "../gateway.ts";

describe("a request's models list under LLM_ENABLE_FALLBACK=false", () => {
  it("is still tried in order: the second entry answers when the first fails", async () => {
    const s = await newSession(
      { faults: [{ provider: "openai", mode: "status", status: 503 }] },
      { LLM_ENABLE_FALLBACK: "false" },
    );
    const body = {
      models: ["openai/gpt-4o-mini", "anthropic/claude-haiku-4-5"],
      messages: [{ role: "user", content: "hi" }],
    };
    const res = await call(s.env, "/v1/chat/completions", { method: "POST", json: body });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get("x-router-provider")).toBe("anthropic");
  });
});

describe("a chain the request names, under LLM_ENABLE_FALLBACK=false", () => {
  it("is tried past its first model; the request's own fallback: false still cuts it", async () => {
    const s = await newSession(
      { faults: [{ provider: "openai", mode: "status", status: 503 }] },
      { LLM_ENABLE_FALLBACK: "false" },
    );
    const ask = (router: object) =>
      call(s.env, "/v1/chat/completions", {
        method: "POST",
        json: { model: "chain:cost_optimized", messages: [{ role: "user", content: "hi" }], router },
      });
    const whole = await ask({});
    expect(whole.status, await whole.clone().text()).toBe(200);
    expect(whole.headers.get("x-router-provider")).toBe("anthropic");
    const first = await ask({ fallback: false });
    expect(first.status).toBe(502);
  });
});
