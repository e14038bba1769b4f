// Prometheus metrics: the catalog, one request's increments (from its CompletionRecord), the bounded aggregate the
// stats object keeps for the whole deployment, and the text exposition format GET /metrics writes.
// Format: https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
import type { CompletionRecord } from "../ledger/record.ts";
import type { ExportTally } from "./trace-sink.ts";

const SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120] as const;

interface CounterDef {
  type: "counter";
  help: string;
  labels: readonly string[];
  /**
   * Counted in whole pico-dollars, as the ledger keeps cost, and shown in dollars: sums of integers carry no float
   * drift (ten calls of $0.00021 are $0.0021, not 0.0021000000000000007).
   */
  pico?: true;
}
interface HistogramDef {
  type: "histogram";
  help: string;
  labels: readonly string[];
  buckets: readonly number[];
}

/** Every aggregated metric. A name or a label count not in here is refused by the aggregate. */
export const METRICS = {
  switchyard_requests_total: {
    type: "counter",
    help: "Requests finished, by answering provider and model (none when nothing answered), dialect, outcome and HTTP status.",
    labels: ["provider", "model", "dialect", "status", "code"],
  },
  switchyard_attempts_total: {
    type: "counter",
    help: "Upstream attempts, by provider, model, outcome (ok, failed, skipped), error kind and how the attempt joined (attempt, hedge, continuation, splice).",
    labels: ["provider", "model", "outcome", "error_kind", "via"],
  },
  switchyard_fallbacks_total: {
    type: "counter",
    help: "Moves from one candidate to the next within a request.",
    labels: ["dialect"],
  },
  switchyard_rescues_total: {
    type: "counter",
    help: "Streams continued on another candidate after the commit point (continuation or splice), by the provider that took over.",
    labels: ["provider", "via"],
  },
  switchyard_hedges_total: {
    type: "counter",
    help: "Hedged attempts started beside a slow first token, by provider.",
    labels: ["provider"],
  },
  switchyard_tokens_total: {
    type: "counter",
    help: "Tokens by provider, model and type (input, output, cached_input, cache_write); estimated ones included.",
    labels: ["provider", "model", "type"],
  },
  switchyard_cost_usd_total: {
    type: "counter",
    help: "Spend in US dollars at the price book's prices, by provider and model.",
    labels: ["provider", "model"],
    pico: true,
  },
  switchyard_cache_requests_total: {
    type: "counter",
    help: "Response cache verdicts: hit, miss (looked up, answered upstream) and bypass (not asked, or no-store).",
    labels: ["result"],
  },
  switchyard_cache_saved_usd_total: {
    type: "counter",
    help: "What the answers served from the response cache cost when they were made.",
    labels: [],
    pico: true,
  },
  switchyard_otlp_spans_exported_total: {
    type: "counter",
    help: "Spans the OTLP collector accepted.",
    labels: [],
  },
  switchyard_otlp_spans_dropped_total: {
    type: "counter",
    help: "Spans dropped: the collector refused, failed or timed out, or the isolate's queue was full.",
    labels: [],
  },
  switchyard_otlp_batches_dropped_total: {
    type: "counter",
    help: "OTLP export batches dropped (refused, failed, timed out, or queue full).",
    labels: [],
  },
  switchyard_budget_alerts_total: {
    type: "counter",
    help: "Budget alert webhook deliveries, by event and result (sent, failed).",
    labels: ["event", "result"],
  },
  switchyard_request_duration_seconds: {
    type: "histogram",
    help: "Request latency from arrival to the end of the answer, by answering provider, dialect and stream.",
    labels: ["provider", "dialect", "stream"],
    buckets: SECONDS,
  },
  switchyard_time_to_first_token_seconds: {
    type: "histogram",
    help: "Time to the first token (a JSON answer: to the answer), by answering provider and model.",
    labels: ["provider", "model"],
    buckets: SECONDS,
  },
} as const satisfies Record<string, CounterDef | HistogramDef>;

export type MetricName = keyof typeof METRICS;

/**
 * One increment: a counter by `value`, or one observation of `value` in a histogram. `folded` (absent: 1) is how many
 * increments of one counter series a batch summed into this one (foldIncrements), so a refused one counts them all.
 */
export type MetricIncrement = [name: MetricName, labels: string[], value: number, folded?: number];

/** The increments of one request (or of a tally), as the stats cache batches them to the stats object. */
export interface MetricDelta {
  increments: MetricIncrement[];
}

const PICO = 1e12;

