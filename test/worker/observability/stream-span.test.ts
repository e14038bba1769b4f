// How long a streamed attempt lasts in the trace and in the stats routes.
import { describe, expect, it } from "vitest";
import { body } from "../failover/helpers.ts";
import { call, chat, newSession, sseData } from "../gateway.ts";
import { newReceiver, type ReceivedSpan, spansArrived } from "./receiver.ts";

const durationMs = (s: ReceivedSpan | undefined) =>
  s === undefined ? Number.NaN : Number(BigInt(s.endTimeUnixNano) - BigInt(s.startTimeUnixNano)) / 1e6;

interface Point {
  ok: number;
  latency_ms: { p50: number } | null;
  ttft_ms: { p50: number } | null;
}

describe("streamed attempts", () => {
  // OTel GenAI semconv (gen-ai-spans): "GenAI spans ... SHOULD cover the duration of the operation, starting when it
  // is initiated and ending when the response is fully received". DESIGN, Observability: "one [span] per attempt".
  // A streamed attempt's client span (and its ledger row, which /v1/stats/timeseries charts as latency) ends at the
  // first chunk: its "latency" is its time to first token, while /v1/health/providers reports the whole stream.
  it("a streamed attempt's span and its timeseries latency cover the whole stream, as health's latency does", async () => {
    const receiver = await newReceiver();
    const workspace = `stream-span-${crypto.randomUUID()}`;
    // Twelve chunks 50 ms apart: the answer takes over half a second, its first token well under 100 ms.
    const s = await newSession(
      { chunk_delay_ms: 50 },
      { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: "0" },
    );
    const res = await chat(
      s.env,
      body(["openai/gpt-4o-mini"], { stream: true, router: { fallback: false, workspace_id: workspace } }),
    );
    expect((await sseData(res)).at(-1)).toBe("[DONE]");
    const spans = await spansArrived(receiver, 2, 60);
    const root = spans.find((x) => x.kind === 2);
    const attempt = spans.find((x) => x.kind === 3);
    expect(durationMs(root)).toBeGreaterThan(400);

    await new Promise((r) => setTimeout(r, 100));
    const health = (await (await call(s.env, "/v1/health/providers")).json()) as {
      providers: { provider: string; latency_ms: { p50: number | null } }[];
    };
    const healthLatency = health.providers.find((p) => p.provider === "openai")?.latency_ms.p50 ?? 0;
    const ts = (await (await call(s.env, `/v1/stats/timeseries?workspace_id=${workspace}`)).json()) as {
      series: { provider: string; points: Point[] }[];
    };
    const point = ts.series.find((x) => x.provider === "openai")?.points.at(-1);
    expect(healthLatency).toBeGreaterThan(400);
    expect({
      attempt_span_ms_over_400: durationMs(attempt) > 400,
      timeseries_latency_over_400: (point?.latency_ms?.p50 ?? 0) > 400,
    }).toEqual({ attempt_span_ms_over_400: true, timeseries_latency_over_400: true });
  });
});
