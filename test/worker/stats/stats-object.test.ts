// The stats Durable Object: outcomes and probes in, circuits and percentiles out, kept in SQLite, keyed per model.
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Outcome } from "../../../src/stats/health.ts";
import type { StatsObject } from "../../../src/stats/stats-object.ts";

let n = 0;
/** A fresh instance per test: storage is shared by the tests of a file. */
const fresh = () => env.STATS.get(env.STATS.idFromName(`stats-object-test-${n++}`));

const out = (o: Partial<Outcome> & Pick<Outcome, "provider" | "model">): Outcome => ({
  at: Date.now(),
  ok: true,
  kind: null,
  http_status: 200,
  latency_ms: 800,
  ttft_ms: 200,
  error: null,
  ...o,
});
const fail = (provider: Outcome["provider"], model: string, kind: Outcome["kind"], status: number | null) =>
  out({ provider, model, ok: false, kind, http_status: status, error: `${kind} ${status}` });

describe("StatsObject", () => {
  it("keeps outcomes, success rate and latency/TTFT percentiles per model, and stores them in SQLite", async () => {
    const stub = fresh();
    const outcomes = Array.from({ length: 20 }, (_, i) =>
      out({ provider: "openai", model: "gpt-4o-mini", latency_ms: 100 * (i + 1), ttft_ms: 50 }),
    );
    await stub.record([...outcomes, fail("openai", "gpt-4o-mini", "server", 500)]);
    const snap = await stub.snapshot();
    const m = snap.models["openai/gpt-4o-mini"]!;
    expect(m.requests).toBe(21);
    expect(m.success_rate).toBeCloseTo(20 / 21, 5);
    expect(m.latency_ms!.p50).toBeGreaterThan(900);
    expect(m.latency_ms!.p50).toBeLessThan(1100);
    expect(m.latency_ms!.p95).toBeGreaterThan(1800);
    expect(m.ttft_ms!.p50).toBeGreaterThan(45);
    expect(m.last_error).toBe("server 500");
    expect(snap.providers.openai).toMatchObject({ circuit: "closed", status: "healthy", misconfigured: false });
    const rows = await runInDurableObject(stub, (_i: StatsObject, state) =>
      state.storage.sql.exec<{ key: string; kind: string }>("SELECT key, kind FROM health ORDER BY key").toArray(),
    );
    expect(rows).toEqual([
      { key: "openai", kind: "provider" },
      { key: "openai/gpt-4o-mini", kind: "model" },
    ]);
  });

  it("one broken model opens its own circuit, never its siblings' or the provider's", async () => {
    const stub = fresh();
    await stub.record([out({ provider: "openai", model: "gpt-4.1-mini" })]);
    const snap = await stub.record(Array.from({ length: 5 }, () => fail("openai", "gpt-4o-mini", "server", 503)));
    expect(snap.models["openai/gpt-4o-mini"]!.circuit).toBe("open");
    expect(snap.models["openai/gpt-4.1-mini"]!.circuit).toBe("closed");
    expect(snap.providers.openai).toMatchObject({ circuit: "closed", status: "degraded" });
  });

  it("connection failures open the provider-wide circuit, without blaming a model", async () => {
    const stub = fresh();
    const snap = await stub.record(
      Array.from({ length: 5 }, (_, i) =>
        fail("mistral", i % 2 ? "mistral-small-latest" : "codestral-latest", "network", null),
      ),
    );
    expect(snap.providers.mistral).toMatchObject({ circuit: "open", status: "down" });
    expect(snap.models["mistral/mistral-small-latest"]!.circuit).toBe("closed");
  });

  it("most of a provider's models failing opens the provider-wide circuit", async () => {
    const stub = fresh();
    await stub.record([out({ provider: "together", model: "deepseek-ai/DeepSeek-V3" })]);
    const broken = ["meta-llama/Llama-3.3-70B-Instruct-Turbo", "Qwen/Qwen2.5-Coder-32B-Instruct"];
    const snap = await stub.record(
      broken.flatMap((m) => Array.from({ length: 5 }, () => fail("together", m, "server", 500))),
    );
    expect(snap.providers.together!.circuit).toBe("open");
  });

  it("a 401 marks the provider misconfigured (down) until a success or a good probe", async () => {
    const stub = fresh();
    let snap = await stub.record([fail("anthropic", "claude-haiku-4-5-20251001", "auth", 401)]);
    expect(snap.providers.anthropic).toMatchObject({ misconfigured: true, status: "down" });
    snap = await stub.recordProbes(
      [{ provider: "anthropic", at: Date.now(), ok: true, kind: null, latency_ms: 40, error: null }],
      null,
    );
    expect(snap.providers.anthropic).toMatchObject({ misconfigured: false, last_probe_ok: true });
    expect(snap.providers.anthropic!.last_probe_at).toBeGreaterThan(0);
  });

  it("caller errors (400, content policy, context length) say nothing about health", async () => {
    const stub = fresh();
    const snap = await stub.record([
      fail("openai", "gpt-4o-mini", "invalid_request", 400),
      fail("openai", "gpt-4o-mini", "content_policy", 400),
      fail("openai", "gpt-4o-mini", "context_length", 400),
    ]);
    expect(snap.models["openai/gpt-4o-mini"]).toBeUndefined();
  });

  it("probes feed the provider circuit, and keep Ollama's installed models", async () => {
    const stub = fresh();
    const probe = {
      provider: "ollama" as const,
      at: Date.now(),
      ok: false,
      kind: "network" as const,
      latency_ms: 5,
      error: "probe: refused",
    };
    let snap = await stub.recordProbes([probe], null);
    expect(snap.providers.ollama).toMatchObject({ circuit: "closed", status: "degraded", last_probe_ok: false });
    for (let i = 0; i < 4; i++) snap = await stub.recordProbes([probe], null);
    expect(snap.providers.ollama!.circuit).toBe("open");
    snap = await stub.recordProbes([{ ...probe, ok: true, kind: null, error: null }], ["llama3", "phi4-mini"]);
    expect(snap.providers.ollama).toMatchObject({ circuit: "closed", ramp_share: 0.5 });
    expect(snap.ollama_models).toEqual(["llama3", "phi4-mini"]);
    // A sweep where Ollama did not answer leaves the list as it was.
    snap = await stub.recordProbes([], null);
    expect(snap.ollama_models).toEqual(["llama3", "phi4-mini"]);
  });

  it("drops malformed outcomes without throwing, and keeps the good ones of the batch", async () => {
    const stub = fresh();
    const snap = await stub.record([
      { provider: "nope", model: "x" } as unknown as Outcome,
      out({ provider: "openai", model: "gpt-4o" }),
    ]);
    expect(Object.keys(snap.models)).toEqual(["openai/gpt-4o"]);
  });

  it("survives eviction: state is in SQLite, not memory", async () => {
    const id = `stats-object-test-persist-${n++}`;
    await env.STATS.get(env.STATS.idFromName(id)).record(
      Array.from({ length: 5 }, () => fail("openai", "gpt-4o", "timeout", null)),
    );
    const stub = env.STATS.get(env.STATS.idFromName(id));
    await evictDurableObject(stub);
    expect((await env.STATS.get(env.STATS.idFromName(id)).snapshot()).models["openai/gpt-4o"]!.circuit).toBe("open");
  });
});
