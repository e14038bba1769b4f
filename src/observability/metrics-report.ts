// GET /metrics: the stats object's aggregated series, and gauges read at scrape time (circuits from the live stats,
// budget spend and rate-limit use from each budgeted or limited workspace's Durable Object, and its limited keys').
import type { Env } from "../env.ts";
import { directoryOf } from "../keys/governance-directory.ts";
import type { KeyRecord } from "../keys/key-record.ts";
import { budgetStub, workspaceScope } from "../ledger/budget-gate.ts";
import type { LimitVerdict } from "../ledger/rate-window.ts";
import type { StatsSnapshot } from "../stats/snapshot.ts";
import { statsStub } from "../stats/stats-cache.ts";
import { type Gauge, type MetricIncrement, renderPrometheus, type Series } from "./metrics.ts";

/** At most this many workspaces' budgets and limits are read per scrape (in parallel; the rest are left out). */
export const MAX_SCRAPED_WORKSPACES = 200;
/** At most this many rate-limited keys' use is read per scrape (one call per workspace for all of its keys). */
export const MAX_SCRAPED_KEYS = 1000;
/** A workspace object slower than this is left out of the scrape (its gauges are absent, not stale). */
const READ_TIMEOUT_MS = 2000;

/** The exposition text. `pending` is this isolate's not-yet-written increments, flushed first so they are counted. */
export async function metricsText(env: Env, now: number, pending: MetricIncrement[]): Promise<string> {
  const stats = statsStub(env);
  let series: Series[] = [];
  let dropped = 0;
  let snapshot: StatsSnapshot | null = null;
  if (stats !== null) {
    if (pending.length > 0) await stats.recordMetrics(pending);
    const report = (await stats.metricsReport()) as { series: Series[]; dropped: number; snapshot: StatsSnapshot };
    series = report.series;
    dropped = report.dropped;
    snapshot = report.snapshot;
  }
  const gauges = [...circuitGauges(snapshot), ...(await workspaceGauges(env, now))];
  return renderPrometheus(series, gauges, dropped);
}

const STATES = ["closed", "open", "half_open"] as const;

function circuitGauges(snapshot: StatsSnapshot | null): Gauge[] {
  const providers: Gauge = {
    name: "switchyard_provider_circuit_state",
    help: "1 for the circuit state each provider is in (closed, open, half_open), 0 for the others.",
    samples: [],
  };
  const models: Gauge = {
    name: "switchyard_model_circuit_state",
    help: "1 for the circuit state each provider/model is in (closed, open, half_open), 0 for the others.",
    samples: [],
  };
  const up: Gauge = {
    name: "switchyard_provider_up",
    help: "1 when the provider is healthy or degraded, 0 when down or unconfigured (live stats).",
    samples: [],
  };
  for (const p of Object.values(snapshot?.providers ?? {})) {
    if (p === undefined) continue;
    for (const state of STATES)
      providers.samples.push({ labels: { provider: p.provider, state }, value: p.circuit === state ? 1 : 0 });
    up.samples.push({
      labels: { provider: p.provider },
      value: p.status === "healthy" || p.status === "degraded" ? 1 : 0,
    });
  }
  for (const m of Object.values(snapshot?.models ?? {})) {
    if (m === undefined) continue;
    for (const state of STATES)
      models.samples.push({
        labels: { provider: m.provider, model: m.model, state },
        value: m.circuit === state ? 1 : 0,
      });
  }
  return [providers, models, up];
}

