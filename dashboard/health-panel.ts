// One card per provider from GET /v1/health/providers (status, circuit, latency, last error).
import { api } from "./api.ts";
import type { HealthResponse, Percentiles, ProviderHealth } from "./api-types.ts";
import { $, ago, counted, h, int, messageOf, ms, panelError, pct, replace } from "./dom.ts";
import type { PageState } from "./state.ts";

export async function refreshHealth(panel: HTMLElement, state: PageState): Promise<void> {
  let data: HealthResponse;
  try {
    data = await api<HealthResponse>("/v1/health/providers");
  } catch (err) {
    return panelError(panel, `Health: ${messageOf(err)}`);
  }
  panelError(panel, "");
  const upstream = new Map((state.gateway?.providers || []).map((p) => [p.provider, p.upstream]));
  const cards = (data.providers || []).map((p) => card(p, upstream.get(p.provider)));
  replace($(".cards", panel), cards);
}

function card(p: ProviderHealth, upstream: string | null | undefined): HTMLElement {
  const openModels = (p.models || []).filter((m) => m.circuit && m.circuit !== "closed");
  const emulatorTag =
    upstream === "emulator"
      ? h("span", { class: "tag tag-emulator", title: "answers come from the project's emulator" }, "emulator")
      : null;
  return h(
    "article",
    {
      class: `card status-${p.status}`,
      "data-provider": p.provider,
      "data-status": p.status,
      "data-circuit": p.circuit,
    },
    h("header", {}, h("strong", {}, p.provider), emulatorTag, h("span", { class: `pill pill-${p.status}` }, p.status)),
    h(
      "dl",
      {},
      h("dt", {}, "circuit"),
      h("dd", { class: `circuit circuit-${p.circuit}` }, (p.circuit || "–").replace("_", "-")),
      h("dt", {}, "success"),
      h("dd", {}, pct(p.success_rate)),
      h("dt", {}, "latency p50/p95"),
      h("dd", {}, pair(p.latency_ms)),
      h("dt", {}, "TTFT p50/p95"),
      h("dd", {}, pair(p.ttft_ms)),
      h("dt", {}, "last probe"),
      h("dd", {}, ago(p.last_probe_at)),
    ),
    openModels.length
      ? h(
          "p",
          { class: "models-open" },
          `open: ${openModels.map((m) => `${m.model} (${m.circuit.replace("_", "-")})`).join(", ")}`,
        )
      : null,
    p.last_error ? h("p", { class: "last-error", title: p.last_error }, p.last_error) : null,
    keyList(p),
    priceBook(p),
  );
}

/** A key pool: each key by its masked id, weight, state and use. */
function keyList(p: ProviderHealth): HTMLElement | null {
  if (!p.keys || p.keys.length === 0) return null;
  return h(
    "ul",
    { class: "keys", "aria-label": `${p.provider} keys` },
    ...p.keys.map((k) =>
      h(
        "li",
        {
          class: `key key-${k.state}`,
          "data-key": k.id,
          "data-state": k.state,
          title: k.last_error ?? (k.cooldown_until ? `cooling until ${k.cooldown_until}` : ""),
        },
        h("code", {}, k.id),
        ` ×${k.weight} · ${k.state}`,
        k.state === "cooling" && k.cooldown_until ? ` (${ago(k.cooldown_until)})` : "",
        ` · ${int(k.requests)} req`,
        k.failures ? `, ${int(k.failures)} failed` : "",
      ),
    ),
  );
}

/** Registry models the provider no longer lists, listed models without a price, prices past their age. */
function priceBook(p: ProviderHealth): HTMLElement | null {
  const b = p.price_book;
  if (!b || (b.delisted.length === 0 && b.unpriced === 0 && b.stale_prices.length === 0)) return null;
  const parts = [
    b.delisted.length ? `${b.delisted.length} no longer listed` : null,
    b.unpriced ? `${b.unpriced} listed but unpriced` : null,
    b.stale_prices.length ? counted(b.stale_prices.length, "stale price") : null,
  ].filter((x) => x !== null);
  const title = [
    b.delisted.length ? `not listed: ${b.delisted.join(", ")}` : "",
    b.stale_prices.length ? `stale: ${b.stale_prices.join(", ")}` : "",
  ]
    .filter((x) => x !== "")
    .join("; ");
  return h("p", { class: "price-book", title }, `price book: ${parts.join(", ")}`);
}

function pair(v: Percentiles | { p50: null; p95: null } | null): string {
  return v?.p50 != null && v.p95 != null ? `${ms(v.p50)} / ${ms(v.p95)}` : "–";
}
