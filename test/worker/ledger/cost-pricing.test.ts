// The bill for tiered, cached, reasoning and service-tier calls, worked by hand from configs/models.yml and the
// providers' rules, to the pico-dollar. Usage comes from recorded Anthropic answers read by the real adapter.
import { describe, expect, it } from "vitest";
import { CONFIG } from "../../../src/config/index.ts";
import type { ModelEntry } from "../../../src/config/schema.ts";
import type { Usage } from "../../../src/core/types.ts";
import { appliedPrices, costPico, maxOutputPicoPerToken, maxPromptPicoPerToken } from "../../../src/ledger/cost.ts";
import { worstCasePico } from "../../../src/ledger/worst-case.ts";
import { ADAPTERS } from "../../../src/providers/index.ts";
import { ModelRegistry, refOf } from "../../../src/registry/model-registry.ts";
import cacheRead from "../../fixtures/anthropic/messages-prompt-cache-read.json";
import cacheWrite1h from "../../fixtures/anthropic/messages-prompt-cache-write-1h.json";

const registry = new ModelRegistry(CONFIG.models.models);
function model(ref: string): ModelEntry {
  const entry = registry.resolve(ref)?.entry;
  if (!entry) throw new Error(`${ref} is not in the registry`);
  return entry;
}
const usage = (u: Partial<Usage>): Usage => ({
  input_tokens: 0,
  output_tokens: 0,
  cached_input_tokens: 0,
  cache_write_tokens: 0,
  ...u,
});
const ctx = { env: {}, newId: (p: string) => `${p}_1` };

describe("long-context tiers: the whole request at the tier once the prompt passes the threshold", () => {
  // gpt-6.1-sol: $2 / $10 / cache read $0.10 up to 272,000 prompt tokens; above, $4 / $15 / $0.20.
  const sol = model("openai/gpt-6.1-sol");

  it("one token below, at, and one token above 272,000", () => {
    const below = usage({ input_tokens: 271_999, output_tokens: 1000 });
    expect(costPico(below, sol)).toBe(271_999 * 2_000_000 + 1000 * 10_000_000);
    const at = usage({ input_tokens: 272_000, output_tokens: 1000 });
    expect(costPico(at, sol)).toBe(272_000 * 2_000_000 + 1000 * 10_000_000);
    const above = usage({ input_tokens: 272_001, output_tokens: 1000 });
    // Every token of the request, output included, at the long-context prices.
    expect(costPico(above, sol)).toBe(272_001 * 4_000_000 + 1000 * 15_000_000);
  });

  it("counts cache reads and writes toward the threshold, and prices them at the tier too", () => {
    // 200,000 fresh + 72,001 read = 272,001 prompt tokens: above.
    const u = usage({ input_tokens: 200_000, cached_input_tokens: 72_001, output_tokens: 10 });
    expect(costPico(u, sol)).toBe(200_000 * 4_000_000 + 72_001 * 200_000 + 10 * 15_000_000);
    expect(appliedPrices(sol.pricing, 272_001).tier_above_input_tokens).toBe(272_000);
    expect(appliedPrices(sol.pricing, 272_000).tier_above_input_tokens).toBeNull();
  });

  it("Claude Haiku 5.5 above 100,000 prompt tokens: $0.50 / $2.50, cache read $0.05, 1-hour writes $1", () => {
    const haiku = model("anthropic/claude-haiku-5-5");
    const small = usage({
      input_tokens: 99_000,
      cache_write_tokens: 1000,
      cache_write_1h_tokens: 1000,
      output_tokens: 50,
    });
    expect(costPico(small, haiku)).toBe(99_000 * 100_000 + 1000 * 200_000 + 50 * 500_000);
    const big = usage({
      input_tokens: 99_000,
      cache_write_tokens: 1001,
      cache_write_1h_tokens: 1001,
      output_tokens: 50,
    });
    expect(costPico(big, haiku)).toBe(99_000 * 500_000 + 1001 * 1_000_000 + 50 * 2_500_000);
  });

  it("a model without tiers bills a long prompt at its flat price (gpt-4.1)", () => {
    expect(costPico(usage({ input_tokens: 900_000, output_tokens: 1 }), model("openai/gpt-4.1"))).toBe(
      900_000 * 2_000_000 + 8_000_000,
    );
  });
});

