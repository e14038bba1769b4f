// The shipped configs/*.yml validate, keep the original service's models resolvable, and a bad file fails naming file, path and expectation.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type ModelEntry, PROVIDER_IDS } from "../../src/config/schema.ts";
import { ConfigError, validateConfig } from "../../src/config/validate.ts";

type Raw = Record<string, any>;

function readYaml(relative: string): Raw {
  return parse(readFileSync(new URL(relative, import.meta.url), "utf8")) as Raw;
}

const rawModels = readYaml("../../configs/models.yml");
const rawFallback = readYaml("../../configs/llm_fallback.yml");

/** A fresh, mutable copy of both shipped documents. */
function copies(): { models: Raw; fallback: Raw } {
  return { models: structuredClone(rawModels), fallback: structuredClone(rawFallback) };
}

/** The ConfigError message validateConfig throws for these documents; fails the test when it does not throw one. */
function failureOf(models: unknown, fallback: unknown): string {
  try {
    validateConfig(models, fallback);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message;
  }
  throw new Error("expected validateConfig to reject the documents, but it accepted them");
}

const config = validateConfig(rawModels, rawFallback);
const entries: readonly ModelEntry[] = config.models.models;
const names = (m: ModelEntry) => [m.id, ...m.aliases];
const resolvable = new Set<string>(entries.flatMap((m) => names(m).map((n) => `${m.provider}/${n}`)));
const byRef = new Map<string, ModelEntry>(
  entries.flatMap((m) => names(m).map((n) => [`${m.provider}/${n}`, m] as const)),
);

