// POST /v1/route (dry run), GET /v1/chains, GET /v1/strategies through the real Worker entry.
import { describe, expect, it } from "vitest";
import { CONFIG } from "../../../src/config/index.ts";
import { CHAIN_NAMES, STRATEGIES } from "../../../src/config/schema.ts";
import { call, chat, newSession } from "../gateway.ts";

const USER = [{ role: "user", content: "Say hello." }];

interface RouteBody {
  object: string;
  strategy: string;
  chain: string | null;
  order: string;
  estimated_prompt_tokens: number;
  estimated_cost_usd: number | null;
  candidates: {
    provider: string;
    model: string;
    upstream_model: string;
    score: number;
    estimated_cost_usd: number | null;
    reasons: string[];
  }[];
  excluded: { provider: string; model: string; reason: string }[];
  warnings: string[];
}

function route(env: Parameters<typeof call>[0], body: unknown, headers: Record<string, string> = {}) {
  return call(env, "/v1/route", { method: "POST", json: body, headers });
}

describe("POST /v1/route", () => {
  it("explains the plan in the public shape and calls no provider", async () => {
    const s = await newSession();
    const res = await route(s.env, {
      model: "auto",
      messages: USER,
      max_tokens: 50,
      router: { strategy: "quality_optimized" },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as RouteBody;
    expect(body).toMatchObject({ object: "route", strategy: "quality_optimized", chain: null, order: "strategy" });
    expect(body.candidates.length).toBeGreaterThan(1);
    // Fable 5.1 and GPT-6 Astra tie at 0.98 and at $10 / $50: the name breaks the tie.
    expect(body.candidates[0]).toMatchObject({ provider: "anthropic", model: "claude-fable-5-1" });
    for (const c of body.candidates) {
      expect(Object.keys(c).sort()).toEqual([
        "estimated_cost_usd",
        "model",
        "provider",
        "reasons",
        "score",
        "upstream_model",
      ]);
      expect(c.reasons.length).toBeGreaterThan(0);
    }
    expect(body.estimated_cost_usd).toBe(body.candidates[0]?.estimated_cost_usd);
    expect(body.excluded.every((e) => typeof e.reason === "string" && e.reason.length > 0)).toBe(true);
    expect(body.excluded.find((e) => e.model === "llama2")?.reason).toMatch(/^legacy model/);
    expect(await s.requests()).toEqual([]);
  });

  it("balanced: names the request's difficulty class and floor, and why each candidate is in or out", async () => {
    const s = await newSession();
    const code = "Fix this function:\n```ts\nfunction add(a: number, b: number) { return a - b; }\n```";
    const res = await route(s.env, {
      model: "auto",
      messages: [{ role: "user", content: code }],
      max_tokens: 200,
      // A chain whose members straddle the code floor (GPT-6.1 Sol and Sonnet 5.5 above it, GLM-5.3 and Codestral
      // below): over the whole registry six models now clear it and fill the plan, leaving no one below to show.
      router: { strategy: "balanced", chain: "CODE_GENERATION" },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as RouteBody & {
      difficulty: { class: string; quality_floor: number; signals: unknown[] } | null;
    };
    expect(body.difficulty).toMatchObject({
      class: "code",
      quality_floor: CONFIG.fallback.difficulty.classes.code.quality_floor,
    });
    expect(body.candidates[0]?.reasons.join(" ")).toMatch(/meets the code floor/);
    expect(body.candidates.some((c) => /below the code floor/.test(c.reasons.join(" ")))).toBe(true);
    // A greeting is simple: a lower floor, and a cheaper first choice.
    const hello = (await (
      await route(s.env, { model: "auto", messages: USER, max_tokens: 50, router: { strategy: "balanced" } })
    ).json()) as RouteBody & { difficulty: { class: string } };
    expect(hello.difficulty.class).toBe("simple");
    expect(hello.candidates[0]!.estimated_cost_usd!).toBeLessThan(body.candidates[0]!.estimated_cost_usd!);
  });

  it("validates the body exactly as chat completions does", async () => {
    const s = await newSession();
    const bad: unknown[] = [
      { model: "auto", messages: [] },
      { model: "auto", messages: USER, temperature: 3 },
      { model: "auto", messages: USER, router: { strategy: "fastest" } },
      { model: "no-such-model", messages: USER },
      { model: "chain:nope", messages: USER },
      { model: "auto", messages: USER, router: { task_type: "nope" } },
      { model: "auto", messages: USER, models: ["openai/gpt-4o", "nope"] },
      [1, 2],
    ];
    for (const body of bad) {
      const viaRoute = await route(s.env, body);
      const viaChat = await chat(s.env, body as Record<string, unknown>);
      expect(viaRoute.status, JSON.stringify(body)).toBe(400);
      expect(viaChat.status, JSON.stringify(body)).toBe(400);
      expect(((await viaRoute.json()) as { error: unknown }).error).toEqual(
        ((await viaChat.json()) as { error: unknown }).error,
      );
    }
    const header = await route(s.env, { model: "auto", messages: USER }, { "x-router-strategy": "fastest" });
    expect(header.status).toBe(400);
    expect(((await header.json()) as { error: { param: string } }).error.param).toBe("x-router-strategy");
    expect(await s.requests()).toEqual([]);
  });

  it("reads the x-router-* headers over the body's router object", async () => {
    const s = await newSession();
    const res = await route(
      s.env,
      { model: "auto", messages: USER, router: { strategy: "quality_optimized" } },
      { "x-router-strategy": "cost_optimized", "x-router-capabilities": "tools", "x-router-budget-remaining": "0.01" },
    );
    const body = (await res.json()) as RouteBody & { required_capabilities: string[]; budget_remaining_usd: number };
    expect(body.strategy).toBe("cost_optimized");
    expect(body.required_capabilities).toEqual(["tools"]);
    expect(body.budget_remaining_usd).toBe(0.01);
    expect(body.candidates[0]).toMatchObject({ provider: "ollama", estimated_cost_usd: 0 });
    expect(body.candidates.every((c) => (c.estimated_cost_usd ?? 1) <= 0.01)).toBe(true);
  });

  it("shows a chain, a models list and a named model with its fallbacks", async () => {
    const s = await newSession();
    const chain = (await (await route(s.env, { model: "chain:High_Quality", messages: USER })).json()) as RouteBody;
    expect(chain.chain).toBe("HIGH_QUALITY");
    expect(chain.candidates.map((c) => `${c.provider}/${c.model}`)).toEqual([
      "openai/gpt-6-astra",
      "anthropic/claude-fable-5-1",
      "mistral/mistral-large-latest",
    ]);
    const list = (await (
      await route(s.env, { model: "auto", models: ["mistral/mistral-small-latest", "gpt-4o-mini"], messages: USER })
    ).json()) as RouteBody;
    expect(list.candidates.map((c) => `${c.provider}/${c.model}`)).toEqual([
      "mistral/mistral-small-latest",
      "openai/gpt-4o-mini",
    ]);
    const named = (await (
      await route(s.env, { model: "gpt-3.5-turbo", messages: USER, router: { strategy: "cost_optimized" } })
    ).json()) as RouteBody;
    expect(named.candidates[0]).toMatchObject({
      provider: "openai",
      model: "gpt-5.4-mini",
      reasons: ["the requested model"],
    });
    expect(named.candidates[1]?.provider).toBe("ollama");
    const unknown = (await (
      await route(s.env, { model: "openai/gpt-next", messages: USER, router: { fallback: false } })
    ).json()) as RouteBody;
    expect(unknown.candidates).toEqual([
      expect.objectContaining({ provider: "openai", model: "gpt-next", estimated_cost_usd: null }),
    ]);
  });

  it("leaves out providers without keys", async () => {
    const s = await newSession({}, { ANTHROPIC_API_KEY: undefined });
    const body = (await (await route(s.env, { model: "chain:high_quality", messages: USER })).json()) as RouteBody;
    expect(body.candidates.map((c) => c.provider)).toEqual(["openai", "mistral"]);
    expect(body.excluded).toEqual([
      { provider: "anthropic", model: "claude-fable-5-1", reason: "provider anthropic is not configured (no API key)" },
    ]);
  });
});

describe("GET /v1/chains and /v1/strategies", () => {
  it("lists the nine chains with their models resolved and whether each is available", async () => {
    const s = await newSession({}, { TOGETHER_API_KEY: undefined });
    const res = await call(s.env, "/v1/chains");
    expect(res.status).toBe(200);
    const { chains } = (await res.json()) as {
      chains: {
        name: string;
        order: string;
        strategy: string | null;
        models: { ref: string; provider: string; model: string; available: boolean }[];
      }[];
    };
    expect(chains.map((c) => c.name)).toEqual(expect.arrayContaining([...CHAIN_NAMES]));
    const cost = chains.find((c) => c.name === "COST_OPTIMIZED");
    expect(cost?.order).toBe("listed");
    expect(cost?.models[1]).toEqual({
      ref: "anthropic/claude-haiku-5-5",
      provider: "anthropic",
      model: "claude-haiku-5-5",
      available: true,
    });
    expect(chains.find((c) => c.name === "FAST_LATENCY")).toMatchObject({
      order: "strategy",
      strategy: "latency_optimized",
    });
    expect(
      chains.find((c) => c.name === "CODE_GENERATION")?.models.find((m) => m.provider === "together")?.available,
    ).toBe(false);
  });

  it("lists the six strategies, the default in force and where it came from, and the task types", async () => {
    const s = await newSession({}, { LLM_ROUTING_STRATEGY: "cost_optimized", LLM_DEFAULT_PROVIDER: "mistral" });
    const body = (await (await call(s.env, "/v1/strategies")).json()) as {
      default: { strategy: string; source: string };
      default_provider: string;
      strategies: { name: string; description: string; weights?: unknown }[];
      task_types: { name: string; chain: string | null }[];
    };
    expect(body.strategies.map((x) => x.name)).toEqual([...STRATEGIES]);
    expect(body.strategies.every((x) => x.description.length > 20)).toBe(true);
    expect(body.strategies.find((x) => x.name === "balanced")?.weights).toEqual({
      cost: 0.4,
      latency: 0.3,
      quality: 0.3,
    });
    expect(body.default).toEqual({ strategy: "cost_optimized", source: "LLM_ROUTING_STRATEGY" });
    expect(body.default_provider).toBe("mistral");
    expect(body.task_types.find((t) => t.name === "code_generation")?.chain).toBe("CODE_GENERATION");
    const local = (await (
      await call((await newSession({}, { LLM_PREFER_LOCAL: "true" })).env, "/v1/strategies")
    ).json()) as { default: unknown };
    expect(local.default).toEqual({ strategy: "local_first", source: "LLM_PREFER_LOCAL" });
  });
});
