// Planner tables for the hard filters: each one leaves a model out with a reason naming the numbers, and only that model.
import { describe, expect, it } from "vitest";
import { refOf } from "../../../src/registry/model-registry.ts";
import { factsFor } from "../../../src/routing/facts.ts";
import { applyFilters, type FilterInput } from "../../../src/routing/filters.ts";
import { emptySnapshot } from "../../../src/stats/snapshot.ts";
import { ENTRIES, HELLO, live, modelStats, order, plan, providerStats, reasonFor } from "./fixture.ts";

const USER = (content: string) => [{ role: "user" as const, content }];

describe("planner: hard filters", () => {
  it("leaves out unconfigured providers", () => {
    const p = plan({ configured: (provider) => provider !== "openai", controls: { strategy: "quality_optimized" } });
    expect(order(p)).toEqual(["anthropic/mid", "together/coder", "mistral/small", "ollama/local"]);
    expect(reasonFor(p, "openai/flagship")).toBe("provider openai is not configured (no API key)");
    expect(
      plan({ configured: (provider) => provider !== "ollama" }).excluded.find((e) => e.provider === "ollama")?.reason,
    ).toContain("no OLLAMA_BASE_URL");
  });

  it("leaves out an open circuit (model or provider), a misconfigured provider, and keeps a half-open one as the probe", () => {
    const stats = live({
      providers: {
        anthropic: providerStats("anthropic", { circuit: "open", last_error: "connection refused" }),
        together: providerStats("together", { misconfigured: true }),
      },
      models: {
        "openai/flagship": modelStats("openai", "flagship", { circuit: "open", last_error: "HTTP 500" }),
        "mistral/small": modelStats("mistral", "small", { circuit: "half_open" }),
      },
    });
    const p = plan({ controls: { strategy: "quality_optimized" }, stats });
    expect(order(p)).toEqual(["mistral/small", "openai/mini", "ollama/local"]);
    expect(reasonFor(p, "openai/flagship")).toBe("circuit open for openai/flagship (last error: HTTP 500)");
    expect(reasonFor(p, "anthropic/mid")).toBe("provider anthropic's circuit is open (last error: connection refused)");
    expect(reasonFor(p, "together/coder")).toContain("misconfigured");
    expect(p.candidates[0]?.reasons.join(" ")).toContain("half-open");
  });

  it("requires tools when the request carries tools, vision for images, json for response_format, plus router.capabilities", () => {
    const tools = [{ type: "function" as const, function: { name: "f" } }];
    expect(order(plan({ request: { ...HELLO, tools }, controls: { strategy: "quality_optimized" } }))).toEqual([
      "openai/flagship",
      "anthropic/mid",
      "mistral/small",
      "openai/mini",
    ]);
    const image = [
      { role: "user" as const, content: [{ type: "image_url" as const, image_url: { url: "https://x/y.png" } }] },
    ];
    const vision = plan({ request: { ...HELLO, messages: image }, controls: { strategy: "quality_optimized" } });
    expect(order(vision)).toEqual(["openai/flagship", "anthropic/mid", "openai/mini"]);
    expect(vision.required_capabilities).toEqual(["vision"]);
    expect(reasonFor(vision, "mistral/small")).toBe("lacks vision (has code, tools, json)");
    const json = plan({
      request: { ...HELLO, response_format: { type: "json_object" } },
      controls: { strategy: "quality_optimized", capabilities: ["reasoning"] },
    });
    expect(order(json)).toEqual(["openai/flagship"]);
    expect(json.required_capabilities.sort()).toEqual(["json", "reasoning"]);
    expect(
      order(
        plan({ request: { ...HELLO, response_format: { type: "text" } }, controls: { strategy: "quality_optimized" } }),
      ),
    ).toHaveLength(6);
  });

  it("requires a context window that holds an upper bound of the prompt plus the requested output", () => {
    // 15,002 o200k tokens, which the calibrated estimate puts near 11,000: with 20,000 output a 32,768 window cannot
    // hold it, and only the upper bound (18,000 here) says so.
    const long = "lorem ipsum dolor sit amet ".repeat(3000);
    const p = plan({
      request: { ...HELLO, messages: USER(long), max_output_tokens: 20_000 },
      controls: { strategy: "quality_optimized" },
    });
    expect(p.estimated_prompt_tokens).toBeGreaterThan(8_192);
    expect(p.estimated_prompt_tokens).toBeLessThan(32_768 - 20_000);
    expect(order(p)).toEqual(["openai/flagship", "anthropic/mid", "mistral/small"]);
    expect(reasonFor(p, "together/coder")).toMatch(
      /^context window 32768 < up to \d+ prompt \+ 20000 output tokens \(~\d+ estimated\)$/,
    );
    expect(reasonFor(p, "ollama/local")).toMatch(
      /^max_tokens 20000 is above its output limit of 8192; context window 8192 < up to \d+ prompt \+ 20000 output tokens/,
    );
    expect(reasonFor(p, "openai/mini")).toBe("max_tokens 20000 is above its output limit of 16000");
    const smaller = plan({
      request: { ...HELLO, messages: USER(long), max_output_tokens: 10_000 },
      controls: { strategy: "quality_optimized" },
    });
    expect(order(smaller)).toContain("together/coder");
  });

  it("scans the prompt for its tight bound only for a model the quick bound (from its length) overfills", () => {
    const small = ENTRIES.find((e) => e.context_window === 8192)!;
    const facts = factsFor(refOf(small), HELLO, 20, emptySnapshot());
    let scans = 0;
    const input = (quick: number, tight: number): FilterInput => ({
      needs: [],
      promptTokens: 20,
      promptBound: {
        quick,
        tight: () => {
          scans++;
          return tight;
        },
      },
      requestedOutput: undefined,
      configured: () => true,
      budget: null,
      maxLatencyMs: undefined,
      stats: emptySnapshot(),
      fromRegistry: false,
    });
    // The quick bound fits the window: no scan, and the model stays.
    expect(applyFilters(facts, input(8000, 7000)).failures).toEqual([]);
    expect(scans).toBe(0);
    // The quick bound overfills it but the tight one fits: one scan, and the model stays.
    expect(applyFilters(facts, input(9000, 7000)).failures).toEqual([]);
    expect(scans).toBe(1);
    // Both overfill it: left out, with the tight figure in the reason.
    const { failures } = applyFilters(facts, input(30_000, 9000));
    expect(failures.map((f) => f())).toEqual(["context window 8192 < up to 9000 prompt tokens (~20 estimated)"]);
    expect(scans).toBe(2);
  });

  it("drops what costs more than the budget left; the smaller of the caller's and the workspace's binds", () => {
    // Costs: local 0, mini $0.000041, small $0.000062, coder $0.000108, mid $0.0015, flagship $0.0031.
    const p = plan({ controls: { strategy: "cost_optimized", budget_remaining: 0.0001 } });
    expect(order(p)).toEqual(["ollama/local", "openai/mini", "mistral/small"]);
    expect(reasonFor(p, "together/coder")).toBe(
      "estimated $0.00011 for this request exceeds the $0.00010 left (router.budget_remaining)",
    );
    expect(p.budget_remaining_usd).toBe(0.0001);
    const ws = plan({
      controls: { strategy: "cost_optimized", budget_remaining: 1 },
      workspaceBudgetRemaining: 0.00005,
    });
    expect(order(ws)).toEqual(["ollama/local", "openai/mini"]);
    expect(reasonFor(ws, "mistral/small")).toContain("(the workspace budget)");
    expect(
      order(plan({ controls: { strategy: "cost_optimized", budget_remaining: 0.00005 }, workspaceBudgetRemaining: 1 })),
    ).toEqual(["ollama/local", "openai/mini"]);
  });

  it("never sends a budget-bound request to a model whose price is unknown", () => {
    const p = plan({ model: "openai/brand-new", controls: { budget_remaining: 10, strategy: "cost_optimized" } });
    expect(order(p)[0]).toBe("ollama/local");
    expect(reasonFor(p, "openai/brand-new")).toBe(
      "price unknown, and the request is budget-bound ($10.0000 left, router.budget_remaining)",
    );
    // Without a budget, the unlisted model is tried first, as asked, priced unknown.
    const free = plan({ model: "openai/brand-new" });
    expect(order(free)[0]).toBe("openai/brand-new");
    expect(free.candidates[0]?.estimated_cost_usd).toBeNull();
  });

  it("drops what is slower than max_latency_ms: live p95 when measured, the registry's typical latency until then", () => {
    const p = plan({ controls: { strategy: "quality_optimized", max_latency_ms: 1000 } });
    expect(order(p)).toEqual(["mistral/small", "openai/mini"]);
    expect(reasonFor(p, "anthropic/mid")).toBe("typical latency 1500 ms is above max_latency_ms 1000");
    const stats = live({
      models: {
        "openai/mini": modelStats("openai", "mini", { latency_ms: { p50: 400, p95: 2400 } }),
        "anthropic/mid": modelStats("anthropic", "mid", { latency_ms: { p50: 300, p95: 700 } }),
      },
    });
    const measured = plan({ controls: { strategy: "quality_optimized", max_latency_ms: 1000 }, stats });
    expect(order(measured)).toEqual(["anthropic/mid", "mistral/small"]);
    expect(reasonFor(measured, "openai/mini")).toBe("live p95 latency 2400 ms is above max_latency_ms 1000");
  });

  it("does not let auto pick a legacy model, but a name or a chain still reaches it", () => {
    expect(reasonFor(plan(), "openai/old")).toMatch(/^legacy model/);
    expect(order(plan({ model: "old-alias" }))[0]).toBe("openai/old");
    expect(order(plan({ model: "chain:listed" }))).toContain("openai/old");
  });

  it("leaves out Ollama models the server does not have, once a sweep has listed them", () => {
    const p = plan({ controls: { strategy: "local_first" }, stats: live({ ollama_models: ["llama3.2:latest"] }) });
    expect(order(p)[0]).toBe("openai/mini");
    expect(reasonFor(p, "ollama/local")).toBe(
      "not installed on the Ollama server (its last model list: llama3.2:latest)",
    );
    expect(
      order(plan({ controls: { strategy: "local_first" }, stats: live({ ollama_models: ["local:latest"] }) }))[0],
    ).toBe("ollama/local");
  });

  it("lists every failed filter of a model, not just the first", () => {
    const p = plan({
      configured: (x) => x !== "ollama",
      request: { ...HELLO, tools: [{ type: "function", function: { name: "f" } }] },
    });
    expect(reasonFor(p, "ollama/local")).toBe(
      "provider ollama is not configured (no OLLAMA_BASE_URL); lacks tools (has json)",
    );
  });
});