describe("shipped configuration", () => {
  it("validates both files together", () => {
    expect(() => validateConfig(rawModels, rawFallback)).not.toThrow();
    expect(Object.isFrozen(config.models.models)).toBe(true);
  });

  it("lists at least 18 models, with all five providers", () => {
    expect(entries.length).toBeGreaterThanOrEqual(18);
    const providers = new Set(entries.map((m) => m.provider));
    expect([...providers].sort()).toEqual([...PROVIDER_IDS].sort());
  });

  it("keeps the original service's model ids resolvable, each at its provider", () => {
    const original = [
      "openai/gpt-4",
      "openai/gpt-4-turbo",
      "openai/gpt-3.5-turbo",
      "anthropic/claude-3-opus",
      "anthropic/claude-3-opus-20240229",
      "anthropic/claude-3-sonnet",
      "anthropic/claude-3-haiku",
      "anthropic/claude-3-haiku-20240307",
      "mistral/mistral-large",
      "mistral/mistral-medium",
      "mistral/mistral-small",
      "mistral/mistral-tiny",
      "ollama/llama2",
      "ollama/mistral",
      "ollama/codellama",
      "together/mistralai/Mistral-7B-Instruct-v0.3",
      "together/codellama/CodeLlama-34b-Instruct-hf",
      "together/meta-llama/Llama-2-70b-chat-hf",
    ];
    expect(original.filter((ref) => !resolvable.has(ref))).toEqual([]);
  });

  it("resolves every model the recorded fixtures ask for or report", () => {
    const recorded = [
      "openai/gpt-4o-mini",
      "openai/gpt-4o-mini-2024-07-18",
      "openai/gpt-3.5-turbo-0125",
      "openai/gpt-4.1-nano-2025-04-14",
      "anthropic/claude-sonnet-4-5-20250929",
      "anthropic/claude-3-5-sonnet-20240620",
      "anthropic/claude-3-haiku-20240307",
      "anthropic/claude-3-7-sonnet-20250219",
      "mistral/mistral-large-latest",
      "mistral/magistral-medium-latest",
      "together/meta-llama/Llama-3.3-70B-Instruct-Turbo",
      "together/mistralai/Mixtral-8x7B-Instruct-v0.1",
      "ollama/llama3",
      "ollama/llama3.2",
      "ollama/llama3.2:latest",
      "ollama/gemma3:1b",
      "ollama/qwen2.5-coder:32b",
      "ollama/qwen3:0.6b",
      "ollama/deepseek-r1:latest",
    ];
    expect(recorded.filter((ref) => !resolvable.has(ref))).toEqual([]);
  });

  it("keeps Ollama's `mistral` apart from the Mistral API's models", () => {
    expect(byRef.get("ollama/mistral")?.provider).toBe("ollama");
    expect(resolvable.has("mistral/mistral")).toBe(false);
  });

  it("prices local models at zero and every hosted model above zero", () => {
    const local = entries.filter((m) => m.provider === "ollama");
    expect(
      local.filter((m) => m.pricing.input !== 0 || m.pricing.output !== 0 || m.pricing.cached_input !== 0),
    ).toEqual([]);
    const hosted = entries.filter((m) => m.provider !== "ollama");
    const chat = hosted.filter((m) => m.type === "chat");
    // Together's 2026-10-07 catalog lists two chat models as free (Bonsai in and out, Tev1's output): priced at $0
    // as listed, and `legacy` so `auto` never moves traffic onto a price with no dated figure. Any other hosted
    // chat row at $0 is a missing price.
    const free = chat.filter((m) => !(m.pricing.input > 0 && m.pricing.output > 0));
    expect(free.map((m) => m.id).sort()).toEqual(["Prism-ML/Ternary-Bonsai-27B", "together/Tev1-4B-experimental"]);
    expect(free.filter((m) => m.provider !== "together" || !m.legacy).map((m) => m.id)).toEqual([]);
    // Embedding models bill their input only.
    const embedding = hosted.filter((m) => m.type === "embedding");
    expect(embedding.filter((m) => !(m.pricing.input > 0 && m.pricing.output === 0)).map((m) => m.id)).toEqual([]);
    // A cache hit is a discount: never dearer than a plain input token.
    expect(
      hosted
        .filter((m) => m.pricing.cached_input !== null && m.pricing.cached_input > m.pricing.input)
        .map((m) => m.id),
    ).toEqual([]);
  });

  it("gives every Anthropic model a cache-write price and marks long_context exactly where the window is >= 100k", () => {
    expect(
      entries.filter((m) => m.provider === "anthropic" && m.pricing.cache_write === undefined).map((m) => m.id),
    ).toEqual([]);
    const wrong = entries.filter((m) => m.capabilities.includes("long_context") !== m.context_window >= 100_000);
    expect(wrong.map((m) => m.id)).toEqual([]);
  });

  it("gives every Claude model that answers with extended thinking the reasoning capability", () => {
    // Anthropic's extended-thinking models page lists every Claude 4.x model still served (Opus 4.5, Sonnet 4.6,
    // Sonnet 4.5, Haiku 4.5); the Claude 5 line-up thinks too (adaptive by default). A row without `reasoning`
    // has a thinking ask dropped with a warning, so a row sent upstream as one of these must carry it.
    const thinking = /^claude-(opus-4-5|sonnet-4-6|sonnet-4-5|haiku-4-5|(fable|opus|sonnet|haiku)-5)/;
    const lacking = entries.filter(
      (m) =>
        m.provider === "anthropic" && thinking.test(m.upstream_id ?? m.id) && !m.capabilities.includes("reasoning"),
    );
    expect(lacking.map((m) => m.id)).toEqual([]);
    expect(byRef.get("anthropic/claude-3-5-sonnet-20240620")?.capabilities).toContain("reasoning");
  });

  it("points every upstream_id at a model the same provider lists", () => {
    const dangling = entries.filter(
      (m) => m.upstream_id !== undefined && byRef.get(`${m.provider}/${m.upstream_id}`) === undefined,
    );
    expect(dangling.map((m) => m.id)).toEqual([]);
  });

  it("keeps LOCAL_ONLY local and LONG_CONTEXT at 128k windows or more", () => {
    const chains = config.fallback.chains;
    expect(chains.LOCAL_ONLY?.models.filter((ref) => !ref.startsWith("ollama/"))).toEqual([]);
    const small = chains.LONG_CONTEXT?.models.filter((ref) => (byRef.get(ref)?.context_window ?? 0) < 128_000);
    expect(small).toEqual([]);
  });

  it("holds 3 to 5 models in every chain, each model at most once", () => {
    for (const [name, chain] of Object.entries(config.fallback.chains)) {
      expect(chain.models.length, name).toBeGreaterThanOrEqual(3);
      expect(chain.models.length, name).toBeLessThanOrEqual(5);
      expect(new Set(chain.models).size, name).toBe(chain.models.length);
    }
  });

  it("maps task types to chains whose models have the capabilities the task type requires", () => {
    const missing: string[] = [];
    for (const [task, mapping] of Object.entries(config.fallback.task_types)) {
      if (mapping.chain === undefined || mapping.capabilities === undefined) continue;
      for (const ref of config.fallback.chains[mapping.chain]?.models ?? []) {
        const entry = byRef.get(ref);
        for (const cap of mapping.capabilities)
          if (!entry?.capabilities.includes(cap)) missing.push(`${task}: ${ref} lacks ${cap}`);
      }
    }
    expect(missing).toEqual([]);
    for (const task of [
      "simple_task",
      "code_generation",
      "analysis",
      "long_context",
      "high_quality",
      "fast",
      "local",
    ]) {
      expect(config.fallback.task_types[task], task).toBeDefined();
    }
  });
});

