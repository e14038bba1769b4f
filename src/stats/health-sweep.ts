// The cron health sweep: probes every configured provider with a free call (a model listing), never a completion.
import * as z from "zod/mini";
import { CONFIG } from "../config/index.ts";
import { PROVIDER_IDS, type ProviderId } from "../config/names.ts";
import { ProviderError } from "../core/errors.ts";
import type { Env } from "../env.ts";
import { adapterFor, SPEC_LIST } from "../providers/index.ts";
import { keyPoolOf } from "../providers/key-pool.ts";
import { compareListing, type ListingReport, listingIds } from "../registry/listing.ts";
import { ModelRegistry } from "../registry/model-registry.ts";
import { claimedNames, localModelName } from "../registry/ollama-tags.ts";
import type { ProbeResult } from "./health.ts";
import { type KeyEvent, keyStatsKey } from "./key-health.ts";
import { nameShowsType } from "./local-models.ts";
import { type StatsCache, statsStub } from "./stats-cache.ts";

/** The configured registry, which every provider's listing is compared with (Ollama's also adds to it). */
const REGISTRY = new ModelRegistry(CONFIG.models.models);
/** The names the registry's Ollama entries answer to: an installed model of one of these is known whatever it is. */
const LISTED_LOCAL = claimedNames(REGISTRY.entries);

/** Ollama's /api/tags: the names, and each model's family (an encoder family is an embedding model). */
const TagsSchema = z.object({
  models: z.array(
    z.object({
      name: z.string().check(z.minLength(1)),
      details: z.optional(z.object({ family: z.optional(z.string()) })),
    }),
  ),
});

export interface SweepDeps {
  fetch: typeof fetch;
  now: () => number;
  /** How long a listing may take before the probe counts as failed. */
  timeoutMs: number;
}

export interface SweepReport {
  probed: ProviderId[];
  results: ProbeResult[];
  ollamaModels: string[] | null;
  /** Each provider's listing compared with the registry: delisted and unpriced models (Ollama's: not installed). */
  listings: ListingReport[];
}

/** Probes each configured provider in parallel and records the results (and Ollama's installed models) in the stats object. */
export async function healthSweep(env: Env, cache: StatsCache, deps: SweepDeps): Promise<SweepReport> {
  const configured = PROVIDER_IDS.filter((p) => adapterFor(p).configured(env));
  let ollamaModels: string[] | null = null;
  const listings: ListingReport[] = [];
  // A pooled provider is probed with a key not refused: one bad key of a pool is that key's trouble, not the provider's.
  const before = await cache.refresh(env).catch(() => null);
  const results = await Promise.all(
    configured.map(async (provider) => {
      const probed = await probe(provider, probeEnv(provider, env, before?.keys ?? {}), deps);
      if (provider === "ollama" && probed.body !== null) ollamaModels = probed.body;
      if (probed.listing !== null) listings.push(compareListing(REGISTRY, provider, probed.listing, probed.result.at));
      return probed.result;
    }),
  );
  const snapshot = await cache.recordProbes(env, results, ollamaModels);
  // A pooled key refused with 401 stays out until a probe with it succeeds here.
  const cleared = await clearRefusedKeys(env, snapshot?.keys ?? {}, deps);
  if (cleared.length > 0)
    await cache
      .recordKeysNow(env, cleared)
      .catch((err: unknown) => console.error("key clearances not stored", err instanceof Error ? err.message : err));
  // The price book's staleness report: never allowed to fail the sweep (the probes above are what health needs).
  if (listings.length > 0) {
    await statsStub(env)
      ?.recordListings(listings)
      .catch((err: unknown) => console.error("listing report not stored", err instanceof Error ? err.message : err));
  }
  return { probed: configured, results, ollamaModels, listings };
}

/** The env a provider is probed with: for a key pool, one whose first key is not refused (when there is one). */
function probeEnv(provider: ProviderId, env: Env, keys: Record<string, { refused_at: number | null }>): Env {
  const spec = SPEC_LIST.find((s) => s.id === provider);
  if (spec === undefined || spec.requires !== "key" || spec.env.key === undefined) return env;
  const pool = keyPoolOf(spec, env);
  if (pool.length < 2) return env;
  const usable = pool.find((k) => keys[keyStatsKey(provider, k.id)]?.refused_at == null);
  return usable === undefined || usable === pool[0] ? env : { ...env, [spec.env.key]: usable.key };
}

