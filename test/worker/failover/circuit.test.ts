// The circuit breaker end to end: a dead model or provider is not hammered, one probe after the cooldown, then closed.
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Env } from "../../../src/env.ts";
import type { StatsObject } from "../../../src/stats/stats-object.ts";
import { call, chat, newSession, type Session } from "../gateway.ts";
import { body, completionCalls } from "./helpers.ts";

const CHAIN = ["openai/gpt-4o-mini", "mistral/mistral-small-latest"];

interface Answer {
  x_router: { provider: string; attempts: { provider: string; model: string; status: string; error: string | null }[] };
}
interface Health {
  providers: {
    provider: string;
    status: string;
    circuit: string;
    success_rate: number | null;
    misconfigured: boolean;
  }[];
}

function stub(env: Env) {
  return env.STATS.get(env.STATS.idFromName(env.STATS_INSTANCE ?? "global"));
}

/** Pretends the cooldown has passed: every open circuit's open_until moves to the past, and the isolate re-reads. */
async function endCooldowns(s: Session): Promise<void> {
  await runInDurableObject(stub(s.env), (_instance: StatsObject, state) => {
    state.storage.sql.exec(
      "UPDATE health SET body = json_set(body, '$.circuit.open_until', 1) WHERE json_extract(body, '$.circuit.state') = 'open'",
    );
  });
  // The object keeps its rows in memory too: evict it so it re-reads the edited ones.
  await evictDurableObject(stub(s.env));
  // The health endpoint reads fresh stats, which refreshes this isolate's cached snapshot.
  await call(s.env, "/v1/health/providers");
}

async function send(s: Session, n: number, models = CHAIN): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let i = 0; i < n; i++) {
    const res = await chat(s.env, body(models));
    expect(res.status).toBe(200);
    answers.push((await res.json()) as Answer);
  }
  return answers;
}

describe("a dead model", () => {
  it("15 requests reach it at most failure_threshold + one retry times; every request is answered", async () => {
    const s = await newSession({ faults: [{ provider: "openai", model: "gpt-4o-mini", mode: "status", status: 503 }] });
    const answers = await send(s, 15);
    expect(answers.every((a) => a.x_router.provider === "mistral")).toBe(true);
    // failure_threshold is 5; the request that opens the circuit may still be on its retry: 6 at most, not 15 x 2.
    expect((await completionCalls(s, "openai")).length).toBeLessThanOrEqual(6);
  });

  it("does not trip its healthy siblings at the same provider", async () => {
    const s = await newSession({ faults: [{ provider: "openai", model: "gpt-4o-mini", mode: "status", status: 503 }] });
    await send(s, 6);
    const res = await chat(s.env, body(["openai/gpt-4.1-mini", "mistral/mistral-small-latest"]));
    expect(((await res.json()) as Answer).x_router.provider).toBe("openai");
    const health = (await (await call(s.env, "/v1/health/providers")).json()) as Health;
    const openai = health.providers.find((p) => p.provider === "openai")!;
    expect(openai.circuit).toBe("closed");
    expect(openai.status).toBe("degraded");
  });

  it("after the cooldown one probe closes the circuit, and traffic returns", async () => {
    const s = await newSession({ faults: [{ provider: "openai", model: "gpt-4o-mini", mode: "status", status: 503 }] });
    await send(s, 6);
    const before = (await completionCalls(s, "openai")).length;
    await s.setFaults([]);
    await endCooldowns(s);
    const [probe] = await send(s, 1);
    expect(probe!.x_router.provider).toBe("openai");
    expect((await completionCalls(s, "openai")).length).toBe(before + 1);
    const snapshot = await stub(s.env).snapshot();
    expect(snapshot.models["openai/gpt-4o-mini"]).toMatchObject({ circuit: "closed", ramp_share: 0.5 });
    // The ramp: a share of the next requests go back to openai (the rest try it after mistral), rising to all as
    // its successes come in. Random by design, so send until the ramp completes, within a generous bound.
    let share = 0.5;
    let sent = 0;
    while (share < 1 && sent < 60) {
      await send(s, 1);
      sent++;
      share = (await stub(s.env).snapshot()).models["openai/gpt-4o-mini"]!.ramp_share!;
    }
    expect(share).toBe(1);
    expect(sent).toBeGreaterThanOrEqual(4);
  });

  it("while ramping back, a request whose only candidate is that model still gets it (deferred, never dropped)", async () => {
    const s = await newSession({ faults: [{ provider: "openai", model: "gpt-4o-mini", mode: "status", status: 503 }] });
    await send(s, 6);
    await s.setFaults([]);
    await endCooldowns(s);
    await send(s, 1);
    const answers = await send(s, 4, ["openai/gpt-4o-mini"]);
    expect(answers.every((a) => a.x_router.provider === "openai")).toBe(true);
  });

  it("a failed probe reopens the circuit for longer, costing one call", async () => {
    const s = await newSession({ faults: [{ provider: "openai", model: "gpt-4o-mini", mode: "status", status: 503 }] });
    await send(s, 6);
    const before = (await completionCalls(s, "openai")).length;
    await endCooldowns(s);
    const t0 = Date.now();
    const [answer] = await send(s, 1);
    expect(answer!.x_router.provider).toBe("mistral");
    expect((await completionCalls(s, "openai")).length).toBe(before + 1);
    const model = (await stub(s.env).snapshot()).models["openai/gpt-4o-mini"]!;
    expect(model.circuit).toBe("open");
    // Twice the 15 s cooldown after a failed probe, capped at 25 s, less up to 20% jitter: bounded, never growing on.
    expect(model.open_until!).toBeGreaterThanOrEqual(t0 + 20_000);
    expect(model.open_until!).toBeLessThanOrEqual(Date.now() + 25_000);
    await send(s, 5);
    expect((await completionCalls(s, "openai")).length).toBe(before + 1);
  });

  it("while half-open, concurrent requests send one probe, not a burst", async () => {
    const s = await newSession({ faults: [{ provider: "openai", model: "gpt-4o-mini", mode: "status", status: 503 }] });
    await send(s, 6);
    const before = (await completionCalls(s, "openai")).length;
    await s.setFaults([{ provider: "openai", model: "gpt-4o-mini", mode: "slow_headers", delay_ms: 300 }]);
    await endCooldowns(s);
    const answers = await Promise.all(
      [0, 1, 2, 3, 4].map(() => chat(s.env, body(CHAIN)).then((r) => r.json() as Promise<Answer>)),
    );
    expect((await completionCalls(s, "openai")).length).toBe(before + 1);
    expect(answers.filter((a) => a.x_router.provider === "openai")).toHaveLength(1);
    expect(answers.filter((a) => a.x_router.provider === "mistral")).toHaveLength(4);
  });
});

