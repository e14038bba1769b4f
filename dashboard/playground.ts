// Pick a model, "auto" with a strategy, or a chain; see the plan, then watch the answer stream.
import { ApiError, api, authHeaders } from "./api.ts";
import type { ChatChunk, Listing, ModelEntry, NameListing, RoutePlan, RouteReport } from "./api-types.ts";
import { $, counted, h, messageOf, ms, panelError, replace, usd } from "./dom.ts";
import { DIALECT_WIRES, type PlaygroundDialect } from "./playground-dialects.ts";
import { sseData } from "./sse.ts";
import type { PageState } from "./state.ts";

let running: AbortController | null = null;

interface ChatBody {
  model: string;
  messages: { role: "user"; content: string }[];
  stream: true;
  stream_options: { include_usage: true };
  max_tokens?: number;
  router?: { strategy: string };
}

function field<E extends HTMLElement>(form: HTMLFormElement, name: string): E {
  return form.elements.namedItem(name) as E;
}

export async function initPlayground(panel: HTMLElement, state: PageState): Promise<void> {
  const form = $<HTMLFormElement>("form", panel);
  const results = await Promise.allSettled([
    api<Listing<ModelEntry>>("/v1/models"),
    api<NameListing>("/v1/chains"),
    api<NameListing>("/v1/strategies"),
  ]);
  const [models, chains, strategies] = results.map((r) => (r.status === "fulfilled" ? r.value : null)) as [
    Listing<ModelEntry> | null,
    NameListing | null,
    NameListing | null,
  ];
  const failed = results.flatMap((r) => (r.status === "rejected" ? [messageOf(r.reason)] : []));
  panelError(panel, failed.length ? `Playground: ${failed.join("; ")}` : "");

  const target = field<HTMLSelectElement>(form, "target");
  const groups: HTMLElement[] = [h("option", { value: "auto" }, "auto (the router picks)")];
  const chainNames = names(chains, "chains");
  if (chainNames.length) {
    const options = chainNames.map((n) => h("option", { value: `chain:${n}` }, `chain:${n}`));
    groups.push(h("optgroup", { label: "chains" }, options));
  }
  const byProvider = new Map<string, HTMLOptionElement[]>();
  for (const m of list(models)) {
    // An embedding model cannot chat (the gateway answers it with a 400 model_not_chat).
    if (m.type === "embedding") continue;
    const options = byProvider.get(m.provider) ?? [];
    byProvider.set(m.provider, options);
    // `available` is configured and healthy: an unconfigured provider, or one the live stats show down.
    const unavailable = m.available === false;
    options.push(h("option", { value: m.id, disabled: unavailable }, m.id + (unavailable ? " (unavailable)" : "")));
  }
  for (const [provider, options] of byProvider) groups.push(h("optgroup", { label: provider }, options));
  replace(target, groups);

  const strategy = field<HTMLSelectElement>(form, "strategy");
  const strategyOptions = names(strategies, "strategies").map((n) => h("option", { value: n }, n));
  replace(strategy, h("option", { value: "" }, "gateway default"), strategyOptions);

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void send(panel, state);
  });
  $("button[name=plan]", panel).addEventListener("click", () => void plan(panel, bodyOf(form)));
  $("button[name=stop]", panel).addEventListener("click", () => running?.abort());
}

function list<T>(res: Listing<T> | null): T[] {
  if (!res) return [];
  return Array.isArray(res) ? res : res.data || [];
}

/** Chains and strategies may come as {chains: [...]}, {data: [...]} or a bare list; items as names or {name}. */
function names(res: NameListing | null, key: string): string[] {
  const items = !res ? [] : Array.isArray(res) ? res : res[key] || res.data || [];
  return items.map((i) => (typeof i === "string" ? i : i.name || i.id)).filter((n): n is string => Boolean(n));
}

function bodyOf(form: HTMLFormElement): ChatBody {
  const body: ChatBody = {
    model: field<HTMLSelectElement>(form, "target").value,
    messages: [{ role: "user", content: field<HTMLTextAreaElement>(form, "prompt").value }],
    stream: true,
    stream_options: { include_usage: true },
  };
  const maxTokens = Number(field<HTMLInputElement>(form, "max_tokens").value);
  if (maxTokens > 0) body.max_tokens = maxTokens;
  const strategy = field<HTMLSelectElement>(form, "strategy").value;
  if (strategy) body.router = { strategy };
  return body;
}

async function plan(panel: HTMLElement, body: ChatBody): Promise<RoutePlan | null> {
  const slot = $(".route", panel);
  replace(slot, h("p", { class: "muted" }, "Planning…"));
  try {
    const route = await api<RoutePlan>("/v1/route", { method: "POST", json: body });
    renderRoute(slot, route);
    return route;
  } catch (err) {
    replace(slot, h("p", { class: "error" }, `No route: ${messageOf(err)}`));
    return null;
  }
}

