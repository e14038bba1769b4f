// The cron health sweep, called as the platform calls it: free listing calls only, results in the same circuits.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Env } from "../../../src/env.ts";
import worker from "../../../src/index.ts";
import { healthSweep } from "../../../src/stats/health-sweep.ts";
import { StatsCache } from "../../../src/stats/stats-cache.ts";
import { call, chat, newSession, type Session } from "../gateway.ts";

async function sweep(env: Env): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/1 * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);
}

interface Health {
  providers: {
    provider: string;
    configured: boolean;
    status: string;
    circuit: string;
    misconfigured: boolean;
    last_probe_at: string | null;
    last_error: string | null;
  }[];
}
const health = async (s: Session) => ((await (await call(s.env, "/v1/health/providers")).json()) as Health).providers;

const LISTINGS: Record<string, string> = {
  openai: "/v1/models",
  // Anthropic pages its listing by 20 unless asked; 1000 is its largest page.
  anthropic: "/v1/models?limit=1000",
  mistral: "/v1/models",
  together: "/v1/models",
  ollama: "/api/tags",
};

describe("health sweep", () => {
  it("probes every configured provider once, with a GET of its model listing and nothing else", async () => {
    const s = await newSession();
    await sweep(s.env);
    const requests = await s.requests();
    expect(requests.map((r) => `${r.method} ${r.provider}${r.path}`).sort()).toEqual(
      Object.entries(LISTINGS)
        .map(([p, path]) => `GET ${p}${path}`)
        .sort(),
    );
    for (const p of await health(s)) {
      expect(p.last_probe_at).not.toBeNull();
      expect(p.status).toBe("healthy");
    }
  });

  it("never probes an unconfigured provider", async () => {
    const s = await newSession({}, { TOGETHER_API_KEY: undefined, OLLAMA_BASE_URL: undefined });
    await sweep(s.env);
    const providers = new Set((await s.requests()).map((r) => r.provider));
    expect([...providers].sort()).toEqual(["anthropic", "mistral", "openai"]);
    const view = await health(s);
    expect(view.find((p) => p.provider === "together")).toMatchObject({
      configured: false,
      status: "unconfigured",
      last_probe_at: null,
    });
  });

  it("Ollama's installed models join the registry as local, free models", async () => {
    const s = await newSession({ ollama_models: ["llama3:latest", "phi4-mini:latest"] });
    await sweep(s.env);
    const models = (await (await call(s.env, "/v1/models")).json()) as {
      data: { id: string; provider: string; pricing: { input: number; output: number } }[];
    };
    const phi = models.data.find((m) => m.id === "ollama/phi4-mini");
    expect(phi).toBeDefined();
    expect(phi!.pricing).toMatchObject({ input: 0, output: 0 });
    // llama3:latest is the listed llama3, not a second entry.
    expect(
      models.data
        .filter((m) => m.id.startsWith("ollama/llama3"))
        .map((m) => m.id)
        .sort(),
    ).toEqual(["ollama/llama3", "ollama/llama3.2"]);
    const res = await chat(s.env, { model: "ollama/phi4-mini", messages: [{ role: "user", content: "hi" }] });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-router-model")).toBe("phi4-mini");
  });

  it("a refused key found by the sweep marks the provider misconfigured; a later good sweep clears it", async () => {
    const s = await newSession({ faults: [{ provider: "anthropic", mode: "status", status: 401 }] });
    await sweep(s.env);
    expect((await health(s)).find((p) => p.provider === "anthropic")).toMatchObject({
      status: "down",
      misconfigured: true,
    });
    // Live traffic now skips it without a call.
    const before = (await s.requests()).filter((r) => r.provider === "anthropic" && r.method === "POST").length;
    await chat(s.env, {
      model: "anthropic/claude-haiku-4-5-20251001",
      models: ["anthropic/claude-haiku-4-5-20251001", "openai/gpt-4o-mini"],
      messages: [{ role: "user", content: "hi" }],
    });
    expect((await s.requests()).filter((r) => r.provider === "anthropic" && r.method === "POST").length).toBe(before);
    // GET /v1/models: `available` is configured and healthy, so a provider marked down is not available.
    const available = async () =>
      ((await (await call(s.env, "/v1/models")).json()) as { data: { provider: string; available: boolean }[] }).data;
    const down = await available();
    expect(down.filter((m) => m.provider === "anthropic").every((m) => !m.available)).toBe(true);
    expect(down.filter((m) => m.provider === "openai").every((m) => m.available)).toBe(true);
    await s.setFaults([]);
    await sweep(s.env);
    expect((await health(s)).find((p) => p.provider === "anthropic")).toMatchObject({
      status: "healthy",
      misconfigured: false,
    });
  });

  it("failed probes feed the provider circuit: an unreachable provider opens it, a good probe closes it", async () => {
    const s = await newSession({ faults: [{ provider: "mistral", mode: "reset" }] });
    for (let i = 0; i < 5; i++) await sweep(s.env);
    expect((await health(s)).find((p) => p.provider === "mistral")).toMatchObject({ circuit: "open", status: "down" });
    const res = await chat(s.env, {
      model: "mistral/mistral-small-latest",
      models: ["mistral/mistral-small-latest", "openai/gpt-4o-mini"],
      messages: [{ role: "user", content: "hi" }],
    });
    expect(res.headers.get("x-router-provider")).toBe("openai");
    expect((await s.requests()).filter((r) => r.provider === "mistral" && r.method === "POST")).toHaveLength(0);
    await s.setFaults([]);
    await sweep(s.env);
    expect((await health(s)).find((p) => p.provider === "mistral")).toMatchObject({ circuit: "closed" });
  });

  it("a hung listing is cut by the probe's clock; the other providers are recorded", async () => {
    const s = await newSession({ faults: [{ provider: "together", mode: "hang" }] });
    const t0 = Date.now();
    const report = await healthSweep(s.env, new StatsCache(Date.now), {
      fetch: (input, init) => fetch(input, init),
      now: Date.now,
      timeoutMs: 300,
    });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(report.results.find((r) => r.provider === "together")).toMatchObject({ ok: false, kind: "timeout" });
    expect(report.results.filter((r) => r.ok)).toHaveLength(4);
    const snapshot = await s.env.STATS.get(s.env.STATS.idFromName(s.env.STATS_INSTANCE!)).snapshot();
    expect(snapshot.providers.together).toMatchObject({ last_probe_ok: false, status: "degraded" });
  });
});