/** What one finished request adds. Models are raw here; the stats object folds names outside the registry. */
export function requestIncrements(record: CompletionRecord): MetricIncrement[] {
  const out: MetricIncrement[] = [];
  const provider = record.provider ?? "none";
  const model = record.model ?? "none";
  const dialect = record.dialect ?? "chat";
  out.push(["switchyard_requests_total", [provider, model, dialect, record.status, String(record.http_status)], 1]);
  const tried: string[] = [];
  for (const a of record.attempts) {
    out.push(["switchyard_attempts_total", [a.provider, a.model, a.status, a.error_kind ?? "", a.via ?? "attempt"], 1]);
    if (a.via === "hedge") out.push(["switchyard_hedges_total", [a.provider], 1]);
    if (a.via === "continuation" || a.via === "splice") out.push(["switchyard_rescues_total", [a.provider, a.via], 1]);
    if (a.status === "skipped" || a.via !== undefined) continue;
    const candidate = `${a.provider}/${a.model}`;
    if (tried.at(-1) !== candidate) tried.push(candidate);
  }
  if (tried.length > 1) out.push(["switchyard_fallbacks_total", [dialect], tried.length - 1]);
  const cache = record.cache ?? "bypass";
  out.push(["switchyard_cache_requests_total", [cache], 1]);
  if (cache === "hit" && record.saved_pico !== undefined && record.saved_pico !== null && record.saved_pico > 0)
    out.push(["switchyard_cache_saved_usd_total", [], record.saved_pico]);
  if (record.usage !== null && record.provider !== null) {
    const u = record.usage;
    const tokens: [string, number][] = [
      ["input", u.input_tokens],
      ["output", u.output_tokens],
      ["cached_input", u.cached_input_tokens],
      ["cache_write", u.cache_write_tokens],
    ];
    for (const [type, n] of tokens) if (n > 0) out.push(["switchyard_tokens_total", [provider, model, type], n]);
  }
  if (record.cost_pico !== null && record.cost_pico > 0 && record.provider !== null)
    out.push(["switchyard_cost_usd_total", [provider, model], record.cost_pico]);
  out.push([
    "switchyard_request_duration_seconds",
    [provider, dialect, String(record.stream)],
    record.latency_ms / 1000,
  ]);
  if (record.ttft_ms !== null && record.provider !== null)
    out.push(["switchyard_time_to_first_token_seconds", [provider, model], record.ttft_ms / 1000]);
  return out;
}

/** An exporter tally as increments (only what is not zero). */
export function tallyIncrements(tally: ExportTally): MetricIncrement[] {
  const out: MetricIncrement[] = [];
  if (tally.exported_spans > 0) out.push(["switchyard_otlp_spans_exported_total", [], tally.exported_spans]);
  if (tally.dropped_spans > 0) out.push(["switchyard_otlp_spans_dropped_total", [], tally.dropped_spans]);
  if (tally.dropped_batches > 0) out.push(["switchyard_otlp_batches_dropped_total", [], tally.dropped_batches]);
  return out;
}

/**
 * A batch's increments as the stats object needs them: each counter series once, its values summed, with how many
 * increments it stands for; histogram observations one by one (their buckets need each value). Anything the aggregate
 * would refuse is passed on as it is, to be refused there. Every request adds about nine increments, seven of them to
 * counters a busy isolate repeats, so the one stats object of the deployment gets a few per series per batch, not
 * nine per request.
 */
export function foldIncrements(increments: readonly MetricIncrement[]): MetricIncrement[] {
  const out: MetricIncrement[] = [];
  const counters = new Map<string, MetricIncrement>();
  for (const raw of increments) {
    const inc = validIncrement(raw);
    if (inc === null || METRICS[inc[0]].type !== "counter") {
      out.push(raw);
      continue;
    }
    const key = seriesKey(inc[0], inc[1]);
    const folded = counters.get(key);
    if (folded === undefined) {
      // A series seen once goes as it came: three elements, as every version of the stats object reads them.
      const first: MetricIncrement = inc[3] === undefined ? [inc[0], inc[1], inc[2]] : [inc[0], inc[1], inc[2], inc[3]];
      counters.set(key, first);
      out.push(first);
    } else {
      folded[2] += inc[2];
      folded[3] = (folded[3] ?? 1) + (inc[3] ?? 1);
    }
  }
  return out;
}

/** A series as stored: a counter's value, or a histogram's cumulative-free bucket counts, sum and count. */
export type SeriesValue = { value: number } | { buckets: number[]; sum: number; count: number };

export interface Series {
  name: MetricName;
  labels: string[];
  data: SeriesValue;
}

/** At most this many series are kept (label sets are bounded by the registry; this bounds the rest). */
export const MAX_SERIES = 5000;
export const MAX_LABEL_LENGTH = 128;

export const seriesKey = (name: string, labels: readonly string[]) => JSON.stringify([name, ...labels]);

/**
 * The deployment's series, folded from increments. Refuses unknown names, wrong label counts and values that are
 * not finite and non-negative; past MAX_SERIES a new series is not made and its increment is counted as dropped.
 */
export class MetricAggregate {
  readonly series = new Map<string, Series>();
  dropped = 0;

