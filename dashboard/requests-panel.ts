// The latest requests with their route and every attempt (GET /v1/requests).
import { api, query } from "./api.ts";
import type { RequestRow, RequestsResponse } from "./api-types.ts";
import { $, clock, h, int, messageOf, ms, panelError, replace, usd } from "./dom.ts";
import type { PageState } from "./state.ts";

export async function refreshRequests(panel: HTMLElement, state: PageState): Promise<void> {
  let data: RequestsResponse;
  try {
    data = await api<RequestsResponse>(`/v1/requests${query({ limit: 25, workspace_id: state.workspace })}`);
  } catch (err) {
    return panelError(panel, `Requests: ${messageOf(err)}`);
  }
  panelError(panel, "");
  const rows = data.data.map(row);
  const none = h("tr", {}, h("td", { colspan: 7, class: "muted" }, "No requests yet: send one from the playground."));
  replace($("tbody", panel), rows.length ? rows : none);
}

function attemptMark(a: RequestRow["attempts"][number]): string {
  if (a.status === "ok") return "✓";
  if (a.status === "skipped") return "↷";
  return `✗${a.http_status ? ` ${a.http_status}` : ""}`;
}

function row(r: RequestRow): HTMLTableRowElement {
  const route = r.chain ? `chain ${r.chain}` : r.strategy;
  const pill = r.status === "ok" ? "healthy" : r.status === "error" ? "down" : "degraded";
  return h(
    "tr",
    { "data-request-id": r.id, "data-status": r.status, class: `req-${r.status}` },
    h("td", { title: new Date(r.created_at).toISOString() }, clock(r.created_at)),
    h("td", {}, h("span", { class: `pill pill-${pill}` }, String(r.http_status))),
    h(
      "td",
      {},
      route,
      h("span", { class: "tag", "data-dialect": r.dialect }, r.dialect),
      r.stream ? h("span", { class: "tag" }, "stream") : null,
      h("div", { class: "muted small" }, r.workspace_id),
    ),
    h("td", {}, r.provider ? `${r.provider}/${r.model}` : h("span", { class: "muted" }, "none answered")),
    h(
      "td",
      { class: "attempts" },
      r.attempts.map((a) =>
        h(
          "span",
          { class: `attempt attempt-${a.status}`, title: a.error || a.status },
          `${a.provider}/${a.model} ${attemptMark(a)} ${ms(a.latency_ms)}`,
        ),
      ),
    ),
    h(
      "td",
      { class: "num" },
      r.provider ? usd(r.cost_usd) : "–",
      r.usage_estimated
        ? h(
            "span",
            { class: "tag", "data-estimated": "", title: "the provider sent no usage: tokens and cost are estimated" },
            "est.",
          )
        : null,
      r.cache_hit
        ? h(
            "span",
            {
              class: "tag",
              "data-cache-hit": "",
              title: `answered from the response cache; saved ${usd(r.cache_saved_usd)}`,
            },
            "cached",
          )
        : null,
      h(
        "div",
        { class: "muted small" },
        `${r.usage_estimated ? "~" : ""}${int(r.input_tokens)}/${int(r.output_tokens)} tok`,
      ),
    ),
    h("td", { class: "num" }, ms(r.latency_ms), h("div", { class: "muted small" }, `ttft ${ms(r.ttft_ms)}`)),
  );
}