describe("a bad configuration fails, naming file, path and expectation", () => {
  it("rejects a negative price", () => {
    const { models, fallback } = copies();
    models.models[0].pricing.input = -1;
    const message = failureOf(models, fallback);
    expect(message).toContain("configs/models.yml: models.0.pricing.input:");
    expect(message).toMatch(/>=\s*0/);
  });

  it("rejects an alias that already names another model", () => {
    const { models, fallback } = copies();
    const last = models.models.length - 1;
    models.models[last].aliases = [...(models.models[last].aliases ?? []), models.models[0].id];
    const message = failureOf(models, fallback);
    expect(message).toMatch(new RegExp(`configs/models\\.yml: models\\.${last}\\.aliases\\.\\d+: `));
    expect(message).toContain(
      `"${models.models[0].id}" already names ${models.models[0].provider}/${models.models[0].id}`,
    );
  });

  it("rejects an id that repeats another provider's model id", () => {
    const { models, fallback } = copies();
    const ollama = models.models.findIndex((m: Raw) => m.provider === "ollama");
    models.models[ollama].id = models.models[0].id;
    expect(failureOf(models, fallback)).toContain(`configs/models.yml: models.${ollama}.id:`);
  });

  it("rejects an id that repeats a model id of the same provider", () => {
    const { models, fallback } = copies();
    models.models[1].id = models.models[0].id;
    expect(failureOf(models, fallback)).toContain("configs/models.yml: models.1.id:");
  });

  it("rejects a max_output above the context window", () => {
    const { models, fallback } = copies();
    models.models[0].max_output = models.models[0].context_window + 1;
    expect(failureOf(models, fallback)).toContain(
      "configs/models.yml: models.0.max_output: max_output cannot exceed context_window",
    );
  });

  it("rejects an unknown field instead of ignoring a typo", () => {
    const { models, fallback } = copies();
    models.models[0].qualty = 0.5;
    expect(failureOf(models, fallback)).toMatch(/^configs\/models\.yml: models\.0: .*qualty/m);
  });

  it("rejects a chain that names a model the registry does not list", () => {
    const { models, fallback } = copies();
    fallback.chains.X = { description: "test", models: ["openai/no-such-model"] };
    expect(failureOf(models, fallback)).toContain(
      'configs/llm_fallback.yml: chains.X.models.0: "openai/no-such-model" is not a model in configs/models.yml',
    );
  });

  it("rejects a chain reference whose model exists only at another provider", () => {
    const { models, fallback } = copies();
    fallback.chains.HIGH_QUALITY.models = ["mistral/mistral"];
    expect(failureOf(models, fallback)).toContain("configs/llm_fallback.yml: chains.HIGH_QUALITY.models.0:");
  });

  it("rejects a file without a required chain", () => {
    const { models, fallback } = copies();
    delete fallback.chains.LONG_CONTEXT;
    expect(failureOf(models, fallback)).toContain(
      "configs/llm_fallback.yml: chains.LONG_CONTEXT: the LONG_CONTEXT chain is required",
    );
  });

  it("rejects a task type pointing at a chain that does not exist", () => {
    const { models, fallback } = copies();
    fallback.task_types.simple_task = { chain: "NO_SUCH_CHAIN" };
    expect(failureOf(models, fallback)).toContain(
      'configs/llm_fallback.yml: task_types.simple_task.chain: "NO_SUCH_CHAIN" is not a chain',
    );
  });

  it("rejects a missing section", () => {
    const { models, fallback } = copies();
    delete fallback.timeouts;
    expect(failureOf(models, fallback)).toContain("configs/llm_fallback.yml: timeouts:");
  });
});

