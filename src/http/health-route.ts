// GET /v1/health/providers: each provider's configuration, status, circuit, success rate, percentiles and last probe.
import type { Context } from "hono";
import { PROVIDER_IDS, type ProviderId } from "../config/schema.ts";
import type { Env } from "../env.ts";
import { adapterFor } from "../providers/index.ts";
import { asOf, type Percentiles, type StatsSnapshot } from "../stats/snapshot.ts";
import type { AppEnv } from "./app-env.ts";

export interface ProviderHealthView {
  provider: ProviderId;
  configured: boolean;
  status: "healthy" | "degraded" | "down" | "unconfigured";
  circuit: "closed" | "open" | "half_open";
  misconfigured: boolean;
  success_rate: number | null;
  latency_ms: Percentiles | null;
  ttft_ms: Percentiles | null;
  last_error: string | null;
  last_probe_at: string | null;
  last_probe_ok: boolean | null;
}

export async function providerHealth(c: Context<AppEnv>): Promise<Response> {
  const { live, deps } = c.get("app");
  // Off the hot path: a fresh read, so the answer is current; if the stats object fails, the cached view is shown.
  let snapshot: StatsSnapshot = c.get("stats");
  if (live) snapshot = await live.cache.refresh(c.env).catch(() => snapshot);
  const now = deps.now();
  const view = asOf(snapshot, now);
  return c.json({
    providers: PROVIDER_IDS.map((p) => viewOf(p, view, c.env)),
    taken_at: view.taken_at === 0 ? null : new Date(view.taken_at).toISOString(),
  });
}

function viewOf(provider: ProviderId, snapshot: StatsSnapshot, env: Env): ProviderHealthView {
  const configured = adapterFor(provider).configured(env);
  const stats = snapshot.providers[provider];
  return {
    provider,
    configured,
    // No measurement yet is no evidence of trouble: a configured provider starts healthy.
    status: configured ? (stats?.status ?? "healthy") : "unconfigured",
    circuit: stats?.circuit ?? "closed",
    misconfigured: stats?.misconfigured ?? false,
    success_rate: stats?.success_rate ?? null,
    latency_ms: stats?.latency_ms ?? null,
    ttft_ms: stats?.ttft_ms ?? null,
    last_error: stats?.last_error ? redact(stats.last_error, env) : null,
    last_probe_at: stats?.last_probe_at ? new Date(stats.last_probe_at).toISOString() : null,
    last_probe_ok: stats?.last_probe_ok ?? null,
  };
}

const SECRET_VARS = [
  "OPENAI_API_KEY",
  "ANTHROPIC_API_KEY",
  "MISTRAL_API_KEY",
  "TOGETHER_API_KEY",
  "OLLAMA_ACCESS_CLIENT_SECRET",
  "OLLAMA_ACCESS_CLIENT_ID",
  "ADMIN_KEY",
] as const;

/** Provider error messages may echo a key (OpenAI's "Incorrect API key provided: sk-...") : none leaves the Worker. */
export function redact(message: string, env: Env): string {
  let out = message;
  for (const name of SECRET_VARS) {
    const value = env[name];
    if (value !== undefined && value.length >= 4) out = out.split(value).join("[redacted]");
  }
  return out.replace(/\b(sk-[A-Za-z0-9_*-]{4,}|sk-ant-[A-Za-z0-9_*-]{4,}|key[_-][A-Za-z0-9_*-]{8,})/g, "[redacted]");
}
