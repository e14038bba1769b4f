// The rules below the streams: adaptive first-token clock and hedge delay, the window a context-length error states,
// malformed chunks after the commit point (skipped and counted; a run fails the attempt), and S12 end to end.
import { describe, expect, it } from "vitest";
import { CONFIG } from "../../../src/config/index.ts";
import { ProviderError } from "../../../src/core/errors.ts";
import type { StreamEvent } from "../../../src/core/types.ts";
import { openStream } from "../../../src/execute/attempt.ts";
import { firstTokenClock, hedgeDelay } from "../../../src/execute/clocks.ts";
import { statedWindow } from "../../../src/execute/context-window.ts";
import { realDeps } from "../../../src/execute/deps.ts";
import { prefillRequest, takesPrefill } from "../../../src/execute/rescue.ts";
import type { EventBatches } from "../../../src/execute/upstream-events.ts";
import { candidate, fakeAdapter } from "../execute/fake-upstream.ts";
import { call, newSession } from "../gateway.ts";
import { CLOCKS, client, completions, readChatStream, withGateway } from "./helpers.ts";

const rescue = CONFIG.fallback.rescue;

describe("the adaptive first-token clock", () => {
  it("is max(floor, k x live TTFT p95), and the configured default without a live p95", () => {
    expect(firstTokenClock(null, 20_000, rescue)).toBe(20_000);
    // A model that usually starts in 400 ms is given up on at the floor, well inside 15 s (S07).
    expect(firstTokenClock(400, 20_000, rescue)).toBe(rescue.first_token_floor_ms);
    expect(rescue.first_token_floor_ms).toBeLessThan(15_000);
    // A reasoning model whose p95 is 15 s is not cut off at the 20 s default.
    expect(firstTokenClock(15_000, 20_000, rescue)).toBe(15_000 * rescue.first_token_p95_multiple);
  });

  it("the hedge delay: an explicit one, else (auto) the live p95, else the configured fallback; off is none", () => {
    expect(hedgeDelay(250, 900, rescue)).toBe(250);
    expect(hedgeDelay("auto", 900, rescue)).toBe(900);
    expect(hedgeDelay("auto", null, rescue)).toBe(rescue.hedge_fallback_delay_ms);
    expect(hedgeDelay("off", 900, rescue)).toBeNull();
    expect(rescue.hedge_default.latency_optimized).toBe("auto");
    expect(rescue.hedge_default.balanced).toBeUndefined();
  });
});

describe("the window a context-length error states, in each provider's wording", () => {
  it.each([
    [
      "openai",
      "This model's maximum context length is 4097 tokens. However, you requested 4120 tokens (3120 in the messages, 1000 in the completion).",
      4097,
    ],
    ["anthropic", "prompt is too long: 208310 tokens > 200000 maximum", 200_000],
    [
      "mistral",
      "Prompt contains 40000 tokens and 0 draft tokens, too large for model with 32768 maximum context length",
      32_768,
    ],
    [
      "together",
      "Input validation error: `inputs` tokens + `max_new_tokens` must be <= 8193. Given: 8000 `inputs` tokens and 1000 `max_new_tokens`",
      8193,
    ],
    ["ollama", "the input length exceeds the context length", null],
  ])("%s", (_provider, message, window) => {
    expect(statedWindow(message)).toBe(window);
  });
});

describe("malformed chunks after the commit point", () => {
  const lines = (garbage: number) =>
    [
      JSON.stringify({ type: "text", text: "Hello" }),
      ...Array.from({ length: garbage }, () => '{"type":"text","text":"oo'),
      JSON.stringify({ type: "text", text: " world" }),
      JSON.stringify({ type: "finish", finish_reason: "stop" }),
      JSON.stringify({ type: "end" }),
    ].join("\n");
  const open = (garbage: number, limit: number) =>
    openStream({
      adapter: fakeAdapter("openai"),
      built: { request: { url: "https://openai.test/chat", headers: {}, body: {} }, warnings: [] },
      timeouts: { headers_ms: 1000, first_token_ms: 1000, idle_ms: 1000, total_ms: 5000 },
      deadline: Date.now() + 5000,
      clientSignal: new AbortController().signal,
      deps: { ...realDeps, fetch: async () => new Response(`${lines(garbage)}\n`) },
      ctx: { env: {}, newId: (p) => p },
      malformedRunLimit: limit,
    });
  const drain = async (rest: EventBatches) => {
    const out: StreamEvent[] = [];
    for (let batch = await rest.next(); batch !== null; batch = await rest.next()) out.push(...batch);
    return out;
  };

  it("fewer than the limit in a row are skipped and counted; the answer completes", async () => {
    const stream = await open(2, 3);
    const rest = await drain(stream.rest);
    expect(rest.filter((e) => e.type === "text").map((e) => (e as { text: string }).text)).toEqual([" world"]);
    expect(stream.malformedSkipped()).toBe(2);
  });

  it("a run of the limit fails the attempt (malformed), so the rescue can continue it elsewhere", async () => {
    const stream = await open(3, 3);
    await expect(drain(stream.rest)).rejects.toSatisfy(
      (err) => err instanceof ProviderError && err.kind === "malformed",
    );
  });

  it("the configured limit is the one in llm_fallback.yml", () => {
    expect(rescue.malformed_run_limit).toBe(3);
  });
});