function renderRoute(slot: HTMLElement, route: RoutePlan): void {
  const candidates = route.candidates || [];
  const excluded = route.excluded || [];
  const counts = ` · ${counted(candidates.length, "candidate")}${excluded.length ? `, ${excluded.length} excluded` : ""}`;
  replace(
    slot,
    h(
      "p",
      {},
      "strategy ",
      h("strong", {}, route.strategy || "–"),
      route.chain ? [" · chain ", h("strong", {}, route.chain)] : null,
      counts,
    ),
    h(
      "ol",
      { class: "candidates", "data-testid": "candidates" },
      candidates
        .slice(0, 6)
        .map((c) =>
          h(
            "li",
            {},
            h("strong", {}, `${c.provider}/${c.model}`),
            ` score ${typeof c.score === "number" ? c.score.toFixed(2) : "–"} · est. ${usd(c.estimated_cost_usd)}`,
            (c.reasons || []).length ? h("div", { class: "muted small" }, (c.reasons ?? []).join("; ")) : null,
          ),
        ),
    ),
    excluded.length
      ? h(
          "details",
          {},
          h("summary", {}, "excluded"),
          h(
            "ul",
            {},
            excluded.map((e) => h("li", { class: "small" }, `${e.provider}/${e.model}: ${e.reason}`)),
          ),
        )
      : null,
  );
}

interface AnswerMeta {
  firstToken: number | null;
  total: number;
  deltas: number;
  failure: string | null;
  emulated: boolean;
}

async function send(panel: HTMLElement, state: PageState): Promise<void> {
  if (running) running.abort();
  const form = $<HTMLFormElement>("form", panel);
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
  let firstToken: number | null = null;
  let deltas = 0;
  let xRouter: RouteReport | null = null;
  let failure: string | null = null;
  out.setAttribute("data-state", "streaming");
  try {
    // Each dialect sends the same ask in its own shape and reads its own stream events.
    const dialect = (field<HTMLSelectElement>(form, "dialect")?.value || "chat") as PlaygroundDialect;
    const wire = DIALECT_WIRES[dialect] ?? DIALECT_WIRES.chat;
    const ask = {
      model: body.model,
      prompt: body.messages[0]?.content ?? "",
      maxTokens: body.max_tokens ?? null,
      strategy: body.router?.strategy ?? null,
    };
    const res = await fetch(wire.path, {
      method: "POST",
      headers: { "content-type": "application/json", ...authHeaders() },
      body: JSON.stringify(wire.body(ask)),
      signal: controller.signal,
    });
    const emulated = res.headers.get("x-switchyard-upstream") === "emulator";
    if (!res.ok) {
      // OpenAI's error shape, or Anthropic's ({type: "error", error: {type, message}}): both carry error.message.
      const err = (await res.json().catch(() => ({}))) as ChatChunk;
      const error = new ApiError(res.status, err.error?.message || `HTTP ${res.status}`);
      error.xRouter = err.x_router ?? null;
      throw error;
    }
    const answering = `answering: ${res.headers.get("x-router-provider")}/${res.headers.get("x-router-model")}`;
    replace(
      meta,
      h("span", { class: "muted" }, answering),
      emulated ? h("span", { class: "tag tag-emulator" }, "emulator answer") : null,
    );
    for await (const data of sseData<Record<string, unknown>>(res)) {
      const reading = wire.read(data);
      if (reading.xRouter) xRouter = reading.xRouter;
      if (reading.failure !== undefined) {
        failure = reading.failure;
        break;
      }
      if (reading.text !== undefined) {
        if (firstToken === null) firstToken = performance.now() - started;
        deltas += 1;
        out.append(document.createTextNode(reading.text));
      }
      if (reading.done) break;
    }
    out.setAttribute("data-state", failure ? "failed" : "done");
    renderAnswerMeta(meta, xRouter, { firstToken, total: performance.now() - started, deltas, failure, emulated });
  } catch (err) {
    const aborted = err instanceof Error && err.name === "AbortError";
    out.setAttribute("data-state", aborted ? "stopped" : "failed");
    const report = (err instanceof ApiError ? err.xRouter : null) || xRouter;
    renderAnswerMeta(meta, report, {
      firstToken,
      total: performance.now() - started,
      deltas,
      failure: aborted ? "stopped" : messageOf(err),
      emulated: false,
    });
  } finally {
    if (running === controller) running = null;
    state.onActivity();
  }
}

function renderAnswerMeta(meta: HTMLElement, x: RouteReport | null, m: AnswerMeta): void {
  const attempts = x?.attempts || [];
  const mark = (status: string) => (status === "ok" ? "✓" : status === "skipped" ? "↷" : "✗");
  replace(
    meta,
    m.failure ? h("p", { class: "error" }, m.failure) : null,
    x?.provider
      ? h(
          "p",
          { "data-testid": "answered-by" },
          "answered by ",
          h("strong", {}, `${x.provider}/${x.model}`),
          m.emulated ? h("span", { class: "tag tag-emulator" }, "emulator answer") : null,
        )
      : null,
    h(
      "p",
      { "data-testid": "answer-cost" },
      `cost ${cost(x)} · first token ${ms(m.firstToken)} · total ${ms(m.total)} · ${counted(m.deltas, "chunk")}`,
    ),
    attempts.length
      ? h(
          "p",
          { class: "attempts" },
          attempts.map((a) =>
            h(
              "span",
              { class: `attempt attempt-${a.status}`, title: a.error || a.status },
              `${a.provider}/${a.model} ${mark(a.status)} ${ms(a.latency_ms)}`,
            ),
          ),
        )
      : null,
  );
}

/**
 * What the call cost, as its route report says: an answer's cost_usd (null: its model has no price), or "–" for a call
 * that failed, whose report carries no cost (nothing was billed), and for one with no report at all.
 */
function cost(x: RouteReport | null): string {
  return x?.cost_usd === undefined ? "–" : usd(x.cost_usd);
}