/** Probes each refused key of each key pool with the free listing; the ones that answer are cleared. */
async function clearRefusedKeys(
  env: Env,
  keys: Record<string, { refused_at: number | null }>,
  deps: SweepDeps,
): Promise<KeyEvent[]> {
  const out: KeyEvent[] = [];
  const probes: Promise<void>[] = [];
  for (const spec of SPEC_LIST) {
    if (spec.requires !== "key" || spec.env.key === undefined || !adapterFor(spec.id).configured(env)) continue;
    const pool = keyPoolOf(spec, env);
    if (pool.length < 2) continue;
    for (const key of pool) {
      if (keys[keyStatsKey(spec.id, key.id)]?.refused_at == null) continue;
      // The adapters send the first key of apiKeysOf(): the single-key variable, so this env sends this key (and
      // still names the whole list, so redaction knows every key).
      const pinned = { ...env, [spec.env.key]: key.key };
      probes.push(
        (async () => {
          const { url, headers } = adapterFor(spec.id).probeRequest(pinned);
          const at = deps.now();
          try {
            const res = await deps.fetch(url, { method: "GET", headers, signal: AbortSignal.timeout(deps.timeoutMs) });
            await res.body?.cancel().catch(() => undefined);
            if (res.ok)
              out.push({
                provider: spec.id,
                key_id: key.id,
                at,
                outcome: "cleared",
                http_status: res.status,
                cooldown_until: null,
                error: null,
              });
          } catch {
            // Unreachable: the key stays out until a sweep reaches the provider.
          }
        })(),
      );
    }
  }
  await Promise.all(probes);
  return out;
}

async function probe(
  provider: ProviderId,
  env: Env,
  deps: SweepDeps,
): Promise<{ result: ProbeResult; body: string[] | null; listing: { ids: string[]; complete: boolean } | null }> {
  const adapter = adapterFor(provider);
  const { url, headers } = adapter.probeRequest(env);
  const at = deps.now();
  const done = (ok: boolean, kind: ProbeResult["kind"], error: string | null): ProbeResult => ({
    provider,
    at,
    ok,
    kind,
    latency_ms: deps.now() - at,
    error,
  });
  try {
    const response = await deps.fetch(url, { method: "GET", headers, signal: AbortSignal.timeout(deps.timeoutMs) });
    const text = await response.text();
    if (!response.ok) {
      const err = adapter.parseError(response.status, response.headers, text, deps.now(), env);
      return { result: done(false, err.kind, `probe: ${err.message}`), body: null, listing: null };
    }
    // A hosted provider's listing is read for the price book; an answer that is not a list is still a live provider.
    if (provider !== "ollama")
      return { result: done(true, null, null), body: null, listing: listingIds(safeJson(text)) };
    const tags = TagsSchema.safeParse(safeJson(text));
    if (!tags.success)
      return {
        result: done(false, "malformed", "probe: /api/tags answer was not a model list"),
        body: null,
        listing: null,
      };
    const installed = tags.data.models.map((m) => ({ name: localModelName(m.name), family: m.details?.family }));
    // The registry learns only from the discovered list, so a model its name would misclassify stays out of it
    // (src/stats/local-models.ts); the listing compared with the registry is everything installed.
    const discoverable = installed.filter(({ name, family }) => LISTED_LOCAL.has(name) || nameShowsType(name, family));
    return {
      result: done(true, null, null),
      body: [...new Set(discoverable.map((m) => m.name))],
      listing: { ids: [...new Set(installed.map((m) => m.name))], complete: true },
    };
  } catch (err) {
    if (err instanceof ProviderError)
      return { result: done(false, err.kind, `probe: ${err.message}`), body: null, listing: null };
    const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
    const message = err instanceof Error ? err.message : String(err);
    return {
      result: done(
        false,
        timedOut ? "timeout" : "network",
        `probe: ${provider} ${timedOut ? `did not answer within ${deps.timeoutMs} ms` : `could not be reached: ${message}`}`,
      ),
      body: null,
      listing: null,
    };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