describe("prompt-cache writes and reads, from recorded Anthropic usage", () => {
  it("a 1-hour write (messages-prompt-cache-write-1h.json) bills at 2x input, not 1.25x", () => {
    const result = ADAPTERS.anthropic.parseChatResponse(cacheWrite1h, ctx);
    // The recording: input 17, cache_creation 2056 (all ephemeral_1h), read 0, output 100.
    expect(result.usage).toEqual({
      input_tokens: 17,
      output_tokens: 100,
      cached_input_tokens: 0,
      cache_write_tokens: 2056,
      cache_write_1h_tokens: 2056,
    });
    const u = result.usage as Usage;
    // Claude Sonnet 4.5: $3 input, 1-hour write $6, output $15.
    expect(costPico(u, model("anthropic/claude-sonnet-4-5"))).toBe(
      17 * 3_000_000 + 2056 * 6_000_000 + 100 * 15_000_000,
    );
    // Claude Sonnet 5.5: $2 input, 1-hour write $4, output $10.
    expect(costPico(u, model("anthropic/claude-sonnet-5-5"))).toBe(
      17 * 2_000_000 + 2056 * 4_000_000 + 100 * 10_000_000,
    );
  });

  it("the same write with a 5-minute TTL bills at 1.25x input", () => {
    const u = usage({ input_tokens: 17, cache_write_tokens: 2056, output_tokens: 100 });
    expect(costPico(u, model("anthropic/claude-sonnet-4-5"))).toBe(
      17 * 3_000_000 + 2056 * 3_750_000 + 100 * 15_000_000,
    );
    // A split write: 56 tokens for 5 minutes, 2000 for an hour.
    const split = usage({
      input_tokens: 17,
      cache_write_tokens: 2056,
      cache_write_1h_tokens: 2000,
      output_tokens: 100,
    });
    expect(costPico(split, model("anthropic/claude-sonnet-4-5"))).toBe(
      17 * 3_000_000 + 56 * 3_750_000 + 2000 * 6_000_000 + 100 * 15_000_000,
    );
  });

  it("a cache hit (messages-prompt-cache-read.json) bills the read tokens at the cache-read price", () => {
    const result = ADAPTERS.anthropic.parseChatResponse(cacheRead, ctx);
    // The recording: input 11, cache_creation 0, cache_read 2055, output 100.
    expect(result.usage).toMatchObject({
      input_tokens: 11,
      output_tokens: 100,
      cached_input_tokens: 2055,
      cache_write_tokens: 0,
    });
    const u = result.usage as Usage;
    // Claude Sonnet 4.5: cache read $0.30.
    expect(costPico(u, model("anthropic/claude-sonnet-4-5"))).toBe(11 * 3_000_000 + 2055 * 300_000 + 100 * 15_000_000);
    // Claude Fable 5.1: cache read $0.25 (a fortieth of input).
    expect(costPico(u, model("anthropic/claude-fable-5-1"))).toBe(11 * 10_000_000 + 2055 * 250_000 + 100 * 50_000_000);
  });

  it("OpenAI's explicit cache writes on GPT-6 bill at 1.25x input", () => {
    const u = usage({ input_tokens: 100, cache_write_tokens: 4000, cached_input_tokens: 1000, output_tokens: 10 });
    // gpt-6-luna: input $0.10, write $0.125, read $0.01, output $0.50.
    expect(costPico(u, model("openai/gpt-6-luna"))).toBe(100 * 100_000 + 4000 * 125_000 + 1000 * 10_000 + 10 * 500_000);
  });

  it("OpenAI's prompt_tokens_details.cache_write_tokens (inside prompt_tokens) reach the canonical usage", () => {
    const result = ADAPTERS.openai.parseChatResponse(
      {
        id: "chatcmpl-1",
        object: "chat.completion",
        created: 1,
        model: "gpt-6-luna",
        choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
        usage: {
          prompt_tokens: 5100,
          completion_tokens: 10,
          total_tokens: 5110,
          prompt_tokens_details: { cached_tokens: 1000, cache_write_tokens: 4000 },
        },
      },
      ctx,
    );
    expect(result.usage).toEqual({
      input_tokens: 100,
      output_tokens: 10,
      cached_input_tokens: 1000,
      cache_write_tokens: 4000,
    });
    expect(costPico(result.usage as Usage, model("openai/gpt-6-luna"))).toBe(
      100 * 100_000 + 4000 * 125_000 + 1000 * 10_000 + 10 * 500_000,
    );
  });
});

