// A batch of metric increments folded before it goes to the stats object: the same series, the same refusals.
import { describe, expect, it } from "vitest";
import type { CompletionRecord } from "../../../src/ledger/record.ts";
import {
  foldIncrements,
  MAX_SERIES,
  MetricAggregate,
  type MetricIncrement,
  requestIncrements,
} from "../../../src/observability/metrics.ts";

function record(over: Partial<CompletionRecord> = {}): CompletionRecord {
  return {
    request_id: "req_1",
    created_at: Date.UTC(2026, 11, 2),
    workspace_id: "default",
    execution_id: null,
    dialect: "chat",
    strategy: "balanced",
    chain: null,
    stream: false,
    provider: "openai",
    model: "gpt-4o-mini",
    status: "ok",
    http_status: 200,
    attempts: [
      {
        provider: "openai",
        model: "gpt-4o-mini",
        status: "ok",
        error: null,
        error_kind: null,
        http_status: 200,
        latency_ms: 120,
        ttft_ms: 120,
      },
    ],
    usage: { input_tokens: 9, output_tokens: 9, cached_input_tokens: 0, cache_write_tokens: 0 },
    cost_pico: 6_750_000,
    latency_ms: 130,
    ttft_ms: 125,
    error: null,
    ...over,
  } as CompletionRecord;
}

const applied = (increments: readonly unknown[]) => {
  const aggregate = new MetricAggregate();
  aggregate.apply(increments);
  return aggregate;
};

describe("foldIncrements", () => {
  it("sends each counter series once, summed, and every histogram observation", () => {
    const batch = [
      ...requestIncrements(record({ latency_ms: 130 })),
      ...requestIncrements(
        record({
          latency_ms: 700,
          usage: { input_tokens: 20, output_tokens: 3, cached_input_tokens: 0, cache_write_tokens: 0 },
        }),
      ),
      ...requestIncrements(record({ provider: "anthropic", model: "claude-haiku-4-5", latency_ms: 3000 })),
    ];
    const folded = foldIncrements(batch);
    expect(folded.length).toBeLessThan(batch.length);
    const requests = folded.filter((i) => i[0] === "switchyard_requests_total");
    expect(requests).toHaveLength(2);
    expect(requests.find((i) => i[1][0] === "openai")).toEqual([
      "switchyard_requests_total",
      ["openai", "gpt-4o-mini", "chat", "ok", "200"],
      2,
      2,
    ]);
    const input = folded.find((i) => i[0] === "switchyard_tokens_total" && i[1][0] === "openai" && i[1][2] === "input");
    expect(input?.[2]).toBe(29);
    // A series seen once in the batch goes as it came.
    expect(requests.find((i) => i[1][0] === "anthropic")).toEqual([
      "switchyard_requests_total",
      ["anthropic", "claude-haiku-4-5", "chat", "ok", "200"],
      1,
    ]);
    // A histogram needs each value for its buckets: one observation per request, as before.
    expect(folded.filter((i) => i[0] === "switchyard_request_duration_seconds")).toHaveLength(3);

    const raw = applied(batch);
    const fromFolded = applied(folded);
    expect([...fromFolded.series.entries()]).toEqual([...raw.series.entries()]);
    expect(fromFolded.dropped).toBe(raw.dropped);
  });

  it("passes on what the aggregate refuses, to be refused there", () => {
    const bad = [
      ["switchyard_requests_total", ["openai"], 1],
      ["switchyard_unknown_total", [], 1],
      ["switchyard_cache_saved_usd_total", [], -1],
    ] as unknown as MetricIncrement[];
    expect(foldIncrements(bad)).toEqual(bad);
    expect(applied(foldIncrements(bad)).series.size).toBe(0);
  });

  it("counts every increment a refused folded one stands for as dropped", () => {
    const full = new MetricAggregate();
    full.apply(
      Array.from({ length: MAX_SERIES }, (_, i): MetricIncrement => ["switchyard_cache_requests_total", [`r${i}`], 1]),
    );
    const late: MetricIncrement[] = Array.from({ length: 5 }, () => ["switchyard_hedges_total", ["openai"], 1]);
    const rawFull = new MetricAggregate();
    for (const [k, v] of full.series) rawFull.series.set(k, structuredClone(v));
    rawFull.apply(late);
    full.apply(foldIncrements(late));
    expect(foldIncrements(late)).toEqual([["switchyard_hedges_total", ["openai"], 5, 5]]);
    expect(full.dropped).toBe(5);
    expect(rawFull.dropped).toBe(5);
  });

  it("refuses a fold count that is not a whole number of increments, or on a histogram", () => {
    const aggregate = applied([
      ["switchyard_hedges_total", ["openai"], 2, 0],
      ["switchyard_hedges_total", ["openai"], 2, 1.5],
      ["switchyard_request_duration_seconds", ["openai", "chat", "false"], 0.2, 2],
      ["switchyard_hedges_total", ["openai"], 2, 2],
    ]);
    expect([...aggregate.series.values()]).toEqual([
      { name: "switchyard_hedges_total", labels: ["openai"], data: { value: 2 } },
    ]);
  });
});
