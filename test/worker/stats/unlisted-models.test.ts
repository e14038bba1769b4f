// Invented model names cannot grow the stats object: unlisted models share a bounded set that evicts the least recent.
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Outcome } from "../../../src/stats/health.ts";
import type { StatsObject } from "../../../src/stats/stats-object.ts";
import { UNLISTED_MODELS_CAP } from "../../../src/stats/unlisted-models.ts";
import { chat, newSession } from "../gateway.ts";

let n = 0;
const fresh = (name = `unlisted-test-${n++}`) => env.STATS.get(env.STATS.idFromName(name));

const out = (provider: Outcome["provider"], model: string, at: number, ok = true): Outcome => ({
  provider,
  model,
  at,
  ok,
  kind: ok ? null : "server",
  http_status: ok ? 200 : 500,
  latency_ms: 300,
  ttft_ms: ok ? 100 : null,
  error: ok ? null : "server 500",
});

const modelRows = (stub: DurableObjectStub<StatsObject>) =>
  runInDurableObject(stub, (_i: StatsObject, state) =>
    state.storage.sql
      .exec<{ key: string }>("SELECT key FROM health WHERE kind = 'model' ORDER BY key")
      .toArray()
      .map((r) => r.key),
  );

describe("unlisted models in the stats object", () => {
  it("thousands of invented names leave the rows and the snapshot bounded; listed models stay", async () => {
    const stub = fresh();
    const t0 = Date.now();
    await stub.record([out("openai", "gpt-4o-mini", t0), out("anthropic", "claude-haiku-4-5-20251001", t0)]);
    const baseline = JSON.stringify(await stub.snapshot()).length;
    // 3,000 invented names, 100 per call (the object's batch limit), successes and failures alike.
    for (let batch = 0; batch < 30; batch++) {
      await stub.record(
        Array.from({ length: 100 }, (_, i) =>
          out("openai", `invented-${batch}-${i}-${Math.random().toString(36).slice(2)}`, t0 + batch, i % 2 === 0),
        ),
      );
    }
    const snap = await stub.snapshot();
    const keys = Object.keys(snap.models);
    expect(keys).toHaveLength(UNLISTED_MODELS_CAP + 2);
    expect(keys).toContain("openai/gpt-4o-mini");
    expect(keys).toContain("anthropic/claude-haiku-4-5-20251001");
    // The newest names are the ones kept.
    expect(keys.filter((k) => k.startsWith("openai/invented-29-"))).toHaveLength(UNLISTED_MODELS_CAP);
    const size = JSON.stringify(snap).length;
    expect(size).toBeLessThan(baseline + UNLISTED_MODELS_CAP * 1000);
    expect(await modelRows(stub)).toHaveLength(UNLISTED_MODELS_CAP + 2);

    // The bound holds across a restart, and a listed model's next outcome never evicts anything.
    await evictDurableObject(stub);
    await stub.record([out("openai", "gpt-4o-mini", t0 + 100), out("openai", "invented-late", t0 + 100)]);
    const after = await stub.snapshot();
    expect(Object.keys(after.models)).toHaveLength(UNLISTED_MODELS_CAP + 2);
    expect(after.models["openai/invented-late"]).toBeDefined();
    expect(after.models["openai/gpt-4o-mini"]!.requests).toBe(2);
  });

  it("rows stored beyond the bound (before it existed) are trimmed when the object loads", async () => {
    const stub = fresh();
    const now = Date.now();
    await stub.record([out("openai", "gpt-4o-mini", now)]);
    await runInDurableObject(stub, (_i: StatsObject, state) => {
      for (let i = 0; i < 500; i++) {
        const model = `legacy-${i}`;
        const body = JSON.stringify({
          provider: "openai",
          model,
          circuit: { state: "closed", consecutive_failures: 0, open_until: null, ramp_left: 0, reopen_count: 0 },
          window: [{ start: now - 60_000 + i, ok: 1, failed: 0 }],
          latency: { gen_start: now, cur: {}, prev: {} },
          ttft: { gen_start: now, cur: {}, prev: {} },
          last_error: null,
          last_measured_at: now - 60_000 + i,
        });
        state.storage.sql.exec(
          "INSERT OR REPLACE INTO health (key, kind, body) VALUES (?, 'model', ?)",
          `openai/${model}`,
          body,
        );
      }
    });
    await evictDurableObject(stub);
    const snap = await stub.snapshot();
    expect(Object.keys(snap.models)).toHaveLength(UNLISTED_MODELS_CAP + 1);
    expect(snap.models["openai/legacy-499"]).toBeDefined();
    expect(snap.models["openai/legacy-0"]).toBeUndefined();
    expect(await modelRows(stub)).toHaveLength(UNLISTED_MODELS_CAP + 1);
  });

  it("installed Ollama models are not counted as unlisted; once uninstalled they join the bounded set", async () => {
    const stub = fresh();
    const now = Date.now();
    const installed = Array.from({ length: UNLISTED_MODELS_CAP + 10 }, (_, i) => `local-${i}`);
    await stub.recordProbes([], installed);
    await stub.record(installed.map((m) => out("ollama", m, now)));
    expect(Object.keys((await stub.snapshot()).models)).toHaveLength(UNLISTED_MODELS_CAP + 10);
    await stub.recordProbes([], []);
    expect(Object.keys((await stub.snapshot()).models)).toHaveLength(UNLISTED_MODELS_CAP);
  });

  it("through the gateway: invented `openai/<name>` requests against the emulator keep the stats object bounded", async () => {
    const s = await newSession();
    const names = Array.from({ length: UNLISTED_MODELS_CAP + 40 }, () => `made-up-${crypto.randomUUID()}`);
    for (const name of names) {
      const res = await chat(s.env, { model: `openai/${name}`, messages: [{ role: "user", content: "hi" }] });
      await res.text();
    }
    const stub = fresh(`session-${s.id}`);
    const snap = await stub.snapshot();
    const invented = Object.keys(snap.models).filter((k) => k.startsWith("openai/made-up-"));
    expect(invented.length).toBeGreaterThan(0);
    expect(invented.length).toBeLessThanOrEqual(UNLISTED_MODELS_CAP);
    expect(snap.models[`openai/${names[names.length - 1]}`]).toBeDefined();
  });
});
