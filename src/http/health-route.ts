// GET /v1/health/providers: each provider's configuration, status, circuit, success rate, percentiles and last probe.
import type { Context } from "hono";
import { CONFIG } from "../config/index.ts";
import type { ProviderId } from "../config/schema.ts";
import { redactorOf, SPEC_LIST } from "../providers/index.ts";
import { keyPoolOf } from "../providers/key-pool.ts";
import { isConfigured, type ProviderSpec } from "../providers/spec.ts";
import { priceAge } from "../registry/listing.ts";
import { type KeyStats, keyStatsKey, withState } from "../stats/key-health.ts";
import { asOf, type Percentiles, type ProviderStats, type StatsSnapshot } from "../stats/snapshot.ts";
import type { AppEnv } from "./app-env.ts";
import { listingReports } from "./models-route.ts";

type NoPercentiles = { p50: null; p95: null };
export interface ProviderHealthView<Id extends string = ProviderId> {
  provider: Id;
  configured: boolean;
  status: "healthy" | "degraded" | "down" | "unconfigured";
  circuit: "closed" | "open" | "half_open";
  misconfigured: boolean;
  success_rate: number | null;
  /** Both percentiles null until the provider has been measured (DESIGN's shape: always `{p50, p95}`). */
  latency_ms: Percentiles | NoPercentiles;
  ttft_ms: Percentiles | NoPercentiles;
  last_error: string | null;
  last_probe_at: string | null;
  last_probe_ok: boolean | null;
  /** A key pool's keys (two or more keys), by masked id: never the key nor any part of it. */
  keys: KeyView[];
}

export interface KeyView {
  id: string;
  weight: number;
  state: "active" | "cooling" | "refused";
  cooldown_until: string | null;
  requests: number;
  failures: number;
  rate_limited: number;
  last_status: number | null;
  last_error: string | null;
  last_used_at: string | null;
}

export async function providerHealth(c: Context<AppEnv>): Promise<Response> {
  const { live, deps } = c.get("app");
  // Off the hot path: a fresh read, so the answer is current; if the stats object fails, the cached view is shown.
  let snapshot: StatsSnapshot = c.get("stats");
  if (live) snapshot = await live.cache.refresh(c.env).catch(() => snapshot);
  const now = deps.now();
  const view = asOf(snapshot, now);
  const reports = await listingReports(c.env);
  const registry = c.get("registry");
  const maxAge = CONFIG.fallback.price_book.max_price_age_days;
  return c.json({
    providers: healthViews(SPEC_LIST, view.providers, c.env, view.keys ?? {}, now).map((p) => {
      const r = reports.get(p.provider);
      const stale = registry.entries.filter((m) => m.provider === p.provider && priceAge(m, now, maxAge).stale);
      // The price book against this provider's last listing: what the dashboard flags.
      return {
        ...p,
        price_book: {
          listed_at: r === undefined ? null : new Date(r.at).toISOString(),
          delisted: r?.delisted ?? [],
          unpriced: r?.unpriced.length ?? 0,
          stale_prices: stale.map((m) => m.id),
        },
      };
    }),
    taken_at: view.taken_at === 0 ? null : new Date(view.taken_at).toISOString(),
  });
}

/** One view per declared provider, in the registry's order; errors redacted with the env's secrets and key shapes. */
export function healthViews<Id extends string>(
  specs: readonly ProviderSpec<Id>[],
  stats: Partial<Record<Id, Omit<ProviderStats, "provider">>>,
  env: object,
  keys: Record<string, KeyStats> = {},
  now = Date.now(),
): ProviderHealthView<Id>[] {
  const redact = redactorOf(env, specs);
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return specs.map((spec) => {
    const configured = isConfigured(spec, env);
    const s = stats[spec.id];
    const pool = spec.requires === "key" ? keyPoolOf(spec, env) : [];
    const keyViews = (pool.length < 2 ? [] : pool).map((k): KeyView => {
      const ks = keys[keyStatsKey(spec.id as ProviderId, k.id)];
      const h = ks === undefined ? null : withState(ks, now);
      return {
        id: k.id,
        weight: k.weight,
        state: h?.state ?? "active",
        cooldown_until: h?.state === "cooling" ? iso(h.cooldown_until) : null,
        requests: h?.requests ?? 0,
        failures: h?.failures ?? 0,
        rate_limited: h?.rate_limited ?? 0,
        last_status: h?.last_status ?? null,
        last_error: h?.last_error ? redact(h.last_error) : null,
        last_used_at: iso(h?.last_used_at ?? null),
      };
    });
    return {
      provider: spec.id,
      configured,
      // No measurement yet is no evidence of trouble: a configured provider starts healthy.
      status: configured ? (s?.status ?? "healthy") : "unconfigured",
      circuit: s?.circuit ?? "closed",
      misconfigured: s?.misconfigured ?? false,
      success_rate: s?.success_rate ?? null,
      latency_ms: s?.latency_ms ?? { p50: null, p95: null },
      ttft_ms: s?.ttft_ms ?? { p50: null, p95: null },
      last_error: s?.last_error ? redact(s.last_error) : null,
      last_probe_at: s?.last_probe_at ? new Date(s.last_probe_at).toISOString() : null,
      last_probe_ok: s?.last_probe_ok ?? null,
      keys: keyViews,
    };
  });
}

/** Provider error messages may echo a key (OpenAI's "Incorrect API key provided: sk-..."): none leaves the Worker. */
export { redact } from "../providers/index.ts";
