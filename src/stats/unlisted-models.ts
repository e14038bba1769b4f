// Models the registry does not list, as the stats object sees them: a bounded set that evicts the least recently seen.
import type { ProviderId } from "../config/schema.ts";
import type { ModelRegistry } from "../registry/model-registry.ts";
import type { ModelHealth } from "./health.ts";

/**
 * At most this many unlisted models keep health rows. Any caller can name `openai/<anything>`, so the names are
 * unbounded; the rows, and the snapshot every isolate fetches, must not be. Listed models (and the models Ollama
 * reported installed) are never counted or evicted.
 */
export const UNLISTED_MODELS_CAP = 64;

/** Whether a model has a place of its own: listed in the registry (by id or alias), or installed on the Ollama server. */
export function isListed(registry: ModelRegistry, ollama: readonly string[], provider: ProviderId, model: string) {
  if (registry.find(provider, model) !== undefined) return true;
  return provider === "ollama" && (ollama.includes(model) || ollama.includes(`${model}:latest`));
}

/** When a model was last heard of: its last measured call or its newest outcome slot. */
export function lastSeen(m: ModelHealth): number {
  return Math.max(m.last_measured_at ?? 0, m.window[m.window.length - 1]?.start ?? 0);
}

/** Keys of unlisted models, least recently seen first (a Map keeps insertion order; a touch moves a key to the end). */
export class UnlistedModels {
  readonly #order = new Map<string, true>();
  readonly #cap: number;

  constructor(cap: number) {
    this.#cap = cap;
  }

  /** Seeds the set from stored rows, oldest first. */
  static from(cap: number, rows: readonly { key: string; health: ModelHealth }[]): UnlistedModels {
    const set = new UnlistedModels(cap);
    for (const row of [...rows].sort((a, b) => lastSeen(a.health) - lastSeen(b.health))) set.#order.set(row.key, true);
    return set;
  }

  get size(): number {
    return this.#order.size;
  }

  /** Marks a key as just seen; returns the keys that must go to keep the set within its cap (oldest first). */
  touch(key: string): string[] {
    this.#order.delete(key);
    this.#order.set(key, true);
    return this.trim();
  }

  has(key: string): boolean {
    return this.#order.has(key);
  }

  /** Adds a key as the least recently seen (a row that was listed and no longer is); trim() enforces the cap. */
  add(key: string): void {
    if (this.#order.has(key)) return;
    const rest = [...this.#order.keys()];
    this.#order.clear();
    this.#order.set(key, true);
    for (const k of rest) this.#order.set(k, true);
  }

  /** Removes a key (it became listed, or its row was dropped). */
  forget(key: string): void {
    this.#order.delete(key);
  }

  /** The keys over the cap, oldest first, removed from the set. */
  trim(): string[] {
    const evicted: string[] = [];
    for (const key of this.#order.keys()) {
      if (this.#order.size <= this.#cap) break;
      this.#order.delete(key);
      evicted.push(key);
    }
    return evicted;
  }
}
