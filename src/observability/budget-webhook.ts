// Budget alerts that reach someone: with BUDGET_ALERT_WEBHOOK_URL set, each alert a workspace's budget owes (its
// BudgetObject leases it, once per workspace, period and event) is POSTed as JSON after the response, signed with
// BUDGET_ALERT_WEBHOOK_SECRET when set (x-switchyard-signature: sha256=<hex HMAC-SHA256 of the body>). A delivery that
// fails or hangs (bounded timeout) is retried by a later request or the cron; it never blocks or fails a request.
import type { Env } from "../env.ts";
import { directoryOf } from "../keys/governance-directory.ts";
import type { BudgetAlert } from "../ledger/budget-alerts.ts";
import { budgetStub, workspaceScope } from "../ledger/budget-gate.ts";
import type { CompletionRecord, RequestSink } from "../ledger/record.ts";
import type { MetricIncrement } from "./metrics.ts";

export interface WebhookEnv {
  BUDGET_ALERT_WEBHOOK_URL?: string;
  BUDGET_ALERT_WEBHOOK_SECRET?: string;
  /** Milliseconds a delivery may take (default 5000, at most 10000). */
  BUDGET_ALERT_WEBHOOK_TIMEOUT_MS?: string;
}

type AlertEnv = Pick<Env, "BUDGETS" | "GOVERNANCE"> & WebhookEnv;

/** At most this many workspaces are checked per cron run. */
const CRON_WORKSPACES = 200;

/** The webhook's URL: null when unset, or when it is no http(s) URL (then nothing is sent, and none is configured). */
export function webhookUrl(env: WebhookEnv): string | null {
  const raw = env.BUDGET_ALERT_WEBHOOK_URL?.trim();
  if (!raw) return null;
  try {
    const url = new URL(raw);
    return url.protocol === "https:" || url.protocol === "http:" ? url.toString() : null;
  } catch {
    return null;
  }
}

function timeoutMs(env: WebhookEnv): number {
  const ms = Number(env.BUDGET_ALERT_WEBHOOK_TIMEOUT_MS ?? 5000);
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, 10_000) : 5000;
}

/** `sha256=` and the hex HMAC-SHA256 of `body` under `secret`. */
export async function signature(secret: string, body: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(body));
  return `sha256=${[...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** One POST; resolves to null when the receiver took it (2xx), else the reason. Never throws. */
async function deliver(
  env: WebhookEnv,
  url: string,
  alert: BudgetAlert,
  fetchFn: typeof fetch,
): Promise<string | null> {
  const body = JSON.stringify(alert);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "switchyard-budget-alerts",
    "x-switchyard-event": alert.event,
  };
  const secret = env.BUDGET_ALERT_WEBHOOK_SECRET;
  if (secret !== undefined && secret !== "") headers["x-switchyard-signature"] = await signature(secret, body);
  try {
    const res = await fetchFn(url, { method: "POST", headers, body, signal: AbortSignal.timeout(timeoutMs(env)) });
    await res.body?.cancel();
    return res.ok ? null : `HTTP ${res.status}`;
  } catch (err) {
    return err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 200) : "failed";
  }
}

/**
 * Delivers what a workspace's budget owes now. Returns the metric increments of what happened (sent, failed).
 * Without a webhook URL nothing is claimed (alerts stay owed until one is set: the dashboard still lists none sent).
 */
export async function deliverOwed(
  env: AlertEnv,
  workspaceId: string,
  now: () => number,
  fetchFn: typeof fetch = (input, init) => fetch(input, init),
): Promise<MetricIncrement[]> {
  const url = webhookUrl(env);
  if (url === null || env.BUDGETS === undefined) return [];
  const stub = budgetStub(env, workspaceScope(workspaceId));
  const owed = (await stub.claimAlerts(workspaceId, now())) as BudgetAlert[];
  const out: MetricIncrement[] = [];
  for (const alert of owed) {
    const error = await deliver(env, url, alert, fetchFn);
    if (error !== null)
      console.warn(`budget alert ${alert.event} for ${workspaceId} not delivered (${error}); retried later`);
    await stub.alertResult(alert.event, alert.period_start, error, now());
    out.push(["switchyard_budget_alerts_total", [alert.event, error === null ? "sent" : "failed"], 1]);
  }
  return out;
}

/**
 * Wraps the budget settlement sink: once a request's holds are settled, what its workspace's budget owes is
 * delivered (the next request or the cron retries a failure). Never throws.
 */
export class BudgetAlertSink implements RequestSink {
  readonly #settle: RequestSink;
  readonly #env: AlertEnv;
  readonly #now: () => number;
  readonly #metrics: (increments: MetricIncrement[]) => void;

  constructor(settle: RequestSink, env: AlertEnv, now: () => number, metrics: (increments: MetricIncrement[]) => void) {
    this.#settle = settle;
    this.#env = env;
    this.#now = now;
    this.#metrics = metrics;
  }

  async complete(record: CompletionRecord): Promise<void> {
    await this.#settle.complete(record);
    if (webhookUrl(this.#env) === null) return;
    // Only a request that held its workspace's budget can have moved it (an unheld one is caught by the next or the cron).
    const scope = workspaceScope(record.workspace_id);
    if (!(record.budget_holds ?? []).some((h) => h.scope === scope)) return;
    await this.#deliver(record.workspace_id);
  }

  /** A budget's refusal (402) may be the moment it reached its limit: what it owes goes now, not with the cron. */
  async refused(record: CompletionRecord): Promise<void> {
    if (record.http_status !== 402 || webhookUrl(this.#env) === null) return;
    await this.#deliver(record.workspace_id);
  }

  async #deliver(workspaceId: string): Promise<void> {
    try {
      this.#metrics(await deliverOwed(this.#env, workspaceId, this.#now));
    } catch (err) {
      console.error("budget alerts failed", err instanceof Error ? err.message : String(err));
    }
  }
}

/** The cron's pass: every budgeted workspace (at most CRON_WORKSPACES) delivers what it owes. */
export async function deliverAllOwed(env: AlertEnv, now: () => number): Promise<number> {
  if (webhookUrl(env) === null || env.GOVERNANCE === undefined) return 0;
  const directory = await directoryOf(env).snapshot();
  let delivered = 0;
  for (const { workspace_id } of directory.budgets.slice(0, CRON_WORKSPACES)) {
    try {
      const results = await deliverOwed(env, workspace_id, now);
      delivered += results.filter((r) => r[1][1] === "sent").length;
    } catch (err) {
      console.error("budget alerts failed", workspace_id, err instanceof Error ? err.message : String(err));
    }
  }
  return delivered;
}
