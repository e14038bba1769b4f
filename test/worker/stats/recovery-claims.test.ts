// Circuits as a user meets them when a provider has an outage and comes back: a half-open probe whose outcome says
// nothing of health (its client left, the caller's own clock ran out) lets go of its claim, so the next request probes;
// a caller's shortened deadline never opens a healthy model's circuit; the provider-wide circuit reopens when its
// probe fails and its cooldowns are jittered, as DESIGN's Recovery bullet says of every circuit.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, chat, newSession } from "../gateway.ts";
import { endCooldowns, posts, send, stub } from "./circuit-helpers.ts";

const CHAIN = ["openai/gpt-4o-mini", "mistral/mistral-small-latest"];
const plain = (extra: Record<string, unknown> = {}) => ({
  model: CHAIN[0],
  models: CHAIN,
  messages: [{ role: "user", content: "hi" }],
  ...extra,
});
const attemptsOf = async (r: Response) =>
  ((await r.json()) as { x_router: { attempts: { model: string; status: string; error: string | null }[] } }).x_router
    .attempts;

/** Opens openai/gpt-4o-mini's circuit (503s), then makes it slow, ends the cooldown: the next request is its probe. */
async function halfOpenSlowModel() {
  const s = await newSession({ faults: [{ provider: "openai", model: "gpt-4o-mini", mode: "status", status: 503 }] });
  await send(s, 6, CHAIN);
  await s.setFaults([{ provider: "openai", model: "gpt-4o-mini", mode: "slow_headers", delay_ms: 1500 }]);
  await endCooldowns(s);
  return s;
}

describe("a half-open probe whose outcome is not recorded", () => {
  it("whose client left lets go of its claim: the next request probes the model, healthy again", async () => {
    const s = await halfOpenSlowModel();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const gone = await call(s.env, "/v1/chat/completions", { method: "POST", signal: ac.signal, json: plain() });
    expect(gone.status).toBe(499);
    await s.setFaults([]); // healthy again
    await new Promise((r) => setTimeout(r, 300));
    const next = await attemptsOf(await chat(s.env, plain()));
    expect(next[0]).toMatchObject({ model: "gpt-4o-mini", status: "ok" });
  });

  it("cut by the caller's own tight headers clock lets go of its claim: the next request probes", async () => {
    const s = await halfOpenSlowModel();
    const probe = await attemptsOf(await chat(s.env, plain({ router: { timeouts: { headers_ms: 300 } } })));
    expect(probe[0]).toMatchObject({ model: "gpt-4o-mini", status: "failed" });
    await s.setFaults([]);
    await new Promise((r) => setTimeout(r, 300));
    const next = await attemptsOf(await chat(s.env, plain()));
    expect(next[0]).toMatchObject({ model: "gpt-4o-mini", status: "ok" });
  });
});

describe("a caller's own tight deadline", () => {
  it("total_ms 2000 in five requests never opens the circuit of a model that answers in 1.5 s", async () => {
    const s = await newSession({
      faults: [{ provider: "openai", model: "gpt-4o-mini", mode: "slow_headers", delay_ms: 1500 }],
    });
    for (let i = 0; i < 5; i++)
      await chat(s.env, plain({ router: { timeouts: { total_ms: 2000 } } })).then((r) => r.text());
    const model = (await stub(s.env).snapshot()).models["openai/gpt-4o-mini"];
    expect(model?.circuit ?? "closed").toBe("closed");
    // A request with the default clocks would have been served by it.
  }, 30_000);
});

describe("the provider-wide circuit opened because most of its models fail", () => {
  it("opens again (down) when its probe fails, not left half-open (degraded)", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "status", status: 503 }] });
    const models = ["openai/gpt-4o-mini", "openai/gpt-4.1-mini", "mistral/mistral-small-latest"];
    await send(s, 4, models);
    expect((await stub(s.env).snapshot()).providers.openai?.circuit).toBe("open");
    await endCooldowns(s);
    const before = (await posts(s, "openai")).length;
    await send(s, 1, models);
    expect((await posts(s, "openai")).length).toBe(before + 1); // the one probe, failed
    const provider = (await stub(s.env).snapshot()).providers.openai!;
    expect(provider.circuit).toBe("open");
    expect(provider.status).toBe("down");
  });

  it("has a jittered cooldown, not exactly cooldown_ms every time", async () => {
    const cooldowns = new Set<number>();
    for (let i = 0; i < 6; i++) {
      const stats = env.STATS.get(env.STATS.idFromName(`circuit-jitter-${crypto.randomUUID()}`));
      const at = Date.now();
      const fail = (model: string) => ({
        provider: "openai" as const,
        model,
        at,
        ok: false,
        kind: "server" as const,
        http_status: 503,
        latency_ms: 5,
        ttft_ms: null,
        error: "503",
      });
      const batch = [];
      for (let k = 0; k < 5; k++) batch.push(fail("gpt-4o-mini"), fail("gpt-4.1-mini"));
      const snap = await stats.record(batch);
      cooldowns.add(snap.providers.openai!.open_until! - at);
    }
    expect(cooldowns.size).toBeGreaterThan(1);
  });
});
