// The model registry in memory: lookup by provider/model, id or alias, and the resolution of the `model` field.
import { PROVIDER_IDS, type ProviderId } from "../config/names.ts";
import type { ModelEntry } from "../config/schema.ts";

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
  readonly #byName = new Map<string, ModelEntry>();
  readonly #byProviderName = new Map<string, ModelEntry>();

  constructor(entries: readonly ModelEntry[]) {
    this.entries = entries;
    for (const entry of entries) {
      for (const name of [entry.id, ...entry.aliases]) {
        if (!this.#byName.has(name)) this.#byName.set(name, entry);
        this.#byProviderName.set(`${entry.provider}/${name}`, entry);
      }
    }
  }

  /** Adds models found at run time (Ollama's installed list); listed entries win over discovered ones. */
  withDiscovered(discovered: readonly ModelEntry[]): ModelRegistry {
    const fresh = discovered.filter((d) => !this.#byProviderName.has(`${d.provider}/${d.id}`));
    return fresh.length === 0 ? this : new ModelRegistry([...this.entries, ...fresh]);
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