describe("S12: context_length_exceeded with a fallback of unknown window", () => {
  it("the next candidate is tried when neither window is known; the failing model is not retried", async () => {
    const s = await newSession({ faults: [{ provider: "openai", model: "custom-8k", mode: "context_length" }] });
    const stream = await client(s).chat.completions.create(
      withGateway(
        { model: "openai/custom-8k", messages: [{ role: "user" as const, content: "hi" }], stream: true as const },
        { models: ["openai/custom-8k", "openai/custom-32k"], router: { timeouts: CLOCKS } },
      ),
    );
    const out = await readChatStream(stream);
    expect(out.error).toBeNull();
    expect(out.xRouter?.model).toBe("custom-32k");
    expect((await completions(s, "openai")).map((c) => c.body?.model)).toEqual(["custom-8k", "custom-32k"]);
  });
});

describe("who takes a prefill, and what is sent", () => {
  it("models the registry does not list: yes on Mistral and Ollama (their APIs continue any model), no elsewhere", () => {
    expect(takesPrefill(candidate("mistral/my-fine-tune"))).toBe(true);
    expect(takesPrefill(candidate("ollama/my-local-model"))).toBe(true);
    expect(takesPrefill(candidate("anthropic/claude-next"))).toBe(false);
    expect(takesPrefill(candidate("openai/gpt-custom"))).toBe(false);
    expect(takesPrefill(candidate("together/some/model"))).toBe(false);
  });

  it("the prefix loses its trailing whitespace, which is held back; a client's own prefix is continued", () => {
    const request = { messages: [{ role: "user" as const, content: "hi" }], stream: true };
    expect(prefillRequest(request, "Hello \n")).toEqual({
      request: { ...request, messages: [...request.messages, { role: "assistant", content: "Hello" }] },
      held: " \n",
    });
    const own = { ...request, messages: [...request.messages, { role: "assistant" as const, content: "Sure: " }] };
    expect(prefillRequest(own, "one, two ").request.messages.at(-1)).toEqual({
      role: "assistant",
      content: "Sure: one, two",
    });
  });
});

describe("S07 end to end: a first token after 20 s, on a model whose live TTFT p95 is known", () => {
  it("the adaptive clock (the 10 s floor) moves to the next candidate: answered within 15 s", {
    timeout: 30_000,
  }, async () => {
    const s = await newSession({
      faults: [{ provider: "openai", model: "gpt-4o-mini", mode: "slow_first_token", delay_ms: 20_000 }],
    });
    // Live stats say the model usually starts in about 300 ms.
    const stats = s.env.STATS.get(s.env.STATS.idFromName(s.env.STATS_INSTANCE ?? "global"));
    const now = Date.now();
    await stats.record(
      Array.from({ length: 20 }, (_, i) => ({
        provider: "openai" as const,
        model: "gpt-4o-mini",
        at: now - 1000 + i,
        ok: true,
        kind: null,
        http_status: 200,
        latency_ms: 900,
        ttft_ms: 300,
        error: null,
      })),
    );
    // The health endpoint reads fresh stats, which refreshes this isolate's cached snapshot.
    await call(s.env, "/v1/health/providers");
    const t0 = Date.now();
    const stream = await client(s).chat.completions.create(
      withGateway(
        { model: "openai/gpt-4o-mini", messages: [{ role: "user" as const, content: "hi" }], stream: true as const },
        { models: ["openai/gpt-4o-mini", "mistral/mistral-small-latest"] },
      ),
    );
    const out = await readChatStream(stream);
    const elapsed = Date.now() - t0;
    expect(out.error).toBeNull();
    expect(out.xRouter?.provider).toBe("mistral");
    expect(elapsed).toBeGreaterThanOrEqual(rescue.first_token_floor_ms - 100);
    expect(elapsed).toBeLessThan(15_000);
  });
});
