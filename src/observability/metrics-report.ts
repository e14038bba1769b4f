// GET /metrics: the stats object's aggregated series, and gauges read at scrape time (circuits from the live stats,
// budget spend and rate-limit use from each budgeted or limited workspace's Durable Object).
import type { Env } from "../env.ts";
import { directoryOf } from "../keys/governance-directory.ts";
import { budgetStub, workspaceScope } from "../ledger/budget-gate.ts";
import type { StatsSnapshot } from "../stats/snapshot.ts";
import { statsStub } from "../stats/stats-cache.ts";
import { type Gauge, type MetricIncrement, renderPrometheus, type Series } from "./metrics.ts";

/** At most this many workspaces' budgets and limits are read per scrape (in parallel; the rest are left out). */
export const MAX_SCRAPED_WORKSPACES = 200;
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
  const gauges = [spent, reserved, limit, used, rate, rateLimit];
  if (env.GOVERNANCE === undefined || env.BUDGETS === undefined) return gauges;
  const directory = await directoryOf(env).snapshot();
  const ids = new Set<string>([
    ...directory.budgets.map((b) => b.workspace_id),
    ...(directory.limits ?? []).map((l) => l.workspace_id),
  ]);
  const workspaces = [...ids].sort().slice(0, MAX_SCRAPED_WORKSPACES);
  await Promise.all(
    workspaces.map(async (workspace) => {
      const stub = budgetStub(env, workspaceScope(workspace));
      try {
        const [status, use] = await withTimeout(Promise.all([stub.status(now), stub.limitUse(now)]));
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
        for (const [dimension, u] of [
          ["requests", use?.requests ?? null],
          ["tokens", use?.tokens ?? null],
        ] as const) {
          if (u === null) continue;
          rate.samples.push({ labels: { workspace, dimension }, value: u.used });
          rateLimit.samples.push({ labels: { workspace, dimension }, value: u.limit });
        }
      } catch (err) {
        console.warn(`metrics: workspace ${workspace} left out:`, err instanceof Error ? err.message : String(err));
      }
    }),
  );
  return gauges;
}

function withTimeout<T>(p: Promise<T>): Promise<T> {
  return Promise.race([
    p,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timed out")), READ_TIMEOUT_MS)),
  ]);
}
