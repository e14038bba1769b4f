// Ollama's installed models (from the health sweep) as registry entries: the discovered, local part of the registry.
import type { ModelEntry } from "../config/schema.ts";

/**
 * A model the registry does not list is only known by name, so its entry is conservative: free (it runs locally),
 * Ollama's default 4096-token context, no claimed capabilities (a request needing tools, vision or json never lands
 * on it by accident), a low quality score so `auto` prefers listed models, and the slow end of local latency.
 * Listed entries win over discovered ones (ModelRegistry.withDiscovered).
 */
export function discoveredEntry(name: string): ModelEntry {
  return {
    id: name,
    provider: "ollama",
    name: `${name} (local, discovered)`,
    type: "chat",
    aliases: [],
    pricing: {
      input: 0,
      output: 0,
      cached_input: null,
      tiers: [],
      service_tiers: {},
      effective_from: "2026-01-01",
      source: "local (Ollama): no charge; discovered in the server's /api/tags",
    },
    context_window: 4096,
    max_output: 4096,
    capabilities: [],
    quality: 0.3,
    typical_latency_ms: 15000,
    typical_ttft_ms: 4000,
    legacy: false,
    accepts_prefill: false,
  };
}

/** `llama3:latest` is what `llama3` means to Ollama: the tag is dropped so it matches the listed entry. */
export function localModelName(tag: string): string {
  return tag.endsWith(":latest") ? tag.slice(0, -":latest".length) : tag;
}