async function workspaceGauges(env: Env, now: number): Promise<Gauge[]> {
  const spent: Gauge = {
    name: "switchyard_budget_spent_usd",
    help: "Spend in the workspace's current budget period (settled requests).",
    samples: [],
  };
  const reserved: Gauge = {
    name: "switchyard_budget_reserved_usd",
    help: "Held by the workspace's requests in flight (their worst case until they settle).",
    samples: [],
  };
  const limit: Gauge = { name: "switchyard_budget_limit_usd", help: "The workspace's budget limit.", samples: [] };
  const used: Gauge = {
    name: "switchyard_budget_used_ratio",
    help: "(spent + reserved) / limit for the current period.",
    samples: [],
  };
  const rate: Gauge = {
    name: "switchyard_rate_limit_used",
    help: "Requests or tokens counted in the workspace's last minute, by dimension.",
    samples: [],
  };
  const rateLimit: Gauge = {
    name: "switchyard_rate_limit_limit",
    help: "The workspace's per-minute limit, by dimension (requests, tokens).",
    samples: [],
  };
  // A key's own limits, counted in its workspace's object: labelled by the key's id, never the key.
  const keyRate: Gauge = {
    name: "switchyard_key_rate_limit_used",
    help: "Requests or tokens counted against a gateway key's own limit in its last minute, by key id and dimension.",
    samples: [],
  };
  const keyRateLimit: Gauge = {
    name: "switchyard_key_rate_limit_limit",
    help: "A gateway key's own per-minute limit, by key id and dimension (requests, tokens).",
    samples: [],
  };
  const gauges = [spent, reserved, limit, used, rate, rateLimit, keyRate, keyRateLimit];
  if (env.GOVERNANCE === undefined || env.BUDGETS === undefined) return gauges;
  const directory = await directoryOf(env).snapshot();
  const limitedKeys = new Map<string, KeyRecord[]>();
  for (const key of directory.keys
    .filter((k) => k.rpm_limit !== null || (k.tpm_limit ?? null) !== null)
    .sort((a, b) => a.id.localeCompare(b.id))
    .slice(0, MAX_SCRAPED_KEYS))
    limitedKeys.set(key.workspace_id, [...(limitedKeys.get(key.workspace_id) ?? []), key]);
  const ids = new Set<string>([
    ...directory.budgets.map((b) => b.workspace_id),
    ...(directory.limits ?? []).map((l) => l.workspace_id),
    ...limitedKeys.keys(),
  ]);
  const workspaces = [...ids].sort().slice(0, MAX_SCRAPED_WORKSPACES);
  await Promise.all(
    workspaces.map(async (workspace) => {
      const stub = budgetStub(env, workspaceScope(workspace));
      const keys = limitedKeys.get(workspace) ?? [];
      const asks = keys.map((k) => ({ key_id: k.id, rpm_limit: k.rpm_limit, tpm_limit: k.tpm_limit ?? null }));
      try {
        const [status, use, keyUse] = await withTimeout(
          Promise.all([stub.status(now), stub.limitUse(now), asks.length === 0 ? [] : stub.keyLimitUse(now, asks)]),
        );
        if (status !== null) {
          const labels = { workspace, period: status.config.period };
          const limitPico = status.config.limit_pico;
          spent.samples.push({ labels, value: status.spent_pico / 1e12 });
          reserved.samples.push({ labels, value: status.reserved_pico / 1e12 });
          limit.samples.push({ labels, value: limitPico / 1e12 });
          used.samples.push({
            labels,
            value: limitPico > 0 ? (status.spent_pico + status.reserved_pico) / limitPico : 0,
          });
        }
        limitSamples(rate, rateLimit, { workspace }, use);
        keys.forEach((key, i) => {
          limitSamples(keyRate, keyRateLimit, { workspace, key_id: key.id }, keyUse[i] ?? null);
        });
      } catch (err) {
        console.warn(`metrics: workspace ${workspace} left out:`, err instanceof Error ? err.message : String(err));
      }
    }),
  );
  return gauges;
}

/** One sample per limited dimension (requests, tokens) of `use`: what was used, and the limit. */
function limitSamples(used: Gauge, limit: Gauge, labels: Record<string, string>, use: LimitVerdict | null): void {
  for (const [dimension, u] of [
    ["requests", use?.requests ?? null],
    ["tokens", use?.tokens ?? null],
  ] as const) {
    if (u === null) continue;
    used.samples.push({ labels: { ...labels, dimension }, value: u.used });
    limit.samples.push({ labels: { ...labels, dimension }, value: u.limit });
  }
}

function withTimeout<T>(p: Promise<T>): Promise<T> {
  return Promise.race([
    p,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timed out")), READ_TIMEOUT_MS)),
  ]);
}
