// Ollama's installed models (from the health sweep): the discovered, local part of the registry, and what is installed.
import type { ModelEntry, ModelType } from "../config/schema.ts";
import type { ModelRef } from "../registry/model-registry.ts";
import { localModelName, ollamaNamesOf } from "../registry/ollama-tags.ts";
import type { StatsSnapshot } from "./snapshot.ts";

/**
 * The model families (`details.family` in /api/tags, llama.cpp's architecture names) that are encoders: a model of
 * one answers /api/embed and never /api/chat.
 */
const EMBEDDING_FAMILIES = new Set(["bert", "nomic-bert", "nomic-bert-moe", "jina-bert-v2", "modern-bert", "neo-bert"]);

/**
 * What a discovered model's name says it is. The name is all the registry keeps of a discovered model, so this is
 * how Ollama's library names its embedding models (`nomic-embed-text`, `qwen3-embedding`, `bge-m3`, `all-minilm`).
 */
function typeByName(name: string): ModelType {
  return /embed|^bge-|^all-minilm|^paraphrase-multilingual/i.test(name) ? "embedding" : "chat";
}

/**
 * Whether the name alone tells what an installed model is, as a discovered entry needs: not for a model of an encoder
 * family under a name that reads as chat. (A chat family proves nothing: `qwen3-embedding` is family qwen3.) The sweep
 * keeps such a model out of the discovered list: better unknown than a chat candidate that answers no chat.
 */
export function nameShowsType(name: string, family: string | undefined): boolean {
  return family === undefined || !EMBEDDING_FAMILIES.has(family) || typeByName(name) === "embedding";
}

/**
 * A model the registry does not list is only known by name, so its entry is conservative: free (it runs locally),
 * Ollama's default 4096-token context, no claimed capabilities (a request needing tools, vision or json never lands
 * on it by accident), a low quality score so `auto` prefers listed models, and the slow end of local latency. An
 * embedding model's vector length is not known. Listed entries win over discovered ones (ModelRegistry.withDiscovered).
 */
export function discoveredEntry(name: string): ModelEntry {
  return {
    id: name,
    provider: "ollama",
    name: `${name} (local, discovered)`,
    type: typeByName(name),
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

/**
 * The models Ollama reported installed at the last sweep (names without `:latest`), or null when that is not known:
 * no live stats, or an empty list Ollama's last probe did not read (a stats object that never heard from it has none).
 * An empty list the last probe read means nothing is installed.
 */
export function installedOllamaModels(stats: StatsSnapshot): ReadonlySet<string> | null {
  if (stats.taken_at === 0) return null;
  if (stats.ollama_models.length === 0 && stats.providers.ollama?.last_probe_ok !== true) return null;
  return new Set(stats.ollama_models.map(localModelName));
}

/**
 * Whether an Ollama model is installed under one of its names (an alias counts: `ollama pull mistral:7b`); true when
 * the installed list is not known. A listed entry installed under its id with another tag has that tag as a name
 * already (ModelRegistry.withDiscovered).
 */
export function installedOnOllama(ref: ModelRef, stats: StatsSnapshot): boolean {
  const installed = installedOllamaModels(stats);
  if (installed === null) return true;
  const names = [
    localModelName(ref.upstreamId),
    ...(ref.entry === null ? [localModelName(ref.id)] : ollamaNamesOf(ref.entry)),
  ];
  return names.some((name) => installed.has(name));
}
