// Every finished request's metric increments, handed to the stats cache's batched write (src/stats/stats-cache.ts):
// the stats object aggregates them for the whole deployment, so a scrape of any isolate sees every isolate's counts.
import type { Env } from "../env.ts";
import type { CompletionRecord, RequestSink } from "../ledger/record.ts";
import type { StatsCache } from "../stats/stats-cache.ts";
import { requestIncrements, tallyIncrements } from "./metrics.ts";
import type { TraceExporter } from "./trace-sink.ts";

export class MetricsSink implements RequestSink {
  readonly #env: Env;
  readonly #ctx: { waitUntil(promise: Promise<unknown>): void };
  readonly #cache: StatsCache;
  readonly #traces: TraceExporter;

  constructor(env: Env, ctx: { waitUntil(promise: Promise<unknown>): void }, cache: StatsCache, traces: TraceExporter) {
    this.#env = env;
    this.#ctx = ctx;
    this.#cache = cache;
    this.#traces = traces;
  }

  async complete(record: CompletionRecord): Promise<void> {
    // The exporter's tally (exports finished since the last request) rides along with this request's counts.
    const increments = [...requestIncrements(record), ...tallyIncrements(this.#traces.drain())];
    this.#cache.recordMetrics(this.#env, this.#ctx, increments);
  }

  /** A refusal is counted as any request is: by its status (429, 402), with no provider. */
  refused(record: CompletionRecord): Promise<void> {
    return this.complete(record);
  }
}
