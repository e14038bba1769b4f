// Latency and time-to-first-token per provider over time (GET /v1/stats/timeseries).
import { api, query } from "./api.ts";
import type { TimeseriesResponse } from "./api-types.ts";
import { lineChart, type Series } from "./charts.ts";
import { $, clock, messageOf, ms, msTick, panelError } from "./dom.ts";
import type { PageState } from "./state.ts";

export async function refreshLatency(panel: HTMLElement, state: PageState): Promise<void> {
  const windowMs = Number($<HTMLSelectElement>("select[name=window]", panel).value);
  let data: TimeseriesResponse;
  try {
    const params = { window_ms: windowMs, buckets: 60, workspace_id: state.workspace };
    data = await api<TimeseriesResponse>(`/v1/stats/timeseries${query(params)}`);
  } catch (err) {
    return panelError(panel, `Latency: ${messageOf(err)}`);
  }
  panelError(panel, "");
  const pick = (field: "latency_ms" | "ttft_ms"): Series[] =>
    data.series.map((sr) => ({
      name: sr.provider,
      points: sr.points.map((p) => {
        const v = p[field];
        return {
          x: p.t,
          y: v ? v.p50 : null,
          label: v ? `p50 ${ms(v.p50)}, p95 ${ms(v.p95)} (${p.ok} ok, ${p.failed} failed)` : "",
        };
      }),
    }));
  const common = { from: data.from, to: data.to, format: ms, formatTick: msTick, formatX: clock };
  lineChart($(".latency-chart", panel), pick("latency_ms"), { label: "Latency p50 per provider", ...common });
  lineChart($(".ttft-chart", panel), pick("ttft_ms"), { label: "Time to first token p50 per provider", ...common });
}