  /** Applies increments; returns the keys of the series it changed (for the caller to persist). */
  apply(increments: readonly unknown[]): Set<string> {
    const touched = new Set<string>();
    for (const raw of increments) {
      const inc = validIncrement(raw);
      if (inc === null) continue;
      const [name, labels, value, folded = 1] = inc;
      const def: CounterDef | HistogramDef = METRICS[name];
      const key = seriesKey(name, labels);
      let series = this.series.get(key);
      if (series === undefined) {
        if (this.series.size >= MAX_SERIES) {
          this.dropped += folded;
          continue;
        }
        const data: SeriesValue =
          def.type === "counter" ? { value: 0 } : { buckets: def.buckets.map(() => 0), sum: 0, count: 0 };
        series = { name, labels, data };
        this.series.set(key, series);
      }
      if ("value" in series.data) series.data.value += value;
      else if (def.type === "histogram") {
        const i = def.buckets.findIndex((le) => value <= le);
        if (i >= 0) series.data.buckets[i] = (series.data.buckets[i] ?? 0) + 1;
        series.data.sum += value;
        series.data.count += 1;
      }
      touched.add(key);
    }
    return touched;
  }
}

function validIncrement(raw: unknown): MetricIncrement | null {
  if (!Array.isArray(raw) || raw.length < 3 || raw.length > 4) return null;
  const [name, labels, value, folded] = raw as [unknown, unknown, unknown, unknown];
  if (typeof name !== "string" || !Object.hasOwn(METRICS, name)) return null;
  const def = METRICS[name as MetricName];
  if (!Array.isArray(labels) || labels.length !== def.labels.length) return null;
  if (!labels.every((l) => typeof l === "string" && l.length <= MAX_LABEL_LENGTH)) return null;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) return null;
  if (folded === undefined) return [name as MetricName, labels as string[], value];
  // Only a counter's increments are ever folded, and into at least one.
  if (def.type !== "counter" || !Number.isSafeInteger(folded) || (folded as number) < 1) return null;
  return [name as MetricName, labels as string[], value, folded as number];
}

/** A gauge read at scrape time (circuits, budgets, limits, the aggregate's own size). */
export interface Gauge {
  name: string;
  help: string;
  samples: { labels: Record<string, string>; value: number }[];
}

/** The text exposition format: HELP and TYPE once per family, families in catalog order, then the gauges. */
export function renderPrometheus(series: Iterable<Series>, gauges: readonly Gauge[], dropped: number): string {
  const byName = new Map<MetricName, Series[]>();
  for (const s of series) {
    const list = byName.get(s.name) ?? [];
    list.push(s);
    byName.set(s.name, list);
  }
  const lines: string[] = [];
  for (const name of Object.keys(METRICS) as MetricName[]) {
    const def: CounterDef | HistogramDef = METRICS[name];
    lines.push(`# HELP ${name} ${escapeHelp(def.help)}`, `# TYPE ${name} ${def.type}`);
    const list = (byName.get(name) ?? []).sort((a, b) =>
      seriesKey(a.name, a.labels).localeCompare(seriesKey(b.name, b.labels)),
    );
    for (const s of list) {
      const labels = Object.fromEntries(def.labels.map((l, i) => [l, s.labels[i] ?? ""]));
      if ("value" in s.data) {
        const value = def.type === "counter" && def.pico === true ? s.data.value / PICO : s.data.value;
        lines.push(`${name}${labelText(labels)} ${num(value)}`);
        continue;
      }
      if (def.type !== "histogram") continue;
      let cumulative = 0;
      def.buckets.forEach((le, i) => {
        cumulative += "buckets" in s.data ? (s.data.buckets[i] ?? 0) : 0;
        lines.push(`${name}_bucket${labelText({ ...labels, le: num(le) })} ${cumulative}`);
      });
      lines.push(`${name}_bucket${labelText({ ...labels, le: "+Inf" })} ${s.data.count}`);
      lines.push(`${name}_sum${labelText(labels)} ${num(s.data.sum)}`);
      lines.push(`${name}_count${labelText(labels)} ${s.data.count}`);
    }
  }
  const all: Gauge[] = [
    ...gauges,
    {
      name: "switchyard_metrics_series_dropped_total",
      help: "Increments not aggregated because the series limit was reached.",
      samples: [{ labels: {}, value: dropped }],
    },
  ];
  for (const g of all) {
    const type = g.name.endsWith("_total") ? "counter" : "gauge";
    lines.push(`# HELP ${g.name} ${escapeHelp(g.help)}`, `# TYPE ${g.name} ${type}`);
    for (const s of g.samples) lines.push(`${g.name}${labelText(s.labels)} ${num(s.value)}`);
  }
  return `${lines.join("\n")}\n`;
}

function labelText(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return "";
  return `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}`;
}

const escapeLabel = (v: string) => v.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll('"', '\\"');
const escapeHelp = (v: string) => v.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");

function num(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Number.POSITIVE_INFINITY) return "+Inf";
  if (v === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(v);
}
