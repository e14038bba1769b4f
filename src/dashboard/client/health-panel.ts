// Browser module health-panel.js: one card per provider from GET /v1/health/providers (status, circuit, latency, last error).
export const healthPanelJs = String.raw`
import { api } from "./api.js";
import { h, replace, ms, pct, ago, panelError } from "./dom.js";

export async function refreshHealth(panel, state) {
  let data;
  try {
    data = await api("/v1/health/providers");
  } catch (err) {
    return panelError(panel, "Health: " + err.message);
  }
  panelError(panel, "");
  const upstream = new Map((state.gateway?.providers || []).map((p) => [p.provider, p.upstream]));
  const cards = (data.providers || []).map((p) => card(p, upstream.get(p.provider)));
  replace(panel.querySelector(".cards"), cards);
}

function card(p, upstream) {
  const openModels = (p.models || []).filter((m) => m.circuit && m.circuit !== "closed");
  return h("article", { class: "card status-" + p.status, "data-provider": p.provider, "data-status": p.status, "data-circuit": p.circuit },
    h("header", {},
      h("strong", {}, p.provider),
      upstream === "emulator" ? h("span", { class: "tag tag-emulator", title: "answers come from the project's emulator" }, "emulator") : null,
      h("span", { class: "pill pill-" + p.status }, p.status)),
    h("dl", {},
      h("dt", {}, "circuit"), h("dd", { class: "circuit circuit-" + p.circuit }, (p.circuit || "–").replace("_", "-")),
      h("dt", {}, "success"), h("dd", {}, pct(p.success_rate)),
      h("dt", {}, "latency p50/p95"), h("dd", {}, pair(p.latency_ms)),
      h("dt", {}, "TTFT p50/p95"), h("dd", {}, pair(p.ttft_ms)),
      h("dt", {}, "last probe"), h("dd", {}, ago(p.last_probe_at))),
    openModels.length ? h("p", { class: "models-open" }, "open: " + openModels.map((m) => m.model + " (" + m.circuit.replace("_", "-") + ")").join(", ")) : null,
    p.last_error ? h("p", { class: "last-error", title: p.last_error }, p.last_error) : null);
}

function pair(v) {
  return v ? ms(v.p50) + " / " + ms(v.p95) : "–";
}
`;
