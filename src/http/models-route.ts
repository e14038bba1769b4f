// GET /v1/models: the registry in OpenAI's list shape, with provider, type, the full price book (tiers, cache writes
// and reads, service tiers, date and source), window, capabilities, availability, and what the last health sweep's
// model listings said (`listed`, `unpriced`) and which prices are older than price_book.max_price_age_days.
import type { Context } from "hono";
import { CONFIG } from "../config/index.ts";
import type { ModelEntry, ProviderId } from "../config/schema.ts";
import { adapterFor } from "../providers/index.ts";
import { type ListingReport, listedIn, priceAge } from "../registry/listing.ts";
import { type ModelRef, refOf } from "../registry/model-registry.ts";
import { installedOnOllama } from "../stats/local-models.ts";
import { asOf, modelKey, type StatsSnapshot } from "../stats/snapshot.ts";
import { statsStub } from "../stats/stats-cache.ts";
import type { AppEnv } from "./app-env.ts";
import { HttpError } from "./errors.ts";

/** A fixed `created` for registry entries: they are configuration, not uploads (OpenAI requires the field). */
const CREATED = 1_700_000_000;

/** The sweep's last listing reports; none (and no error) when the stats object is absent or fails: `listed` is null. */
export async function listingReports(env: AppEnv["Bindings"]): Promise<Map<ProviderId, ListingReport>> {
  const stub = statsStub(env);
  if (stub === null) return new Map();
  const reports = (await stub.listings().catch((err: unknown) => {
    console.error("listing reports unavailable", err instanceof Error ? err.message : err);
    return [];
  })) as ListingReport[];
  return new Map(reports.map((r) => [r.provider, r]));
}

export function pricingView(m: ModelEntry, now: number) {
  const p = m.pricing;
  const age = priceAge(m, now, CONFIG.fallback.price_book.max_price_age_days);
  return {
    input: p.input,
    output: p.output,
    cached_input: p.cached_input,
    /** The same price as cached_input, under the name the price book uses. */
    cache_read: p.cached_input,
    cache_write: p.cache_write ?? null,
    tiers: p.tiers.map((t) => ({
      above_input_tokens: t.above_input_tokens,
      input: t.input,
      output: t.output,
      cached_input: t.cached_input,
      cache_write: t.cache_write ?? null,
    })),
    service_tiers: p.service_tiers,
    effective_from: p.effective_from,
    source: p.source,
    age_days: age.age_days,
    stale: age.stale,
  };
}

/**
 * Configured and healthy: the provider has its key (or URL), and the live stats do not show it down, misconfigured
 * or with an open circuit, nor this model's circuit open (no live data: healthy); an Ollama model must also be
 * installed on the server, as the planner requires.
 */
export function availableIn(ref: ModelRef, env: AppEnv["Bindings"], stats: StatsSnapshot): boolean {
  if (!adapterFor(ref.provider).configured(env)) return false;
  const p = stats.providers[ref.provider];
  if (p !== undefined && (p.status === "down" || p.misconfigured || p.circuit === "open")) return false;
  if (ref.provider === "ollama" && !installedOnOllama(ref, stats)) return false;
  return stats.models[modelKey(ref.provider, ref.id)]?.circuit !== "open";
}

/** One registry entry as GET /v1/models shows it. */
function modelView(
  m: ModelEntry,
  now: number,
  env: AppEnv["Bindings"],
  reports: Map<ProviderId, ListingReport>,
  stats: StatsSnapshot,
) {
  return {
    id: `${m.provider}/${m.id}`,
    object: "model",
    created: CREATED,
    owned_by: m.provider,
    provider: m.provider,
    name: m.name,
    model: m.id,
    type: m.type,
    ...(m.dimensions !== undefined ? { dimensions: m.dimensions } : {}),
    aliases: m.aliases,
    pricing: pricingView(m, now),
    context_window: m.context_window,
    max_output: m.max_output,
    capabilities: m.capabilities,
    quality: m.quality,
    legacy: m.legacy,
    available: availableIn(refOf(m), env, stats),
    /** In the provider's last listing (health sweep): true, false (delisted), or null (not listed yet / unknown). */
    listed: listedIn(m, reports.get(m.provider)),
  };
}

/**
 * GET /v1/models/{id} (the openai client's models.retrieve): one entry, by `provider/model`, registry id or alias,
 * its slash sent as it is or percent-encoded; 404 `model_not_found` for a name the registry does not list.
 */
export async function retrieveModel(c: Context<AppEnv>): Promise<Response> {
  const raw = new URL(c.req.url).pathname.slice("/v1/models/".length);
  let name: string;
  try {
    name = decodeURIComponent(raw);
  } catch {
    name = raw;
  }
  const entry = name === "" ? null : (c.get("registry").resolve(name)?.entry ?? null);
  if (entry === null)
    throw new HttpError(404, `The model '${name.slice(0, 256)}' is not in the registry (GET /v1/models lists them).`, {
      param: "model",
      code: "model_not_found",
    });
  const now = c.get("app").deps.now();
  const view = modelView(entry, now, c.env, await listingReports(c.env), asOf(c.get("stats"), now));
  return c.json(anthropicClient(c) ? anthropicView(view) : view);
}

/** Only Anthropic's clients send `anthropic-version`: they read Anthropic's ModelInfo and list. */
const anthropicClient = (c: Context<AppEnv>): boolean => c.req.header("anthropic-version") !== undefined;

/**
 * An entry in Anthropic's ModelInfo shape ({type: "model", id, display_name, created_at}), the gateway's fields kept
 * beside it; the registry's chat/embedding type is `model_type` there.
 */
function anthropicView(view: ReturnType<typeof modelView>) {
  return {
    ...view,
    type: "model",
    model_type: view.type,
    display_name: view.name,
    created_at: new Date(view.created * 1000).toISOString(),
  };
}

export async function listModels(c: Context<AppEnv>): Promise<Response> {
  const registry = c.get("registry");
  const now = c.get("app").deps.now();
  const reports = await listingReports(c.env);
  const stats = asOf(c.get("stats"), now);
  const data = registry.entries.map((m) => modelView(m, now, c.env, reports, stats));
  const stale = data.filter((d) => d.pricing.stale).map((d) => d.id);
  const anthropic = anthropicClient(c);
  return c.json({
    object: "list",
    data: anthropic ? data.map(anthropicView) : data,
    // Anthropic's list: one page holds every entry.
    ...(anthropic ? { has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null } : {}),
    /** Models the providers list that the registry does not price, per provider, as of the sweep that saw them. */
    unpriced: [...reports.values()]
      .filter((r) => r.unpriced.length > 0)
      .map((r) => ({ provider: r.provider, listed_at: new Date(r.at).toISOString(), models: r.unpriced })),
    price_book: {
      max_price_age_days: CONFIG.fallback.price_book.max_price_age_days,
      stale,
      delisted: data.filter((d) => d.listed === false).map((d) => d.id),
      listings: [...reports.values()].map((r) => ({
        provider: r.provider,
        listed_at: new Date(r.at).toISOString(),
        listed: r.listed,
        complete: r.complete,
      })),
    },
  });
}
