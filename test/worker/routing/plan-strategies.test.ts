// Planner tables, one per strategy: each expected order differs from every other, so a wrong order fails.
import { describe, expect, it } from "vitest";
import type { Strategy } from "../../../src/config/schema.ts";
import { FALLBACK, HELLO, live, modelStats, order, plan, providerStats } from "./fixture.ts";

const cases: { strategy: Strategy; stream?: boolean; capabilities?: ("tools" | "code")[]; expected: string[] }[] = [
  {
    strategy: "cost_optimized",
    expected: ["ollama/local", "openai/mini", "mistral/small", "together/coder", "anthropic/mid", "openai/flagship"],
  },
  {
    strategy: "latency_optimized",
    expected: ["openai/mini", "mistral/small", "anthropic/mid", "together/coder", "openai/flagship", "ollama/local"],
  },
  {
    strategy: "latency_optimized",
    stream: true,
    expected: ["openai/mini", "mistral/small", "together/coder", "anthropic/mid", "openai/flagship", "ollama/local"],
  },
  {
    strategy: "quality_optimized",
    expected: ["openai/flagship", "anthropic/mid", "together/coder", "mistral/small", "openai/mini", "ollama/local"],
  },
  {
    strategy: "local_first",
    expected: ["ollama/local", "openai/mini", "mistral/small", "together/coder", "anthropic/mid", "openai/flagship"],
  },
  {
    // "hello" is simple (floor 0.6): cheapest first among those at 0.6 or more; the local 0.5 is a last resort.
    strategy: "balanced",
    expected: ["openai/mini", "mistral/small", "together/coder", "anthropic/mid", "openai/flagship", "ollama/local"],
  },
  {
    // Tools make it standard (floor 0.75): mid and flagship meet it, cheapest first; then the rest by quality.
    strategy: "balanced",
    capabilities: ["tools"],
    expected: ["anthropic/mid", "openai/flagship", "mistral/small", "openai/mini"],
  },
  {
    strategy: "capability_match",
    expected: ["ollama/local", "together/coder", "openai/mini", "mistral/small", "anthropic/mid", "openai/flagship"],
  },
  {
    strategy: "capability_match",
    capabilities: ["tools"],
    expected: ["openai/mini", "mistral/small", "anthropic/mid", "openai/flagship"],
  },
  {
    strategy: "capability_match",
    capabilities: ["code"],
    expected: ["together/coder", "mistral/small", "anthropic/mid", "openai/flagship"],
  },
];

