// Which installed Ollama tag serves a registry entry (src/registry/ollama-tags.ts), as the registry, the price book and
// the planner read it. DESIGN.md, Configuration: "the ones the server reports in `/api/tags` join the registry".
import { describe, expect, it } from "vitest";
import { CONFIG } from "../../../src/config/index.ts";
import { compareListing } from "../../../src/registry/listing.ts";
import { ModelRegistry } from "../../../src/registry/model-registry.ts";
import { discoveredEntry } from "../../../src/stats/local-models.ts";
import { live, order, plan, providerStats, reasonFor } from "./fixture.ts";

const REGISTRY = new ModelRegistry(CONFIG.models.models);
/** The registry as the gateway builds it from a sweep's list (src/gateway/services.ts). */
const installed = (...names: string[]) => REGISTRY.withDiscovered(names.map(discoveredEntry));

describe("ModelRegistry.withDiscovered", () => {
  it("calls an entry installed only under an alias by that tag", () => {
    const ref = installed("llama3.2:3b").resolve("ollama/llama3.2");
    expect(ref).toMatchObject({ id: "llama3.2", upstreamId: "llama3.2:3b" });
    expect(installed("mistral:7b").resolve("mistral:7b")?.upstreamId).toBe("mistral:7b");
  });

  it("keeps an entry whose own name is installed as it is", () => {
    const registry = installed("llama3.2", "llama3.2:3b");
    expect(registry.resolve("ollama/llama3.2")?.upstreamId).toBe("llama3.2");
    // Nothing to change and nothing new: the same registry.
    expect(installed("llama3.2", "mistral")).toBe(REGISTRY);
  });

  it("gives an entry its id under another tag as a name, not a second, discovered entry", () => {
    const registry = installed("llama3.2:1b");
    expect(registry.resolve("ollama/llama3.2:1b")).toMatchObject({ id: "llama3.2", upstreamId: "llama3.2:1b" });
    expect(registry.discovered).toEqual([]);
  });

  it("leaves a tag another entry names to that entry (qwen2.5-coder:32b is not qwen2.5-coder)", () => {
    const registry = installed("qwen2.5-coder:32b");
    expect(registry.resolve("ollama/qwen2.5-coder")?.upstreamId).toBe("qwen2.5-coder");
    expect(registry.resolve("ollama/qwen2.5-coder:32b")?.id).toBe("qwen2.5-coder:32b");
  });

  it("adds installed models the registry lacks, an embedding model by its name as an embedding model", () => {
    const registry = installed("phi4-mini", "bge-m3", "qwen3-embedding:0.6b");
    expect(registry.discovered.map((e) => [e.id, e.type])).toEqual([
      ["phi4-mini", "chat"],
      ["bge-m3", "embedding"],
      ["qwen3-embedding:0.6b", "embedding"],
    ]);
  });
});

describe("the price book against Ollama's installed list", () => {
  it("calls a registry model no installed tag serves delisted, and nothing unpriced", () => {
    const report = compareListing(REGISTRY, "ollama", { ids: ["llama3.2:3b", "phi4-mini"], complete: true }, 1);
    expect(report.delisted).toContain("codellama");
    expect(report.delisted).not.toContain("llama3.2");
    expect(report.unpriced).toEqual([]);
    expect(report.listed).toBe(2);
  });
});

describe("the planner's installed filter", () => {
  it("counts a model installed under an alias as installed", () => {
    const p = plan({
      registry: REGISTRY,
      model: "ollama/mistral",
      controls: { fallback: false },
      stats: live({ ollama_models: ["mistral:7b"] }),
    });
    expect(order(p)).toEqual(["ollama/mistral"]);
  });

  it("trusts an empty list the last probe read: nothing is installed", () => {
    const read = live({ ollama_models: [], providers: { ollama: providerStats("ollama", { last_probe_ok: true }) } });
    expect(reasonFor(plan({ stats: read }), "ollama/local")).toBe(
      "not installed on the Ollama server (its last model list is empty)",
    );
    // A stats object that never heard from Ollama has an empty list too: that is not news.
    expect(reasonFor(plan({ stats: live({ ollama_models: [] }) }), "ollama/local")).toBeUndefined();
  });
});
