// a hedged stream's first attempt refused by the provider (content policy, context length, 401) once the hedge
// has started. DESIGN "Failure semantics" / docs/failover.md: content policy stops (400, no other provider sees the
// prompt); context_length_exceeded moves only to a larger window; 401/403 skips the provider's other models.
import { describe, expect, it } from "vitest";
import { chat, newSession } from "../gateway.ts";
import { completionCalls, readRoutedStream, USER } from "./helpers.ts";

const CLOCKS = { headers_ms: 2000, first_token_ms: 3000, idle_ms: 1000, total_ms: 8000 };

function streamBody(models: string[], hedge: string | number) {
  return { model: models[0], models, messages: USER, stream: true, router: { timeouts: CLOCKS, hedge } };
}

describe("hedge started at once (router.hedge 0): the first attempt's refusal is handled as without a hedge", () => {
  it("content policy on the first: 400 to the caller, no third provider asked", async () => {
    const s = await newSession({
      faults: [
        { provider: "openai", mode: "content_policy" },
        { provider: "mistral", mode: "status", status: 500 },
      ],
    });
    const res = await chat(
      s.env,
      streamBody(["openai/gpt-4o-mini", "mistral/mistral-small-latest", "anthropic/claude-haiku-4-5"], 0),
    );
    const status = res.status;
    await res.text();
    expect(await completionCalls(s, "anthropic")).toHaveLength(0);
    expect(status).toBe(400);
  });

  it("context_length on the first: a smaller window later in the chain is skipped", async () => {
    const s = await newSession({
      faults: [
        { provider: "openai", mode: "context_length" },
        { provider: "mistral", mode: "status", status: 500 },
      ],
    });
    // gpt-4o-mini: 128K; mistral partner fails; Qwen coder 32K must be skipped; claude-sonnet-4-6 1M answers.
    const res = await chat(
      s.env,
      streamBody(
        [
          "openai/gpt-4o-mini",
          "mistral/mistral-small-latest",
          "together/Qwen/Qwen2.5-Coder-32B-Instruct",
          "anthropic/claude-sonnet-4-6",
        ],
        0,
      ),
    );
    await readRoutedStream(res);
    expect(await completionCalls(s, "together")).toHaveLength(0);
  });

  it("401 on the first: the provider's other models are skipped in this request", async () => {
    const s = await newSession({
      faults: [
        { provider: "openai", mode: "status", status: 401 },
        { provider: "mistral", mode: "status", status: 500 },
      ],
    });
    const res = await chat(
      s.env,
      streamBody(
        ["openai/gpt-4o-mini", "mistral/mistral-small-latest", "openai/gpt-4.1-mini", "anthropic/claude-haiku-4-5"],
        0,
      ),
    );
    await readRoutedStream(res);
    expect((await completionCalls(s, "openai")).length).toBe(1);
  });

  it("a 503 on the first (once): retried on the same candidate after backoff, as without a hedge", async () => {
    const s = await newSession({
      faults: [
        { provider: "openai", mode: "status", status: 503, times: 1 },
        { provider: "mistral", mode: "status", status: 500 },
      ],
    });
    const res = await chat(
      s.env,
      streamBody(["openai/gpt-4o-mini", "mistral/mistral-small-latest", "anthropic/claude-haiku-4-5"], 0),
    );
    const out = await readRoutedStream(res);
    expect((await completionCalls(s, "openai")).length).toBe(2);
    expect(out.x?.provider).toBe("openai");
  });
});
