// The cron health sweep: probes every configured provider with a free call (a model listing), never a completion.
import * as z from "zod";
import { CONFIG } from "../config/index.ts";
import { PROVIDER_IDS, type ProviderId } from "../config/schema.ts";
import { ProviderError } from "../core/errors.ts";
import type { Env } from "../env.ts";
import { adapterFor } from "../providers/index.ts";
import { compareListing, type ListingReport, listingIds } from "../registry/listing.ts";
import { ModelRegistry } from "../registry/model-registry.ts";
import type { ProbeResult } from "./health.ts";
import { localModelName } from "./local-models.ts";
import { type StatsCache, statsStub } from "./stats-cache.ts";

/** The configured registry, which the hosted providers' listings are compared with (Ollama's joins it instead). */
const REGISTRY = new ModelRegistry(CONFIG.models.models);

/** Ollama's /api/tags: only the names are read. */
const TagsSchema = z.object({ models: z.array(z.object({ name: z.string().min(1) })) });

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
  /** Each hosted provider's listing compared with the registry: delisted and unpriced models. */
  listings: ListingReport[];
}

/** Probes each configured provider in parallel and records the results (and Ollama's installed models) in the stats object. */
export async function healthSweep(env: Env, cache: StatsCache, deps: SweepDeps): Promise<SweepReport> {
  const configured = PROVIDER_IDS.filter((p) => adapterFor(p).configured(env));
  let ollamaModels: string[] | null = null;
  const listings: ListingReport[] = [];
  const results = await Promise.all(
    configured.map(async (provider) => {
      const probed = await probe(provider, env, deps);
      if (provider === "ollama" && probed.body !== null) ollamaModels = probed.body;
      if (probed.listing !== null) listings.push(compareListing(REGISTRY, provider, probed.listing, probed.result.at));
      return probed.result;
    }),
  );
  await cache.recordProbes(env, results, ollamaModels);
  // The price book's staleness report: never allowed to fail the sweep (the probes above are what health needs).
  if (listings.length > 0) {
    await statsStub(env)
      ?.recordListings(listings)
      .catch((err: unknown) => console.error("listing report not stored", err instanceof Error ? err.message : err));
  }
  return { probed: configured, results, ollamaModels, listings };
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
    return {
      result: done(true, null, null),
      body: [...new Set(tags.data.models.map((m) => localModelName(m.name)))],
      listing: null,
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
