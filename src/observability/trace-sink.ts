// Exports each finished request's spans over OTLP/HTTP (JSON), batched per isolate and sent after the response in
// some request's waitUntil. A collector that refuses, fails or hangs costs one bounded fetch in the background:
// never a request's latency or outcome. What was dropped is counted and reaches /metrics with the next metrics write.
import { flushDelayMs, WriteBatcher } from "../core/write-batcher.ts";
import type { CompletionRecord, RequestSink } from "../ledger/record.ts";
import { type ExportSpan, encodeTraces, type OtlpEnv, type OtlpTarget, otlpTarget } from "./otlp.ts";
import { requestSpans } from "./spans.ts";

export const SERVICE_VERSION = "0.1.0";

export interface TraceEnv extends OtlpEnv {
  /** Milliseconds spans may wait to be exported with others (OTel's batch span processor variable; default 1000). */
  OTEL_BSP_SCHEDULE_DELAY?: string;
}

/** A batch this big goes at once (OTel's default export batch size). */
export const MAX_EXPORT_BATCH = 512;
/** Spans waiting in an isolate beyond this are dropped (OTel's default queue size): a dead collector costs no memory. */
export const MAX_QUEUE = 2048;

/** What the exporter did since it was last asked (drained into the metrics; per isolate until then). */
export interface ExportTally {
  exported_spans: number;
  exported_batches: number;
  dropped_spans: number;
  dropped_batches: number;
}

const emptyTally = (): ExportTally => ({
  exported_spans: 0,
  exported_batches: 0,
  dropped_spans: 0,
  dropped_batches: 0,
});

interface WaitUntil {
  waitUntil(promise: Promise<unknown>): void;
}

/** One per isolate: its queue of spans per target and its tally. */
export class TraceExporter {
  readonly #fetch: typeof fetch;
  readonly #targets = new Map<string, OtlpTarget>();
  readonly #batcher: WriteBatcher<string, ExportSpan>;
  #tally = emptyTally();

  constructor(fetchFn: typeof fetch) {
    this.#fetch = fetchFn;
    this.#batcher = new WriteBatcher((key, spans) => this.#sendAll(key, spans));
  }

  /** The sink for one request, or null when tracing is off (no endpoint). */
  sink(env: TraceEnv, ctx: WaitUntil): RequestSink | null {
    const target = otlpTarget(env);
    if (target === null) return null;
    const key = JSON.stringify([target.url, target.headers, target.serviceName]);
    this.#targets.set(key, target);
    const delayMs = flushDelayMs(env.OTEL_BSP_SCHEDULE_DELAY);
    const complete = async (record: CompletionRecord) => {
      const spans = requestSpans(record);
      if (spans.length === 0) return;
      if (this.#batcher.waiting(key) + spans.length > MAX_QUEUE) {
        this.#tally.dropped_spans += spans.length;
        this.#tally.dropped_batches += 1;
        return;
      }
      this.#batcher.add(key, spans, ctx, { delayMs, maxItems: MAX_EXPORT_BATCH });
    };
    // A refused request gets its server span too (no attempt spans: nothing was called).
    return { complete, refused: complete };
  }

  /** The tally since the last call, reset (the metrics sink folds it into the stats object's counters). */
  drain(): ExportTally {
    const tally = this.#tally;
    this.#tally = emptyTally();
    return tally;
  }

  async #sendAll(key: string, spans: ExportSpan[]): Promise<void> {
    const target = this.#targets.get(key);
    if (target === undefined) return;
    for (let i = 0; i < spans.length; i += MAX_EXPORT_BATCH)
      await this.#send(target, spans.slice(i, i + MAX_EXPORT_BATCH));
  }

  /** One POST, at most `timeoutMs`; any failure drops the batch (counted), never throws. */
  async #send(target: OtlpTarget, spans: ExportSpan[]): Promise<void> {
    const body = JSON.stringify(encodeTraces(spans, { serviceName: target.serviceName, version: SERVICE_VERSION }));
    try {
      const res = await this.#fetch(target.url, {
        method: "POST",
        headers: { ...target.headers, "content-type": "application/json" },
        body,
        signal: AbortSignal.timeout(target.timeoutMs),
      });
      await res.body?.cancel();
      if (res.ok) {
        this.#tally.exported_spans += spans.length;
        this.#tally.exported_batches += 1;
        return;
      }
      console.warn(`trace export refused: HTTP ${res.status}; ${spans.length} span(s) dropped`);
    } catch (err) {
      const why = err instanceof Error ? err.name : "error";
      console.warn(`trace export failed (${why}); ${spans.length} span(s) dropped`);
    }
    this.#tally.dropped_spans += spans.length;
    this.#tally.dropped_batches += 1;
  }
}
