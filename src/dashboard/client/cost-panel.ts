// Browser module cost-panel.js: spend by provider, model and day as bar charts (GET /v1/usage?group_by=...).
export const costPanelJs = String.raw`
import { api, query } from "./api.js";
import { barChart } from "./charts.js";
import { h, replace, usd, int, panelError } from "./dom.js";

export async function refreshCost(panel, state) {
  let results;
  try {
    results = await Promise.all(["provider", "model", "day"].map((g) => api("/v1/usage" + query({ group_by: g, workspace_id: state.workspace }))));
  } catch (err) {
    return panelError(panel, "Cost: " + err.message);
  }
  panelError(panel, "");
  const [byProvider, byModel, byDay] = results;
  const t = byProvider.totals || {};
  replace(panel.querySelector(".totals"),
    h("span", { "data-total": "cost" }, usd(t.cost_usd)), " over ", int(t.requests), " requests · ",
    int(t.input_tokens), " in / ", int(t.output_tokens), " out tokens");
  const bars = (r) => (r.groups || []).map((g) => ({ label: g.key === null || g.key === "" ? "(no answer)" : String(g.key), value: g.cost_usd, color: String(g.key).split("/")[0], title: usd(g.cost_usd) + ", " + int(g.requests) + " requests" }));
  const byCost = (a, b) => (b.value || 0) - (a.value || 0);
  barChart(panel.querySelector(".by-provider"), bars(byProvider).sort(byCost), { label: "Cost by provider", format: usd });
  barChart(panel.querySelector(".by-model"), bars(byModel).sort(byCost).slice(0, 12), { label: "Cost by model", format: usd });
  barChart(panel.querySelector(".by-day"), bars(byDay).sort((a, b) => (a.label < b.label ? -1 : 1)), { label: "Cost by day", format: usd, columns: true });
}
`;
