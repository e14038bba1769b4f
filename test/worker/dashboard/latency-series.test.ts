// latencySeries: attempts folded into per-provider buckets with nearest-rank percentiles over successful attempts only.
import { describe, expect, it } from "vitest";
import { type AttemptSample, latencySeries } from "../../../src/ledger/latency-series.ts";
import { upstreamKind } from "../../../src/providers/upstreams.ts";

const at = (
  created_at: number,
  provider: string,
  status: AttemptSample["status"],
  latency_ms: number,
  ttft_ms: number | null = null,
): AttemptSample => ({ created_at, provider, status, latency_ms, ttft_ms });

describe("latencySeries", () => {
  it("buckets by start time, counts failures apart, ignores skipped attempts and what came before the window", () => {
    const samples = [
      at(1_000, "openai", "ok", 100, 40),
      at(1_500, "openai", "ok", 300, 60),
      at(1_900, "openai", "failed", 30_000),
      at(2_100, "openai", "ok", 200, 50),
      at(2_200, "openai", "skipped", 0),
      at(2_500, "anthropic", "failed", 10),
      at(500, "openai", "ok", 9_999, 9_999),
    ];
    expect(latencySeries(samples, 1_000, 1_000)).toEqual([
      { provider: "anthropic", points: [{ t: 2_000, ok: 0, failed: 1, latency_ms: null, ttft_ms: null }] },
      {
        provider: "openai",
        points: [
          { t: 1_000, ok: 2, failed: 1, latency_ms: { p50: 100, p95: 300 }, ttft_ms: { p50: 40, p95: 60 } },
          { t: 2_000, ok: 1, failed: 0, latency_ms: { p50: 200, p95: 200 }, ttft_ms: { p50: 50, p95: 50 } },
        ],
      },
    ]);
  });

  it("takes nearest-rank percentiles over many values", () => {
    const samples = Array.from({ length: 100 }, (_, i) => at(10, "mistral", "ok", i + 1, null));
    const [series] = latencySeries(samples, 0, 1_000);
    expect(series?.points[0]?.latency_ms).toEqual({ p50: 50, p95: 95 });
    expect(series?.points[0]?.ttft_ms).toBeNull();
  });
});

describe("upstreamKind", () => {
  it("knows the emulator's URL layout from a local server and from a real API", () => {
    expect(upstreamKind("openai", "http://127.0.0.1:8790/openai/v1/models")).toBe("emulator");
    expect(upstreamKind("anthropic", "http://localhost:8790/s/abc-123/anthropic/v1/models")).toBe("emulator");
    expect(upstreamKind("ollama", "http://127.0.0.1:8790/ollama/api/tags")).toBe("emulator");
    expect(upstreamKind("ollama", "http://127.0.0.1:11434/api/tags")).toBe("local");
    expect(upstreamKind("openai", "http://127.0.0.1:4000/v1/models")).toBe("local");
    expect(upstreamKind("openai", "http://127.0.0.1:8790/mistral/v1/models")).toBe("local");
    expect(upstreamKind("openai", "https://api.openai.com/v1/models")).toBe("remote");
    expect(upstreamKind("ollama", "https://ollama.example.com/ollama/api/tags")).toBe("remote");
    expect(upstreamKind("openai", "not a url")).toBe("remote");
  });
});
