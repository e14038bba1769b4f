// GET /v1/health/providers: the contract's shape, live numbers after traffic, unconfigured providers, and never a key.
import { describe, expect, it } from "vitest";
import { redact } from "../../../src/http/health-route.ts";
import { call, chat, newSession, PROVIDERS } from "../gateway.ts";

interface View {
  provider: string;
  configured: boolean;
  status: string;
  circuit: string;
  success_rate: number | null;
  latency_ms: { p50: number; p95: number } | null;
  ttft_ms: { p50: number; p95: number } | null;
  last_error: string | null;
  last_probe_at: string | null;
}

const ask = (model: string, stream = false) => ({
  model,
  messages: [{ role: "user", content: "hi" }],
  stream,
  router: { timeouts: { total_ms: 4000 } },
});

describe("GET /v1/health/providers", () => {
  it("lists all five providers in the contract's shape, healthy with no data yet", async () => {
    const s = await newSession();
    const res = await call(s.env, "/v1/health/providers");
    expect(res.status).toBe(200);
    const { providers } = (await res.json()) as { providers: View[] };
    expect(providers.map((p) => p.provider)).toEqual(PROVIDERS);
    for (const p of providers) {
      expect(Object.keys(p)).toEqual(
        expect.arrayContaining([
          "provider",
          "configured",
          "status",
          "circuit",
          "success_rate",
          "latency_ms",
          "ttft_ms",
          "last_error",
          "last_probe_at",
        ]),
      );
      expect(p).toMatchObject({
        configured: true,
        status: "healthy",
        circuit: "closed",
        success_rate: null,
        // DESIGN's shape holds with no data yet: the percentiles are there, and null.
        latency_ms: { p50: null, p95: null },
        ttft_ms: { p50: null, p95: null },
        last_probe_at: null,
      });
    }
  });

  it("shows live success rate and latency/TTFT percentiles after traffic", async () => {
    const s = await newSession({ chunk_delay_ms: 20 });
    for (let i = 0; i < 3; i++) await (await chat(s.env, ask("openai/gpt-4o-mini", true))).text();
    await (await chat(s.env, ask("openai/gpt-4o-mini"))).json();
    // Stream outcomes are written when the stream ends, through waitUntil; give them a moment to land.
    await new Promise((r) => setTimeout(r, 100));
    const { providers } = (await (await call(s.env, "/v1/health/providers")).json()) as { providers: View[] };
    const openai = providers.find((p) => p.provider === "openai")!;
    expect(openai.success_rate).toBe(1);
    expect(openai.latency_ms!.p95).toBeGreaterThanOrEqual(openai.latency_ms!.p50);
    // Twelve chunks 20 ms apart: a streamed answer takes well over 100 ms, its first token far less.
    expect(openai.latency_ms!.p95).toBeGreaterThan(100);
    expect(openai.ttft_ms!.p50).toBeLessThan(openai.latency_ms!.p95);
  });

  it("an unconfigured provider says so", async () => {
    const s = await newSession({}, { MISTRAL_API_KEY: undefined });
    const { providers } = (await (await call(s.env, "/v1/health/providers")).json()) as { providers: View[] };
    expect(providers.find((p) => p.provider === "mistral")).toMatchObject({
      configured: false,
      status: "unconfigured",
    });
  });

  it("reports the last error after a failure, and never a key", async () => {
    const s = await newSession(
      { faults: [{ provider: "openai", mode: "status", status: 401 }] },
      { OPENAI_API_KEY: "sk-live-abcdefghijklmnop" },
    );
    await chat(s.env, { ...ask("openai/gpt-4o-mini"), models: ["openai/gpt-4o-mini", "mistral/mistral-small-latest"] });
    const text = await (await call(s.env, "/v1/health/providers")).text();
    const { providers } = JSON.parse(text) as { providers: View[] };
    expect(providers.find((p) => p.provider === "openai")).toMatchObject({ status: "down" });
    expect(providers.find((p) => p.provider === "openai")!.last_error).toBeTruthy();
    for (const secret of ["sk-live-abcdefghijklmnop", "sk-ant-test", "test-mistral", "test-together"])
      expect(text).not.toContain(secret);
  });

  it("redacts keys a provider echoes in its error messages", () => {
    const env = { OPENAI_API_KEY: "sk-live-abcdefghijklmnop" } as Parameters<typeof redact>[1];
    expect(redact("Incorrect API key provided: sk-live-abcdefghijklmnop.", env)).toBe(
      "Incorrect API key provided: [redacted].",
    );
    expect(redact("Incorrect API key provided: sk-proj-****wxyz", env)).toBe("Incorrect API key provided: [redacted]");
    expect(redact("model not found", env)).toBe("model not found");
  });
});
