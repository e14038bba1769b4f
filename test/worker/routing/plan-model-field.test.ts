// Planner tables for the `model` field, chains, task types and the `models` list; unknown names are 400s naming the param.
import { describe, expect, it } from "vitest";
import { CONFIG } from "../../../src/config/index.ts";
import { CHAIN_NAMES } from "../../../src/config/schema.ts";
import { GatewayError } from "../../../src/core/gateway-error.ts";
import { ModelRegistry } from "../../../src/registry/model-registry.ts";
import type { PlanInput } from "../../../src/routing/plan.ts";
import { HELLO, order, plan, reasonFor } from "./fixture.ts";

function rejection(overrides: Partial<PlanInput>): GatewayError {
  try {
    plan(overrides);
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    return err as GatewayError;
  }
  throw new Error("expected the planner to refuse the request");
}

describe("planner: the model field", () => {
  it("a named model goes first, then fallbacks with the request's capabilities, ordered by the strategy", () => {
    const tools = [{ type: "function" as const, function: { name: "f" } }];
    const p = plan({ model: "mistral/small", request: { ...HELLO, tools }, controls: { strategy: "cost_optimized" } });
    expect(order(p)).toEqual(["mistral/small", "openai/mini", "anthropic/mid", "openai/flagship"]);
    expect(p.candidates[0]?.reasons[0]).toBe("the requested model");
    expect(p.candidates[1]?.reasons[0]).toBe("fallback: from the registry, ranked by cost_optimized");
    // By id or alias, the same.
    expect(order(plan({ model: "small", controls: { strategy: "quality_optimized" } }))).toEqual([
      "mistral/small",
      "openai/flagship",
      "anthropic/mid",
      "together/coder",
      "openai/mini",
      "ollama/local",
    ]);
  });

  it("with fallback off, only the named model", () => {
    const p = plan({ model: "anthropic/mid", controls: { fallback: false } });
    expect(order(p)).toEqual(["anthropic/mid"]);
    expect(p.order).toBe("requested");
    expect(p.fallback).toBe(false);
    const defaultOff = plan({
      model: "auto",
      controls: { strategy: "quality_optimized" },
      defaults: { strategy: "balanced", fallback: false, preferLocal: false, defaultProvider: null },
    });
    expect(order(defaultOff)).toEqual(["openai/flagship"]);
    expect(reasonFor(defaultOff, "anthropic/mid")).toContain("fallback is off");
  });

  it("an unlisted model on a named provider is allowed and priced unknown; an unknown bare name is a 400 on `model`", () => {
    const p = plan({ model: "together/some/new-model", controls: { fallback: false } });
    expect(p.candidates[0]?.ref).toMatchObject({ provider: "together", id: "some/new-model", entry: null });
    expect(p.candidates[0]?.reasons.join(" ")).toContain("price unknown");
    const err = rejection({ model: "no-such-model" });
    expect(err.status).toBe(400);
    expect(err.param).toBe("model");
    expect(err.code).toBe("model_not_found");
    // An embedding model is no chat model, named or in a models list: a 400 that says where it belongs.
    const real = new ModelRegistry(CONFIG.models.models);
    const embed = rejection({ model: "openai/text-embedding-3-small", registry: real });
    expect(embed).toMatchObject({ status: 400, param: "model", code: "model_not_chat" });
    expect(embed.message).toContain("POST /v1/embeddings");
    expect(rejection({ model: "auto", models: ["mistral/mistral-embed"], registry: real })).toMatchObject({
      param: "models.0",
      code: "model_not_chat",
    });
  });

  it("a registry id that begins with a provider's name is that registry model, priced, not an unlisted one", () => {
    const real = new ModelRegistry(CONFIG.models.models);
    for (const id of ["together/Tev1-4B-experimental", "openai/gpt-oss-120b"]) {
      const p = plan({ model: id, controls: { fallback: false }, registry: real });
      expect(p.candidates[0]?.ref).toMatchObject({ provider: "together", id, upstreamId: id });
      expect(p.candidates[0]?.ref.entry?.id).toBe(id);
      expect(p.candidates[0]?.estimated_cost_usd).not.toBeNull();
    }
    // With its provider in front, the same model; an id the registry does not list stays unlisted on the named provider.
    expect(real.resolve("together/openai/gpt-oss-120b")?.entry?.id).toBe("openai/gpt-oss-120b");
    expect(real.resolve("openai/some-new-model")).toMatchObject({
      provider: "openai",
      id: "some-new-model",
      entry: null,
    });
  });

  it("chain:<name> is case-insensitive and keeps the listed order (legacy models included, filters applied)", () => {
    for (const name of ["chain:LISTED", "chain:listed", "chain:Listed"]) {
      const p = plan({ model: name });
      expect(order(p)).toEqual(["ollama/local", "openai/flagship", "openai/old", "mistral/small"]);
      expect(p.chain).toBe("LISTED");
      expect(p.order).toBe("listed");
      expect(p.candidates.map((c) => c.score)).toEqual([1, 0.75, 0.5, 0.25]);
      expect(p.candidates[1]?.reasons[0]).toBe("in chain LISTED at position 2 (listed order)");
    }
    const filtered = plan({ model: "chain:listed", configured: (x) => x !== "ollama" });
    expect(order(filtered)).toEqual(["openai/flagship", "openai/old", "mistral/small"]);
  });

  it("a chain with a strategy is ordered by it; a request's strategy orders any chain", () => {
    const p = plan({ model: "chain:ranked" });
    expect(p.strategy).toBe("cost_optimized");
    expect(order(p)).toEqual(["openai/old", "mistral/small", "anthropic/mid", "openai/flagship"]);
    expect(p.order).toBe("strategy");
    const q = plan({ model: "chain:listed", controls: { strategy: "quality_optimized" } });
    expect(order(q)).toEqual(["openai/flagship", "mistral/small", "ollama/local", "openai/old"]);
  });

  it("router.chain selects a chain for auto, and supplies a named model's fallbacks", () => {
    expect(order(plan({ controls: { chain: "listed" } }))).toEqual([
      "ollama/local",
      "openai/flagship",
      "openai/old",
      "mistral/small",
    ]);
    const named = plan({ model: "anthropic/mid", controls: { chain: "LISTED" } });
    expect(order(named)).toEqual(["anthropic/mid", "ollama/local", "openai/flagship", "openai/old", "mistral/small"]);
    expect(named.candidates[1]?.reasons[0]).toBe("fallback: in chain LISTED at position 1 (listed order)");
  });

  it("an unknown chain is a 400 naming where it came from", () => {
    expect(rejection({ model: "chain:nope" })).toMatchObject({ status: 400, param: "model", code: "chain_not_found" });
    expect(rejection({ controls: { chain: "nope" } })).toMatchObject({
      status: 400,
      param: "router.chain",
      code: "chain_not_found",
    });
  });

  it("router.task_type maps to a chain, a strategy and capabilities", () => {
    const coding = plan({ controls: { task_type: "coding" } });
    expect(coding.task_type).toBe("coding");
    expect(coding.chain).toBe("LISTED");
    expect(coding.required_capabilities).toEqual(["code"]);
    expect(order(coding)).toEqual(["openai/flagship", "mistral/small"]);
    expect(reasonFor(coding, "ollama/local")).toContain("lacks code");
    expect(plan({ controls: { task_type: "quick" } }).strategy).toBe("latency_optimized");
    expect(order(plan({ controls: { task_type: "quick" } }))[0]).toBe("openai/mini");
    // The task type's strategy orders its chain; the request's own strategy wins over the task type's.
    expect(order(plan({ controls: { task_type: "pricey" } }))).toEqual([
      "openai/flagship",
      "anthropic/mid",
      "mistral/small",
      "openai/old",
    ]);
    expect(order(plan({ controls: { task_type: "Pricey", strategy: "cost_optimized" } }))[0]).toBe("openai/old");
    expect(rejection({ controls: { task_type: "nope" } })).toMatchObject({
      status: 400,
      param: "router.task_type",
      code: "task_type_not_found",
    });
  });

  it("a models list is the caller's own chain: in order, nothing added, filters applied", () => {
    const p = plan({ models: ["ollama/local", "anthropic/mid", "openai/old"] });
    expect(order(p)).toEqual(["ollama/local", "anthropic/mid", "openai/old"]);
    expect(p.order).toBe("requested");
    expect(p.candidates[2]?.reasons[0]).toBe("position 3 in the request's models list");
    // A named model leads the list.
    expect(order(plan({ model: "mistral/small", models: ["anthropic/mid"] }))).toEqual([
      "mistral/small",
      "anthropic/mid",
    ]);
    expect(order(plan({ models: ["ollama/local", "anthropic/mid"], configured: (x) => x !== "ollama" }))).toEqual([
      "anthropic/mid",
    ]);
    expect(rejection({ models: ["anthropic/mid", "nope"] })).toMatchObject({ status: 400, param: "models.1" });
    expect(rejection({ model: "chain:listed", models: ["anthropic/mid"] })).toMatchObject({
      status: 400,
      param: "model",
    });
  });
});

