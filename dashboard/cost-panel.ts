// Spend by provider, model and day as bar charts (GET /v1/usage?group_by=...).
import { ApiError, api, query } from "./api.ts";
import type { AlertsResponse, BudgetResponse, GatewayInfo, KeyLimits, UsageResponse, WindowUse } from "./api-types.ts";
import { type Bar, barChart } from "./charts.ts";
import { $, counted, h, int, messageOf, panelError, replace, usd } from "./dom.ts";
import type { PageState } from "./state.ts";

export async function refreshCost(panel: HTMLElement, state: PageState): Promise<void> {
  let results: UsageResponse[];
  try {
    results = await Promise.all(
      ["provider", "model", "day"].map((g) =>
        api<UsageResponse>(`/v1/usage${query({ group_by: g, workspace_id: state.workspace })}`),
      ),
    );
  } catch (err) {
    return panelError(panel, `Cost: ${messageOf(err)}`);
  }
  panelError(panel, "");
  const [byProvider = {}, byModel = {}, byDay = {}] = results;
  const t = byProvider.totals || {};
  replace(
    $(".totals", panel),
    h("span", { "data-total": "cost" }, usd(t.cost_usd)),
    ` over ${counted(t.requests, "request")} · `,
    int(t.input_tokens),
    " in / ",
    int(t.output_tokens),
    " out tokens",
  );
  showCache($(".cache", panel), t);
  await Promise.all([showLimits($(".limits", panel), state), showAlerts($(".alerts", panel), state)]);
  const bars = (r: UsageResponse): Bar[] =>
    (r.groups || []).map((g) => ({
      label: g.key === null || g.key === "" ? "(no answer)" : String(g.key),
      value: g.cost_usd,
      color: String(g.key).split("/")[0] as string,
      title: `${usd(g.cost_usd)}, ${counted(g.requests, "request")}`,
    }));
  const byCost = (a: Bar, b: Bar) => (b.value || 0) - (a.value || 0);
  barChart($(".by-provider", panel), bars(byProvider).sort(byCost), { label: "Cost by provider", format: usd });
  barChart($(".by-model", panel), bars(byModel).sort(byCost).slice(0, 12), { label: "Cost by model", format: usd });
  const byDate = (a: Bar, b: Bar) => (a.label < b.label ? -1 : 1);
  barChart($(".by-day", panel), bars(byDay).sort(byDate), { label: "Cost by day", format: usd, columns: true });
}

/** The response cache: hits among the requests, the hit rate, and what the hits would have cost. */
function showCache(el: HTMLElement, t: NonNullable<UsageResponse["totals"]>): void {
  const hits = t.cache_hits ?? 0;
  const requests = t.requests ?? 0;
  if (hits === 0) {
    replace(el, "");
    return;
  }
  const rate = requests > 0 ? `${((100 * hits) / requests).toFixed(1)}%` : "–";
  replace(
    el,
    "Response cache: ",
    h("span", { "data-cache": "hits" }, counted(hits, "hit")),
    ` (${rate} of requests) · `,
    h("span", { "data-cache": "saved" }, `${usd(t.cache_saved_usd ?? 0)} saved`),
  );
}

/** The last budget alerts and whether the webhook took them (GET /v1/alerts). */
async function showAlerts(el: HTMLElement, state: PageState): Promise<void> {
  let alerts: AlertsResponse;
  try {
    alerts = await api<AlertsResponse>(`/v1/alerts${query({ limit: 5, workspace_id: state.workspace })}`);
  } catch {
    return replace(el, "");
  }
  const when = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace("T", " ");
  replace(
    el,
    ...alerts.data.map((a) =>
      h(
        "li",
        { "data-alert": a.event },
        `${when(a.first_at)} ${a.workspace_id}: ${a.event === "budget.limit" ? "limit reached" : `${Math.round(a.threshold * 100)}% of budget`} `,
        `(${usd(a.spent_usd)} of ${usd(a.limit_usd)} this ${a.period}) · `,
        a.sent_at !== null
          ? "webhook delivered"
          : alerts.webhook_configured
            ? `not delivered yet (${counted(a.attempts, "try", "tries")}${a.last_error ? `, ${a.last_error}` : ""})`
            : "no webhook set",
      ),
    ),
  );
}

/**
 * The workspace's budget and its requests and tokens this minute against its limits (GET /v1/budgets/{id}), and a
 * workspace key's own limits beside them (GET /v1/gateway). The budgets read is left out when the gateway says the
 * key's workspace has neither (it would be a 404, which the browser notes in the console).
 */
async function showLimits(el: HTMLElement, state: PageState): Promise<void> {
  let gateway = state.gateway;
  const ownWorkspace = gateway?.caller.kind === "workspace";
  const ws = state.workspace || (ownWorkspace ? (gateway?.caller.workspace_id ?? "") : "");
  if (!ws) return replace(el, "");
  if (ownWorkspace) {
    // Read again each time: a budget or limits set since the page loaded are shown without a reload.
    gateway = await api<GatewayInfo>("/v1/gateway").catch(() => gateway);
    if (gateway) state.gateway = gateway;
  }
  const key = ownWorkspace ? keyLimits(gateway?.key ?? null) : null;
  let b: BudgetResponse | null = null;
  if (!ownWorkspace || gateway?.workspace_limited !== false) {
    try {
      b = await api<BudgetResponse>(`/v1/budgets/${encodeURIComponent(ws)}`);
    } catch (err) {
      // Not a 404: the workspace's settings are not known, so nothing is said of them (the key's own still are).
      if (!(err instanceof ApiError && err.status === 404)) return replace(el, key ? [`${ws}: `, key] : "");
    }
  }
  const use = (w: WindowUse | null | undefined, what: string) =>
    w ? h("span", { "data-limit": what }, `${int(w.used)} / ${int(w.limit)} ${what} this minute`) : null;
  const parts = [
    b === null || b.limit_usd === null
      ? null
      : h("span", { "data-limit": "budget" }, `${usd(b.spent_usd)} of ${usd(b.limit_usd)} this ${b.period}`),
    use(b?.rate_limits?.requests, "requests"),
    use(b?.rate_limits?.tokens, "tokens"),
  ].filter((x) => x !== null);
  if (parts.length === 0 && key === null) return replace(el, `${ws}: no budget or rate limits`);
  const all = [...(parts.length ? parts : ["no workspace budget or rate limits"]), key].filter((x) => x !== null);
  replace(el, `${ws}: `, ...all.flatMap((p, i) => (i === 0 ? [p] : [" · ", p])));
}

/** A workspace key's own limits ("key sy-abc…: 60 requests a minute, …"), or null when it has none. */
function keyLimits(key: KeyLimits | null): HTMLElement | null {
  if (key === null) return null;
  const limits = [
    key.rpm_limit === null ? null : `${counted(key.rpm_limit, "request")} a minute`,
    key.tpm_limit === null ? null : `${counted(key.tpm_limit, "token")} a minute`,
    key.budget_usd === null ? null : `a budget of ${usd(key.budget_usd)}`,
  ].filter((x) => x !== null);
  if (limits.length === 0) return null;
  return h("span", { "data-limit": "key" }, `key ${key.prefix}…: ${limits.join(", ")}`);
}