describe("planner: each strategy's order", () => {
  for (const c of cases) {
    it(`${c.strategy}${c.stream ? " (stream: by TTFT)" : ""}${c.capabilities ? ` needing ${c.capabilities}` : ""}`, () => {
      const p = plan({
        request: { ...HELLO, stream: c.stream === true },
        controls: { strategy: c.strategy, capabilities: c.capabilities },
      });
      expect(order(p)).toEqual(c.expected);
      expect(p.strategy).toBe(c.strategy);
      expect(p.order).toBe("strategy");
      for (const cand of p.candidates) {
        expect(cand.score).toBeGreaterThanOrEqual(0);
        expect(cand.score).toBeLessThanOrEqual(1);
        expect(cand.reasons.join(" ")).toMatch(/\d/);
      }
      // Scores agree with the order, except where a tie-break or exploration decides.
      const scores = p.candidates.map((x) => x.score);
      if (c.strategy !== "capability_match") expect(scores).toEqual([...scores].sort((a, b) => b - a));
      // The legacy model is never picked by a strategy.
      expect(p.excluded.find((e) => e.model === "old")?.reason).toMatch(/legacy/);
    });
  }

  it("balanced puts a code request on the cheapest model at the code floor, and says why each is in or out", () => {
    const code = {
      ...HELLO,
      messages: [{ role: "user" as const, content: "Write a Python function that parses ISO 8601 dates." }],
    };
    const p = plan({ request: code, controls: { strategy: "balanced" } });
    expect(p.difficulty).toMatchObject({ class: "code", quality_floor: 0.93 });
    expect(p.difficulty?.signals[0]).toMatch(/request to write or fix code/);
    // Only the flagship (0.95) meets 0.93; the others follow as a last resort, best quality first.
    expect(order(p)).toEqual([
      "openai/flagship",
      "anthropic/mid",
      "together/coder",
      "mistral/small",
      "openai/mini",
      "ollama/local",
    ]);
    expect(p.candidates[0]?.reasons.join(" ")).toMatch(
      /quality 0\.95 meets the code floor 0\.93; estimated \$0\.00\d+, cheapest first/,
    );
    expect(p.candidates[1]?.reasons.join(" ")).toMatch(/below the code floor 0\.93 \(quality 0\.85\): a last resort/);
    // The floors are configuration: lowered to 0.7, the cheapest model at 0.7 or more leads.
    const lowered = plan({
      request: code,
      controls: { strategy: "balanced" },
      config: {
        ...FALLBACK,
        difficulty: {
          ...FALLBACK.difficulty,
          classes: { ...FALLBACK.difficulty.classes, code: { description: "", quality_floor: 0.7 } },
        },
      },
    });
    expect(order(lowered).slice(0, 4)).toEqual(["mistral/small", "together/coder", "anthropic/mid", "openai/flagship"]);
  });

  it("balanced puts a healthy candidate that meets the floor before an unhealthy cheaper one", () => {
    const stats = live({ providers: { openai: providerStats("openai", { status: "down" }) } });
    const p = plan({ controls: { strategy: "balanced" }, stats });
    // mini (openai, reported down) drops behind every healthy model that meets the floor.
    expect(order(p).indexOf("openai/mini")).toBeGreaterThan(order(p).indexOf("anthropic/mid"));
    expect(p.candidates.find((c) => c.ref.id === "mini")?.reasons.join(" ")).toMatch(/not healthy/);
  });

  it("cost_optimized's estimate is this request's prompt plus its max_tokens at the model's prices", () => {
    const p = plan({ controls: { strategy: "cost_optimized" } });
    const mid = p.candidates.find((c) => c.ref.id === "mid");
    // 8 prompt tokens at $3/M + 100 output tokens at $15/M.
    expect(mid?.estimated_cost_usd).toBeCloseTo(8 * 3e-6 + 100 * 15e-6, 10);
  });

  it("latency_optimized prefers live p50 over the registry's typical figure", () => {
    const stats = live({
      models: {
        "openai/flagship": modelStats("openai", "flagship", {
          latency_ms: { p50: 100, p95: 300 },
          last_measured_at: 9_000,
        }),
      },
    });
    const p = plan({ controls: { strategy: "latency_optimized" }, stats });
    expect(order(p)[0]).toBe("openai/flagship");
    expect(p.candidates[0]?.reasons.join(" ")).toContain("latency 100 ms (live p50)");
  });

  it("latency_optimized explores: on a draw under the rate the least recently measured healthy candidate goes first", () => {
    const models = {
      "openai/mini": modelStats("openai", "mini", { last_measured_at: 9_000 }),
      "mistral/small": modelStats("mistral", "small", { last_measured_at: 8_000 }),
      "anthropic/mid": modelStats("anthropic", "mid", { last_measured_at: 9_500 }),
      "together/coder": modelStats("together", "coder", { last_measured_at: 7_000 }),
      "openai/flagship": modelStats("openai", "flagship", { last_measured_at: 2_000, circuit: "half_open" }),
      "ollama/local": modelStats("ollama", "local", { last_measured_at: 5_000 }),
    };
    let draws = 0;
    const explored = plan({
      controls: { strategy: "latency_optimized" },
      stats: live({ models }),
      random: () => (draws++, 0.01),
    });
    // flagship was measured longest ago but its circuit is half-open: not healthy, so local (5,000) is promoted.
    expect(order(explored)).toEqual([
      "ollama/local",
      "openai/mini",
      "mistral/small",
      "anthropic/mid",
      "together/coder",
      "openai/flagship",
    ]);
    expect(explored.candidates[0]?.reasons[1]).toMatch(/^exploration \(drawn 0\.01 < rate 0\.05\)/);
    expect(draws).toBe(1);
    const notExplored = plan({
      controls: { strategy: "latency_optimized" },
      stats: live({ models }),
      random: () => 0.05,
    });
    expect(order(notExplored)[0]).toBe("openai/mini");
    // Without live data nothing was measured, so nothing is stale: no exploration.
    expect(order(plan({ controls: { strategy: "latency_optimized" }, random: () => 0 }))[0]).toBe("openai/mini");
  });

  it("local_first puts Ollama after the cloud when the last probe reported it down, and leaves it out when its circuit is open", () => {
    const down = plan({
      controls: { strategy: "local_first" },
      stats: live({ providers: { ollama: providerStats("ollama", { status: "down" }) } }),
    });
    expect(order(down)).toEqual([
      "openai/mini",
      "mistral/small",
      "together/coder",
      "anthropic/mid",
      "openai/flagship",
      "ollama/local",
    ]);
    expect(down.candidates[5]?.reasons.join(" ")).toContain("reported down");
    const open = plan({
      controls: { strategy: "local_first" },
      stats: live({ providers: { ollama: providerStats("ollama", { circuit: "open", status: "down" }) } }),
    });
    expect(order(open)).toEqual(["openai/mini", "mistral/small", "together/coder", "anthropic/mid", "openai/flagship"]);
  });

  it("LLM_DEFAULT_PROVIDER goes first among equals, and only among equals", () => {
    const models = {
      "openai/mini": modelStats("openai", "mini", { latency_ms: { p50: 600, p95: 900 } }),
      "mistral/small": modelStats("mistral", "small", { latency_ms: { p50: 600, p95: 900 } }),
    };
    const stats = live({ models });
    // A tie on latency: quality decides (small 0.7 over mini 0.6) ...
    expect(order(plan({ controls: { strategy: "latency_optimized" }, stats })).slice(0, 2)).toEqual([
      "mistral/small",
      "openai/mini",
    ]);
    // ... unless a default provider is set.
    const preferred = plan({
      controls: { strategy: "latency_optimized" },
      stats,
      defaults: { strategy: "balanced", fallback: true, preferLocal: false, defaultProvider: "openai" },
    });
    expect(order(preferred).slice(0, 2)).toEqual(["openai/mini", "mistral/small"]);
    expect(preferred.candidates[0]?.reasons.join(" ")).toContain("LLM_DEFAULT_PROVIDER");
    // Not a tie: the default provider does not jump the queue.
    expect(
      order(
        plan({
          controls: { strategy: "quality_optimized" },
          defaults: { strategy: "balanced", fallback: true, preferLocal: false, defaultProvider: "ollama" },
        }),
      )[0],
    ).toBe("openai/flagship");
  });

  it("the strategy in force: the request's, else LLM_PREFER_LOCAL's local_first, else LLM_ROUTING_STRATEGY / the config", () => {
    expect(
      plan({ defaults: { strategy: "quality_optimized", fallback: true, preferLocal: false, defaultProvider: null } })
        .strategy,
    ).toBe("quality_optimized");
    const local = plan({
      defaults: { strategy: "quality_optimized", fallback: true, preferLocal: true, defaultProvider: null },
    });
    expect(local.strategy).toBe("local_first");
    expect(order(local)[0]).toBe("ollama/local");
    expect(
      plan({
        controls: { strategy: "cost_optimized" },
        defaults: { strategy: "quality_optimized", fallback: true, preferLocal: true, defaultProvider: null },
      }).strategy,
    ).toBe("cost_optimized");
  });

  it("keeps room for other providers: at most half the plan from one provider", () => {
    const p = plan({
      controls: { strategy: "cost_optimized" },
      config: { ...FALLBACK, defaults: { ...FALLBACK.defaults, max_candidates: 2 } },
    });
    expect(order(p)).toEqual(["ollama/local", "openai/mini"]);
    expect(p.excluded.find((e) => e.model === "small")?.reason).toContain("defaults.max_candidates");
    const capped = plan({
      controls: { strategy: "quality_optimized" },
      config: { ...FALLBACK, defaults: { ...FALLBACK.defaults, max_candidates: 2 } },
    });
    // flagship, then mid: openai's mini would be third anyway; the cap is one per provider at max_candidates 2.
    expect(order(capped)).toEqual(["openai/flagship", "anthropic/mid"]);
    const oneProvider = plan({
      controls: { strategy: "quality_optimized" },
      configured: (p) => p === "openai",
      config: { ...FALLBACK, defaults: { ...FALLBACK.defaults, max_candidates: 2 } },
    });
    // One provider configured: no other provider can take the room kept for them, so the plan fills it.
    expect(order(oneProvider)).toEqual(["openai/flagship", "openai/mini"]);
    expect(oneProvider.excluded.find((e) => e.model === "mini")).toBeUndefined();
  });
});
