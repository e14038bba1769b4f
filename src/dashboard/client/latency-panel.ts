// Browser module latency-panel.js: latency and time-to-first-token per provider over time (GET /v1/stats/timeseries).
export const latencyPanelJs = String.raw`
import { api, query } from "./api.js";
import { lineChart } from "./charts.js";
import { ms, msTick, clock, panelError } from "./dom.js";

export async function refreshLatency(panel, state) {
  const windowMs = Number(panel.querySelector("select[name=window]").value);
  let data;
  try {
    data = await api("/v1/stats/timeseries" + query({ window_ms: windowMs, buckets: 60, workspace_id: state.workspace }));
  } catch (err) {
    return panelError(panel, "Latency: " + err.message);
  }
  panelError(panel, "");
  const pick = (field) => data.series.map((sr) => ({
    name: sr.provider,
    points: sr.points.map((p) => ({ x: p.t, y: p[field] ? p[field].p50 : null, label: p[field] ? "p50 " + ms(p[field].p50) + ", p95 " + ms(p[field].p95) + " (" + p.ok + " ok, " + p.failed + " failed)" : "" })),
  }));
  const common = { from: data.from, to: data.to, format: ms, formatTick: msTick, formatX: clock };
  lineChart(panel.querySelector(".latency-chart"), pick("latency_ms"), Object.assign({ label: "Latency p50 per provider" }, common));
  lineChart(panel.querySelector(".ttft-chart"), pick("ttft_ms"), Object.assign({ label: "Time to first token p50 per provider" }, common));
}
`;