describe("reasoning tokens bill as output", () => {
  it("reasoning tokens inside output_tokens are billed once, at the output price", () => {
    const sol = model("openai/gpt-6.1-sol");
    const withReasoning = usage({ input_tokens: 50, output_tokens: 1200, reasoning_tokens: 1000 });
    expect(costPico(withReasoning, sol)).toBe(50 * 2_000_000 + 1200 * 10_000_000);
    expect(costPico(withReasoning, sol)).toBe(costPico(usage({ input_tokens: 50, output_tokens: 1200 }), sol));
  });

  it("OpenAI's completion_tokens_details.reasoning_tokens reach the canonical usage", () => {
    const result = ADAPTERS.openai.parseChatResponse(
      {
        id: "chatcmpl-1",
        object: "chat.completion",
        created: 1,
        model: "gpt-6.1-sol-2026-09-29",
        choices: [{ index: 0, message: { role: "assistant", content: "42" }, finish_reason: "stop" }],
        usage: {
          prompt_tokens: 30,
          completion_tokens: 500,
          total_tokens: 530,
          prompt_tokens_details: { cached_tokens: 10 },
          completion_tokens_details: { reasoning_tokens: 480 },
        },
      },
      ctx,
    );
    expect(result.usage).toEqual({
      input_tokens: 20,
      output_tokens: 500,
      cached_input_tokens: 10,
      cache_write_tokens: 0,
      reasoning_tokens: 480,
    });
    expect(costPico(result.usage as Usage, model("openai/gpt-6.1-sol"))).toBe(
      20 * 2_000_000 + 10 * 100_000 + 500 * 10_000_000,
    );
  });
});

describe("service tiers", () => {
  const sol = model("openai/gpt-6.1-sol");
  const u = usage({ input_tokens: 1000, cached_input_tokens: 500, output_tokens: 200 });
  const standard = 1000 * 2_000_000 + 500 * 100_000 + 200 * 10_000_000;

  it("flex halves every price, priority doubles it; auto and no tier bill standard", () => {
    expect(costPico(u, sol, "flex")).toBe(standard / 2);
    expect(costPico(u, sol, "priority")).toBe(standard * 2);
    expect(costPico(u, sol, null)).toBe(standard);
    expect(costPico(u, sol)).toBe(standard);
  });

  it("GPT-5.5's priority is 2.5x, exact to the pico-dollar", () => {
    const gpt55 = model("openai/gpt-5.5");
    const v = usage({ input_tokens: 3, cached_input_tokens: 7, output_tokens: 11 });
    expect(costPico(v, gpt55, "priority")).toBe(3 * 12_500_000 + 7 * 1_250_000 + 11 * 75_000_000);
  });

  it("a tier the model does not offer bills at standard (Anthropic has no flex)", () => {
    const sonnet = model("anthropic/claude-sonnet-5-5");
    const v = usage({ input_tokens: 10, output_tokens: 10 });
    expect(costPico(v, sonnet, "flex")).toBe(costPico(v, sonnet));
    expect(appliedPrices(sonnet.pricing, 10, "flex").service_tier).toBeNull();
  });

  it("the long-context tier and the service tier compose", () => {
    const v = usage({ input_tokens: 300_000, output_tokens: 100 });
    expect(costPico(v, sol, "priority")).toBe(300_000 * 8_000_000 + 100 * 30_000_000);
  });
});

describe("the budget's worst case covers the dearest band", () => {
  it("holds every prompt token at the long-context or cache-write price, whichever is dearest", () => {
    const sol = model("openai/gpt-6.1-sol");
    expect(maxPromptPicoPerToken(sol.pricing)).toBe(5_000_000);
    expect(maxOutputPicoPerToken(sol.pricing)).toBe(15_000_000);
    expect(maxPromptPicoPerToken(sol.pricing, "priority")).toBe(10_000_000);
    const req = { messages: [{ role: "user" as const, content: "hi" }], stream: false, max_output_tokens: 10 };
    expect(worstCasePico(refOf(sol), 100, req)).toBe(100 * 5_000_000 + 10 * 15_000_000);
    expect(worstCasePico(refOf(sol), 100, { ...req, service_tier: "flex" })).toBe(100 * 2_500_000 + 10 * 7_500_000);
  });
});