describe("the price book", () => {
  it("dates and sources every price, and no price takes effect after the research date", () => {
    const undated = entries.filter(
      (m) => !/^\d{4}-\d{2}-\d{2}$/.test(m.pricing.effective_from) || m.pricing.source === "",
    );
    expect(undated.map((m) => m.id)).toEqual([]);
    expect(entries.filter((m) => m.pricing.effective_from > "2026-12-01").map((m) => m.id)).toEqual([]);
    // Hosted prices name where they were read: a URL.
    const hosted = entries.filter((m) => m.provider !== "ollama");
    expect(hosted.filter((m) => !m.pricing.source.includes("https://")).map((m) => m.id)).toEqual([]);
  });

  it("lists each provider's current line-up, chat and embedding, and picks nothing legacy by default", () => {
    const current = [
      "openai/gpt-6-astra",
      "openai/gpt-6.1-sol",
      "openai/gpt-6.1-terra",
      "openai/gpt-6-luna",
      "anthropic/claude-fable-5-1",
      "anthropic/claude-opus-5-5",
      "anthropic/claude-sonnet-5-5",
      "anthropic/claude-haiku-5-5",
      "mistral/mistral-large-latest",
      "mistral/mistral-medium-latest",
      "mistral/mistral-small-latest",
    ];
    expect(current.filter((ref) => byRef.get(ref)?.legacy !== false)).toEqual([]);
    // Opus 5 is priced, but its cheaper successor is what routing picks.
    expect(byRef.get("anthropic/claude-opus-5")?.legacy).toBe(true);
    const embeddings = [
      "openai/text-embedding-3-small",
      "openai/text-embedding-3-large",
      "mistral/mistral-embed",
      "together/BAAI/bge-base-en-v1.5",
      "ollama/nomic-embed-text",
    ];
    for (const ref of embeddings) {
      const entry = byRef.get(ref);
      expect(entry?.type, ref).toBe("embedding");
      expect(entry?.dimensions, ref).toBeGreaterThan(0);
    }
    expect(byRef.get("openai/text-embedding-3-small")?.dimensions).toBe(1536);
    expect(byRef.get("openai/text-embedding-3-large")?.dimensions).toBe(3072);
    expect(entries.filter((m) => m.type === "chat" && m.dimensions !== undefined)).toEqual([]);
  });

  it("holds the long-context tiers, cache writes and service tiers the providers publish", () => {
    const sol = byRef.get("openai/gpt-6.1-sol")?.pricing;
    expect(sol?.tiers).toEqual([
      { above_input_tokens: 272_000, input: 4, output: 15, cached_input: 0.2, cache_write: { "5m": 5, "1h": 5 } },
    ]);
    expect(sol?.service_tiers).toEqual({ flex: 0.5, batch: 0.5, priority: 2 });
    const haiku = byRef.get("anthropic/claude-haiku-5-5")?.pricing;
    expect(haiku?.cache_write).toEqual({ "5m": 0.125, "1h": 0.2 });
    expect(haiku?.tiers[0]?.above_input_tokens).toBe(100_000);
    // Anthropic's 1-hour writes are 2x input, the 5-minute ones 1.25x, on every current model.
    const anthropic = entries.filter((m) => m.provider === "anthropic");
    for (const m of anthropic) {
      expect(m.pricing.cache_write?.["5m"], m.id).toBeCloseTo(m.pricing.input * 1.25, 6);
      expect(m.pricing.cache_write?.["1h"], m.id).toBeCloseTo(m.pricing.input * 2, 6);
    }
  });

  it("rejects tiers out of order, an embedding model without dimensions, and an undated price", () => {
    const { models, fallback } = copies();
    models.models[1].pricing.tiers.push({ above_input_tokens: 1000, input: 1, output: 1 });
    expect(failureOf(models, fallback)).toContain(
      "models.1.pricing.tiers.1.above_input_tokens: tier thresholds must ascend",
    );
    const second = copies();
    const embed = second.models.models.findIndex((m: Raw) => m.id === "mistral-embed");
    delete second.models.models[embed].dimensions;
    expect(failureOf(second.models, second.fallback)).toContain(
      `models.${embed}.dimensions: an embedding model needs dimensions`,
    );
    const third = copies();
    delete third.models.models[0].pricing.effective_from;
    expect(failureOf(third.models, third.fallback)).toContain("configs/models.yml: models.0.pricing.effective_from");
  });

  it("refuses an embedding model in a chat chain", () => {
    const { models, fallback } = copies();
    fallback.chains.SIMPLE_TASKS.models[0] = "openai/text-embedding-3-small";
    expect(failureOf(models, fallback)).toContain(
      'chains.SIMPLE_TASKS.models.0: "openai/text-embedding-3-small" is an embedding model, not a chat model',
    );
  });
});
