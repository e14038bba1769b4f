// Browser module playground.js: pick a model, "auto" with a strategy, or a chain; see the plan, then watch the answer stream.
export const playgroundJs = String.raw`
import { api, authHeaders, ApiError } from "./api.js";
import { sseData } from "./sse.js";
import { h, $, replace, usd, ms, panelError } from "./dom.js";

let running = null;

export async function initPlayground(panel, state) {
  const form = $("form", panel);
  const results = await Promise.allSettled([api("/v1/models"), api("/v1/chains"), api("/v1/strategies")]);
  const [models, chains, strategies] = results.map((r) => (r.status === "fulfilled" ? r.value : null));
  const failed = results.filter((r) => r.status === "rejected").map((r) => r.reason.message);
  panelError(panel, failed.length ? "Playground: " + failed.join("; ") : "");

  const target = form.elements.target;
  const groups = [h("option", { value: "auto" }, "auto (the router picks)")];
  const chainNames = names(chains, "chains");
  if (chainNames.length) groups.push(h("optgroup", { label: "chains" }, chainNames.map((n) => h("option", { value: "chain:" + n }, "chain:" + n))));
  const byProvider = new Map();
  for (const m of list(models)) {
    if (!byProvider.has(m.provider)) byProvider.set(m.provider, []);
    byProvider.get(m.provider).push(h("option", { value: m.id, disabled: m.available === false }, m.id + (m.available === false ? " (unconfigured)" : "")));
  }
  for (const [provider, options] of byProvider) groups.push(h("optgroup", { label: provider }, options));
  replace(target, groups);

  const strategy = form.elements.strategy;
  replace(strategy, h("option", { value: "" }, "gateway default"), names(strategies, "strategies").map((n) => h("option", { value: n }, n)));

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void send(panel, state);
  });
  $("button[name=plan]", panel).addEventListener("click", () => void plan(panel, bodyOf(form)));
  $("button[name=stop]", panel).addEventListener("click", () => running && running.abort());
}

function list(res) {
  if (!res) return [];
  return Array.isArray(res) ? res : res.data || [];
}

/** Chains and strategies may come as {chains: [...]}, {data: [...]} or a bare list; items as names or {name}. */
function names(res, field) {
  const items = !res ? [] : Array.isArray(res) ? res : res[field] || res.data || [];
  return items.map((i) => (typeof i === "string" ? i : i.name || i.id)).filter(Boolean);
}

function bodyOf(form) {
  const body = {
    model: form.elements.target.value,
    messages: [{ role: "user", content: form.elements.prompt.value }],
    stream: true,
    stream_options: { include_usage: true },
  };
  const maxTokens = Number(form.elements.max_tokens.value);
  if (maxTokens > 0) body.max_tokens = maxTokens;
  if (form.elements.strategy.value) body.router = { strategy: form.elements.strategy.value };
  return body;
}

async function plan(panel, body) {
  const slot = $(".route", panel);
  replace(slot, h("p", { class: "muted" }, "Planning…"));
  try {
    const route = await api("/v1/route", { method: "POST", json: body });
    renderRoute(slot, route);
    return route;
  } catch (err) {
    replace(slot, h("p", { class: "error" }, "No route: " + err.message));
    return null;
  }
}

function renderRoute(slot, route) {
  const candidates = route.candidates || [];
  const excluded = route.excluded || [];
  replace(slot,
    h("p", {}, "strategy ", h("strong", {}, route.strategy || "–"), route.chain ? [" · chain ", h("strong", {}, route.chain)] : null,
      " · " + candidates.length + " candidates" + (excluded.length ? ", " + excluded.length + " excluded" : "")),
    h("ol", { class: "candidates", "data-testid": "candidates" }, candidates.slice(0, 6).map((c) => h("li", {},
      h("strong", {}, c.provider + "/" + c.model),
      " score " + (typeof c.score === "number" ? c.score.toFixed(2) : "–") + " · est. " + usd(c.estimated_cost_usd),
      (c.reasons || []).length ? h("div", { class: "muted small" }, c.reasons.join("; ")) : null))),
    excluded.length ? h("details", {}, h("summary", {}, "excluded"), h("ul", {}, excluded.map((e) => h("li", { class: "small" }, e.provider + "/" + e.model + ": " + e.reason)))) : null);
}

async function send(panel, state) {
  if (running) running.abort();
  const form = $("form", panel);
  const body = bodyOf(form);
  const out = $(".output", panel);
  const meta = $(".answer-meta", panel);
  replace(out);
  replace(meta, h("span", { class: "muted" }, "routing…"));
  out.setAttribute("data-state", "planning");
  await plan(panel, body);

  const controller = new AbortController();
  running = controller;
  const started = performance.now();
  let firstToken = null;
  let deltas = 0;
  let xRouter = null;
  let failure = null;
  out.setAttribute("data-state", "streaming");
  try {
    const res = await fetch("/v1/chat/completions", {
      method: "POST",
      headers: Object.assign({ "content-type": "application/json" }, authHeaders()),
      body: JSON.stringify(body),
      signal: controller.signal,
    });
    const emulated = res.headers.get("x-switchyard-upstream") === "emulator";
    if (!res.ok) {
      const err = await res.json().catch(() => ({}));
      throw Object.assign(new ApiError(res.status, (err.error && err.error.message) || "HTTP " + res.status), { xRouter: err.x_router });
    }
    replace(meta, h("span", { class: "muted" }, "answering: " + res.headers.get("x-router-provider") + "/" + res.headers.get("x-router-model")), emulated ? h("span", { class: "tag tag-emulator" }, "emulator answer") : null);
    for await (const data of sseData(res)) {
      if (data === "[DONE]") break;
      if (data.error) {
        failure = data.error.message;
        xRouter = data.x_router || xRouter;
        break;
      }
      if (data.x_router) xRouter = data.x_router;
      const delta = data.choices && data.choices[0] && data.choices[0].delta;
      if (delta && typeof delta.content === "string" && delta.content !== "") {
        if (firstToken === null) firstToken = performance.now() - started;
        deltas += 1;
        out.append(document.createTextNode(delta.content));
      }
    }
    out.setAttribute("data-state", failure ? "failed" : "done");
    renderAnswerMeta(meta, xRouter, { firstToken, total: performance.now() - started, deltas, failure, emulated });
  } catch (err) {
    out.setAttribute("data-state", err.name === "AbortError" ? "stopped" : "failed");
    renderAnswerMeta(meta, err.xRouter || xRouter, { firstToken, total: performance.now() - started, deltas, failure: err.name === "AbortError" ? "stopped" : err.message, emulated: false });
  } finally {
    if (running === controller) running = null;
    state.onActivity();
  }
}

function renderAnswerMeta(meta, x, m) {
  const attempts = (x && x.attempts) || [];
  replace(meta,
    m.failure ? h("p", { class: "error" }, m.failure) : null,
    x && x.provider ? h("p", { "data-testid": "answered-by" }, "answered by ", h("strong", {}, x.provider + "/" + x.model), m.emulated ? h("span", { class: "tag tag-emulator" }, "emulator answer") : null) : null,
    h("p", { "data-testid": "answer-cost" }, "cost " + (x ? usd(x.cost_usd) : "–") + " · first token " + ms(m.firstToken) + " · total " + ms(m.total) + " · " + m.deltas + " chunks"),
    attempts.length ? h("p", { class: "attempts" }, attempts.map((a) => h("span", { class: "attempt attempt-" + a.status, title: a.error || a.status },
      a.provider + "/" + a.model + " " + (a.status === "ok" ? "✓" : a.status === "skipped" ? "↷" : "✗") + " " + ms(a.latency_ms)))) : null);
}
`;