describe("planner: the shipped chains", () => {
  const registry = new ModelRegistry(CONFIG.models.models);
  const real = (model: string) =>
    plan({ model, registry, config: CONFIG.fallback, request: { ...HELLO, max_output_tokens: 200 } });

  it("every required chain plans its listed models, in the listed order unless the chain names a strategy", () => {
    for (const name of CHAIN_NAMES) {
      const chain = CONFIG.fallback.chains[name];
      const p = real(`chain:${name.toLowerCase()}`);
      expect(p.chain).toBe(name);
      const listed = chain?.models.map((m) => {
        const ref = registry.resolve(m);
        return `${ref?.provider}/${ref?.id}`;
      });
      if (chain?.strategy === undefined) expect(order(p), name).toEqual(listed);
      else {
        expect(p.strategy, name).toBe(chain.strategy);
        expect([...order(p)].sort(), name).toEqual([...(listed ?? [])].sort());
      }
    }
  });

  it("HIGH_QUALITY and COST_OPTIMIZED keep the original service's order; FAST_LATENCY is fastest first", () => {
    expect(order(real("chain:HIGH_QUALITY"))).toEqual([
      "openai/gpt-6-astra",
      "anthropic/claude-fable-5-1",
      "mistral/mistral-large-latest",
    ]);
    expect(order(real("chain:cost_optimized"))).toEqual([
      "openai/gpt-6-luna",
      "anthropic/claude-haiku-5-5",
      "mistral/ministral-8b-latest",
      "ollama/llama3.2",
    ]);
    // Typical latencies 800, 1200, 1500 (Haiku 5.5, quality 0.86), 1500 (GPT-6 Luna, 0.85), 1800 ms.
    expect(order(real("chain:fast_latency"))).toEqual([
      "mistral/ministral-8b-latest",
      "mistral/mistral-small-latest",
      "anthropic/claude-haiku-5-5",
      "openai/gpt-6-luna",
      "together/meta-llama/Llama-3.3-70B-Instruct-Turbo",
    ]);
  });
});
