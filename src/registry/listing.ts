// The price book against the providers' own model listings (the free GET /models the health sweep already makes):
// registry models a provider no longer lists, listed models the registry lacks (unpriced), and prices past their age.
import * as z from "zod/mini";
import { type ProviderId, ProviderIdSchema } from "../config/names.ts";
import type { ModelEntry } from "../config/schema.ts";
import type { ModelRegistry } from "./model-registry.ts";
import { claimedNames, localModelName, servingTag } from "./ollama-tags.ts";

/** At most this many unpriced ids are kept per provider: a listing is the provider's to size, the report is ours. */
export const MAX_UNPRICED = 200;

export interface ListingReport {
  provider: ProviderId;
  /** When the listing was read (ms since the epoch). */
  at: number;
  /** How many models the listing held. */
  listed: number;
  /** False when the provider said there are more pages (Anthropic's has_more): then nothing is called delisted. */
  complete: boolean;
  /**
   * Registry ids (of this provider) whose id, upstream id and aliases are all absent from the listing; for Ollama, the
   * entries no installed tag serves.
   */
  delisted: string[];
  /** Listed ids no registry entry of this provider names: served, but not priced here. */
  unpriced: string[];
}

const id = z.string().check(z.minLength(1), z.maxLength(200));
/** What the stats object accepts from a sweep (it stores reports, so it checks them). */
export const ListingReportSchema = z.object({
  provider: ProviderIdSchema,
  at: z.number().check(z.nonnegative()),
  listed: z.int().check(z.nonnegative()),
  complete: z.boolean(),
  delisted: z.array(id).check(z.maxLength(500)),
  unpriced: z.array(id).check(z.maxLength(MAX_UNPRICED)),
});

interface IdRow {
  id?: unknown;
}

/**
 * Model ids from a provider's listing body: OpenAI, Mistral and Anthropic answer `{data: [{id}]}`, Together a bare
 * array `[{id}]`. Null when the body is neither (the sweep then reports nothing for that provider).
 */
export function listingIds(body: unknown): { ids: string[]; complete: boolean } | null {
  const rows: unknown = Array.isArray(body)
    ? body
    : body !== null && typeof body === "object"
      ? (body as { data?: unknown }).data
      : undefined;
  if (!Array.isArray(rows)) return null;
  const ids = rows
    .map((r: IdRow) => (r !== null && typeof r === "object" && typeof r.id === "string" ? r.id : null))
    .filter((id): id is string => id !== null && id.length > 0 && id.length <= 200);
  const hasMore = !Array.isArray(body) && (body as { has_more?: unknown }).has_more === true;
  return { ids: [...new Set(ids)], complete: !hasMore };
}

/** The names a provider lists a model under: its id and the id it is called by (its aliases are often retired ids). */
function listedNamesOf(entry: ModelEntry): string[] {
  return [entry.id, entry.upstream_id ?? entry.id];
}

/** Every name the registry resolves to the entry: a listed one of them is known, not unpriced. */
function namesOf(entry: ModelEntry): string[] {
  return [...listedNamesOf(entry), ...entry.aliases];
}

/**
 * The names a provider serves registry models under as one of their deployments (an OpenAI model also served by
 * Together): priced by their entry, so not unpriced there. A deployment missing from a listing does not make its
 * model unlisted: it is still listed where it is at home.
 */
function deployedNames(registry: ModelRegistry, provider: ProviderId): string[] {
  const names: string[] = [];
  for (const entry of registry.entries)
    for (const d of entry.deployments ?? [])
      if ((d.provider ?? entry.provider) === provider) names.push(d.upstream_id ?? entry.upstream_id ?? entry.id);
  return names;
}

/** Compares one provider's listing with the registry's entries of that provider. */
export function compareListing(
  registry: ModelRegistry,
  provider: ProviderId,
  listing: { ids: string[]; complete: boolean },
  at: number,
): ListingReport {
  const listed = new Set(listing.ids);
  const entries = registry.entries.filter((e) => e.provider === provider);
  // Ollama's listing is what its server has installed: an entry is there under any tag that serves it, and an
  // installed model the registry lacks joins it at $0 (src/stats/local-models.ts), so nothing is unpriced.
  if (provider === "ollama") {
    const installed = new Set(listing.ids.map(localModelName));
    const claimed = claimedNames(entries);
    const delisted = listing.complete
      ? entries.filter((e) => servingTag(e, installed, claimed) === null).map((e) => e.id)
      : [];
    return { provider, at, listed: installed.size, complete: listing.complete, delisted, unpriced: [] };
  }
  const delisted = listing.complete
    ? entries.filter((e) => !listedNamesOf(e).some((n) => listed.has(n))).map((e) => e.id)
    : [];
  const known = new Set([...entries.flatMap(namesOf), ...deployedNames(registry, provider)]);
  const unpriced = listing.ids
    .filter((id) => !known.has(id))
    .sort()
    .slice(0, MAX_UNPRICED);
  return { provider, at, listed: listed.size, complete: listing.complete, delisted, unpriced };
}

/** How old a price is on `now`, and whether that is past `maxAgeDays`. Local models have no price to go stale. */
export function priceAge(entry: ModelEntry, now: number, maxAgeDays: number): { age_days: number; stale: boolean } {
  const from = Date.parse(`${entry.pricing.effective_from}T00:00:00Z`);
  const age = Math.max(0, Math.floor((now - from) / 86_400_000));
  return { age_days: age, stale: entry.provider !== "ollama" && age > maxAgeDays };
}

/** Whether a registry entry is in a provider's last listing: null when that listing is unknown or incomplete. */
export function listedIn(entry: ModelEntry, report: ListingReport | undefined): boolean | null {
  if (report === undefined) return null;
  if (report.delisted.includes(entry.id)) return false;
  return report.complete ? true : null;
}