describe("broken streams count against the model", () => {
  it("streams cut after their first chunk open the model's circuit like any other failure", async () => {
    const s = await newSession({
      faults: [{ provider: "openai", model: "gpt-4o-mini", mode: "cut", after_chunks: 3 }],
    });
    for (let i = 0; i < 5; i++) {
      const res = await chat(s.env, body(CHAIN, { stream: true }));
      // Each is continued on Mistral (docs/failover.md), but the broken leg still counts against OpenAI's model.
      expect(await res.text()).toContain("[DONE]");
      // The stream's outcome is written when it ends, through waitUntil: let it land.
      await new Promise((r) => setTimeout(r, 50));
    }
    const model = (await stub(s.env).snapshot()).models["openai/gpt-4o-mini"]!;
    expect(model).toMatchObject({ circuit: "open", success_rate: 0 });
    expect(model.last_error).toMatch(/cut/);
    const res = await chat(s.env, body(CHAIN, { stream: true }));
    expect(res.headers.get("x-router-provider")).toBe("mistral");
    expect(await completionCalls(s, "openai")).toHaveLength(5);
  });
});

describe("a dead provider", () => {
  it("connection resets open the provider-wide circuit: 15 requests reach it at most 6 times", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "reset" }] });
    const answers = await send(s, 15, ["openai/gpt-4o-mini", "openai/gpt-4.1-mini", "mistral/mistral-small-latest"]);
    expect(answers.every((a) => a.x_router.provider === "mistral")).toBe(true);
    expect((await completionCalls(s, "openai")).length).toBeLessThanOrEqual(6);
    const health = (await (await call(s.env, "/v1/health/providers")).json()) as Health;
    expect(health.providers.find((p) => p.provider === "openai")).toMatchObject({ circuit: "open", status: "down" });
  });

  it("when every candidate is behind an open circuit: 503 with Retry-After, and no upstream call", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "reset" }] });
    for (let i = 0; i < 3; i++) await chat(s.env, body(["openai/gpt-4o-mini"]));
    const before = (await completionCalls(s, "openai")).length;
    const res = await chat(s.env, body(["openai/gpt-4o-mini"]));
    expect(res.status).toBe(503);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await completionCalls(s, "openai")).length).toBe(before);
  });
});

describe("a stats failure never fails a request", () => {
  it("answers with no stats binding at all (static registry only)", async () => {
    const s = await newSession();
    const env = { ...s.env, STATS: undefined as unknown as Env["STATS"] };
    const res = await chat(env, body(CHAIN));
    expect(res.status).toBe(200);
  });

  it("never waits on the stats object: one that never answers does not delay a request", async () => {
    const s = await newSession();
    const never = new Promise<never>(() => undefined);
    const silent = {
      idFromName: () => ({}),
      get: () => ({ snapshot: () => never, record: () => never }),
    } as unknown as Env["STATS"];
    const env = { ...s.env, STATS: silent, STATS_INSTANCE: `silent-${s.id}` };
    const t0 = Date.now();
    // Streamed, so the test reads the answer without waiting for the (never-ending) waitUntil work.
    const res = await chat(env, body(CHAIN, { stream: true }));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("[DONE]");
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it("answers when the stats object throws", async () => {
    const s = await newSession();
    const broken = {
      idFromName: () => ({}),
      get: () => ({
        snapshot: () => Promise.reject(new Error("stats down")),
        record: () => Promise.reject(new Error("stats down")),
      }),
    } as unknown as Env["STATS"];
    const env = { ...s.env, STATS: broken, STATS_INSTANCE: `broken-${s.id}` };
    for (let i = 0; i < 2; i++) expect((await chat(env, body(CHAIN))).status).toBe(200);
  });
});
