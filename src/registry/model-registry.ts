// The model registry in memory: lookup by provider/model, id or alias, and the resolution of the `model` field.
import { PROVIDER_IDS, type ProviderId } from "../config/names.ts";
import type { ModelEntry } from "../config/schema.ts";
import { claimedNames, localModelName, servingTag } from "./ollama-tags.ts";

/** A model a call can go to. `entry` is null for a model the registry does not list (priced as unknown). */
export interface ModelRef {
  provider: ProviderId;
  /** Registry id, or the caller's name for an unlisted model; `<id>@<deployment>` for one host of a deployed model. */
  id: string;
  upstreamId: string;
  entry: ModelEntry | null;
  /** One host of a model with `deployments`: its name and the env variable holding its base URL (if another). */
  deployment?: { name: string; base_url_env: string | null };
}

export class ModelRegistry {
  readonly entries: readonly ModelEntry[];
  /** The entries of `entries` found at run time (Ollama's installed models the registry does not list). */
  readonly discovered: readonly ModelEntry[];
  readonly #byName = new Map<string, ModelEntry>();
  readonly #byProviderName = new Map<string, ModelEntry>();

  constructor(entries: readonly ModelEntry[], discovered: readonly ModelEntry[] = []) {
    this.entries = entries;
    this.discovered = discovered;
    for (const entry of entries) {
      for (const name of [entry.id, ...entry.aliases]) {
        if (!this.#byName.has(name)) this.#byName.set(name, entry);
        this.#byProviderName.set(`${entry.provider}/${name}`, entry);
      }
    }
  }

  /**
   * The registry as Ollama's installed list (one discovered entry per installed name) makes it: a listed Ollama entry
   * installed only under another of its tags is called by that tag, and the names no listed entry takes join as
   * entries of their own. Listed entries win over discovered ones.
   */
  withDiscovered(discovered: readonly ModelEntry[]): ModelRegistry {
    const installed = new Set(discovered.map((d) => localModelName(d.id)));
    const claimed = claimedNames(this.entries);
    const adopted = new Set<string>();
    const entries = this.entries.map((entry) => {
      if (entry.provider !== "ollama") return entry;
      const tag = servingTag(entry, installed, claimed);
      if (tag === null || tag === (entry.upstream_id ?? entry.id)) return entry;
      if (!claimed.has(tag)) adopted.add(tag);
      // Its id under another tag (`llama3.2:1b`) becomes one of its names, so asking for that tag finds it.
      const aliases = entry.aliases.includes(tag) ? entry.aliases : [...entry.aliases, tag];
      return { ...entry, upstream_id: tag, aliases };
    });
    const fresh = discovered.filter((d) => !claimed.has(localModelName(d.id)) && !adopted.has(localModelName(d.id)));
    if (fresh.length === 0 && entries.every((e, i) => e === this.entries[i])) return this;
    return new ModelRegistry([...entries, ...fresh], fresh);
  }

  find(provider: ProviderId, name: string): ModelEntry | undefined {
    return this.#byProviderName.get(`${provider}/${name}`);
  }

  /**
   * Resolves `provider/model`, a registry id or an alias. A name after a known provider prefix that the registry
   * does not list is still a target (unlisted, priced as unknown). Returns null when nothing matches.
   */
  resolve(name: string): ModelRef | null {
    const slash = name.indexOf("/");
    if (slash > 0) {
      const prefix = name.slice(0, slash);
      if (isProviderId(prefix)) {
        const rest = name.slice(slash + 1);
        if (rest === "") return null;
        const entry = this.find(prefix, rest);
        if (entry) return refOf(entry);
        // A registry id or alias that itself begins with a provider's name (Together's `openai/gpt-oss-120b`,
        // `together/Tev1-4B-experimental`) is that model, not an unlisted one on the provider its prefix names.
        const listed = this.#byName.get(name);
        return listed ? refOf(listed) : { provider: prefix, id: rest, upstreamId: rest, entry: null };
      }
    }
    const entry = this.#byName.get(name);
    return entry ? refOf(entry) : null;
  }
}

export function refOf(entry: ModelEntry): ModelRef {
  return { provider: entry.provider, id: entry.id, upstreamId: entry.upstream_id ?? entry.id, entry };
}

export function isProviderId(value: string): value is ProviderId {
  return (PROVIDER_IDS as readonly string[]).includes(value);
}
