// Browser module requests-panel.js: the latest requests with their route and every attempt (GET /v1/requests).
export const requestsPanelJs = String.raw`
import { api, query } from "./api.js";
import { h, replace, usd, ms, int, clock, panelError } from "./dom.js";

export async function refreshRequests(panel, state) {
  let data;
  try {
    data = await api("/v1/requests" + query({ limit: 25, workspace_id: state.workspace }));
  } catch (err) {
    return panelError(panel, "Requests: " + err.message);
  }
  panelError(panel, "");
  const rows = data.data.map(row);
  replace(panel.querySelector("tbody"), rows.length ? rows : h("tr", {}, h("td", { colspan: 7, class: "muted" }, "No requests yet: send one from the playground.")));
}

function row(r) {
  const route = r.chain ? "chain " + r.chain : r.strategy;
  return h("tr", { "data-request-id": r.id, "data-status": r.status, class: "req-" + r.status },
    h("td", { title: new Date(r.created_at).toISOString() }, clock(r.created_at)),
    h("td", {}, h("span", { class: "pill pill-" + (r.status === "ok" ? "healthy" : r.status === "error" ? "down" : "degraded") }, String(r.http_status))),
    h("td", {}, route, r.stream ? h("span", { class: "tag" }, "stream") : null, h("div", { class: "muted small" }, r.workspace_id)),
    h("td", {}, r.provider ? r.provider + "/" + r.model : h("span", { class: "muted" }, "none answered")),
    h("td", { class: "attempts" }, r.attempts.map((a) => h("span", {
      class: "attempt attempt-" + a.status,
      title: a.error || a.status,
    }, a.provider + "/" + a.model + " " + (a.status === "ok" ? "✓" : a.status === "skipped" ? "↷" : "✗" + (a.http_status ? " " + a.http_status : "")) + " " + ms(a.latency_ms)))),
    h("td", { class: "num" }, r.provider ? usd(r.cost_usd) : "–", h("div", { class: "muted small" }, int(r.input_tokens) + "/" + int(r.output_tokens) + " tok")),
    h("td", { class: "num" }, ms(r.latency_ms), h("div", { class: "muted small" }, "ttft " + ms(r.ttft_ms))));
}
`;
