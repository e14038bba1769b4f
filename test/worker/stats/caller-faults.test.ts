// What never counts against a provider (a context-length refusal, a client leaving a slow call), a content-policy
// answer releasing a half-open probe's claim, and a listing error that echoes the key shown redacted.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Env } from "../../../src/env.ts";
import worker from "../../../src/index.ts";
import { call, chat, newSession } from "../gateway.ts";
import { endCooldowns, send, stub } from "./circuit-helpers.ts";

const CHAIN = ["openai/gpt-4o-mini", "mistral/mistral-small-latest"];
const plain = { model: CHAIN[0], models: CHAIN, messages: [{ role: "user", content: "hi" }] };

async function sweep(env: Env): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/1 * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);
}

describe("caller faults and departures never count against a provider", () => {
  it("six context-length refusals through the gateway leave no model row and the provider healthy", async () => {
    const s = await newSession({ faults: [{ provider: "openai", model: "gpt-4o-mini", mode: "context_length" }] });
    for (let i = 0; i < 6; i++) await (await chat(s.env, plain)).text();
    const snap = await stub(s.env).snapshot();
    expect(snap.models["openai/gpt-4o-mini"]).toBeUndefined();
    const { providers } = (await (await call(s.env, "/v1/health/providers")).json()) as {
      providers: { provider: string; status: string; circuit: string }[];
    };
    expect(providers.find((p) => p.provider === "openai")).toMatchObject({ status: "healthy", circuit: "closed" });
  });

  it("a client that leaves during a slow non-streaming call records nothing about the model", async () => {
    const s = await newSession({
      faults: [{ provider: "openai", model: "gpt-4o-mini", mode: "slow_headers", delay_ms: 1000 }],
    });
    for (let i = 0; i < 5; i++) {
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 100);
      const r = await call(s.env, "/v1/chat/completions", { method: "POST", signal: ac.signal, json: plain });
      expect(r.status).toBe(499);
    }
    expect((await stub(s.env).snapshot()).models["openai/gpt-4o-mini"]).toBeUndefined();
  });

  it("a half-open probe answered by a caller error (content policy) releases its claim: the next request probes", async () => {
    const s = await newSession({ faults: [{ provider: "openai", model: "gpt-4o-mini", mode: "status", status: 503 }] });
    await send(s, 6, CHAIN);
    await s.setFaults([{ provider: "openai", model: "gpt-4o-mini", mode: "content_policy", times: 1 }]);
    await endCooldowns(s);
    expect((await chat(s.env, plain)).status).toBe(400);
    const res = await chat(s.env, plain);
    const body = (await res.json()) as { x_router: { provider: string } };
    expect(body.x_router.provider).toBe("openai");
  });
});

describe("the sweep's failed listings in /v1/health/providers", () => {
  it("a listing error that echoes the key is shown redacted, with last_probe_at set and the provider degraded", async () => {
    const s = await newSession(
      { faults: [{ provider: "openai", mode: "echo_key", echo: "json", status: 500 }] },
      { OPENAI_API_KEY: "sk-live-abcdefghijklmnop1234" },
    );
    await sweep(s.env);
    const text = await (await call(s.env, "/v1/health/providers")).text();
    expect(text).not.toContain("abcdefghijklmnop1234");
    const openai = (JSON.parse(text) as { providers: Record<string, unknown>[] }).providers.find(
      (p) => p.provider === "openai",
    )!;
    expect(openai).toMatchObject({ status: "degraded", circuit: "closed" });
    expect(String(openai.last_error)).toMatch(/^probe: .*\[redacted\]/);
    expect(typeof openai.last_probe_at).toBe("string");
  });
});
