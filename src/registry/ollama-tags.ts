// Which installed Ollama tag serves a registry entry. Ollama answers only to the tags it has pulled: after
// `ollama pull llama3.2:3b` alone, `llama3.2` (that is, `llama3.2:latest`) is a 404, so an entry is called by the tag.
import type { ModelEntry } from "../config/schema.ts";

/** `llama3:latest` is what `llama3` means to Ollama: the tag is dropped so it matches the listed entry. */
export function localModelName(tag: string): string {
  return tag.endsWith(":latest") ? tag.slice(0, -":latest".length) : tag;
}

/** The names an entry answers to on Ollama (without `:latest`), the one it is called by first. */
export function ollamaNamesOf(entry: Pick<ModelEntry, "id" | "upstream_id" | "aliases">): string[] {
  return [...new Set([entry.upstream_id ?? entry.id, entry.id, ...entry.aliases].map(localModelName))];
}

/**
 * The installed tag an entry is called by, or null when none is installed: one of its own names (the one it is
 * called by first, then its aliases in order), else its id under another tag (`llama3.2:1b` for `llama3.2`) that
 * no entry names. `installed` holds names without `:latest`; `claimed`, every name the registry's Ollama entries have.
 */
export function servingTag(
  entry: ModelEntry,
  installed: ReadonlySet<string>,
  claimed: ReadonlySet<string>,
): string | null {
  const own = ollamaNamesOf(entry).find((name) => installed.has(name));
  if (own !== undefined) return own;
  // An id that is itself a tag (`gemma3:1b`) names one build: another tag of its base is another model.
  if (entry.id.includes(":")) return null;
  for (const name of installed) if (name.startsWith(`${entry.id}:`) && !claimed.has(name)) return name;
  return null;
}

/** Every name the Ollama entries of `entries` answer to: a tag one of them names is not another's. */
export function claimedNames(entries: readonly ModelEntry[]): Set<string> {
  return new Set(entries.filter((e) => e.provider === "ollama").flatMap(ollamaNamesOf));
}
