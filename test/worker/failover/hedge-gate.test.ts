// DESIGN "Failure semantics": "after a cooldown one probe request half-opens it"; "Rescue / Recovery": "probe
// claims are shared by all isolates". A hedge partner is a candidate tried like any other: a half-open circuit gets
// one probe, whether the request reaches it as a fallback or as a hedge.
import { describe, expect, it } from "vitest";
import { chat, newSession, sseData } from "../gateway.ts";
import { endCooldowns, posts, send, stub } from "../stats/circuit-helpers.ts";

const CLOCKS = { headers_ms: 3000, first_token_ms: 6000, idle_ms: 2000, total_ms: 12000 };

describe("a half-open circuit reached as a hedge partner", () => {
  it("concurrent hedged requests send it one probe, not a burst", async () => {
    const s = await newSession({
      faults: [{ provider: "mistral", model: "mistral-small-latest", mode: "status", status: 503 }],
    });
    // Open mistral/mistral-small-latest's circuit (5 failures in a row).
    await send(s, 6, ["mistral/mistral-small-latest", "openai/gpt-4o-mini"]);
    expect((await stub(s.env).snapshot()).models["mistral/mistral-small-latest"]?.circuit).toBe("open");
    await s.setFaults([
      { provider: "mistral", model: "mistral-small-latest", mode: "slow_headers", delay_ms: 800 },
      { provider: "openai", model: "gpt-4o-mini", mode: "slow_first_token", delay_ms: 2500 },
    ]);
    await endCooldowns(s);
    expect((await stub(s.env).snapshot()).models["mistral/mistral-small-latest"]?.circuit).toBe("half_open");
    const before = (await posts(s, "mistral")).length;
    const models = ["openai/gpt-4o-mini", "mistral/mistral-small-latest"];
    await Promise.all(
      [0, 1, 2, 3].map(async () => {
        const res = await chat(s.env, {
          model: models[0],
          models,
          messages: [{ role: "user", content: "hi" }],
          stream: true,
          router: { timeouts: CLOCKS, hedge: 100 },
        });
        const events = await sseData(res);
        const last = events.filter((e) => e !== "[DONE]" && "x_router" in e).at(-1) as
          | { x_router: { attempts: { provider: string; status: string; error: string | null; via?: string }[] } }
          | undefined;
        return last?.x_router.attempts;
      }),
    );
    const probes = (await posts(s, "mistral")).length - before;
    expect(probes).toBe(1);
  });

  it("a provider whose every pooled key rests is skipped as a hedge partner too (not called to meet another 429)", async () => {
    const run = crypto.randomUUID().replaceAll("-", "").slice(0, 12);
    const [a, b] = [0, 1].map((i) => `mistral-pool-${run}-${i}${"x".repeat(8)}`);
    const s = await newSession(
      { faults: [{ provider: "mistral", mode: "status", status: 429, retry_after: "30" }] },
      { MISTRAL_API_KEY: undefined, MISTRAL_API_KEYS: `${a},${b}` },
    );
    // Both mistral keys meet a 429 with Retry-After: 30 and rest.
    await send(s, 1, ["mistral/mistral-small-latest", "openai/gpt-4o-mini"]);
    const rested = (await posts(s, "mistral")).length;
    expect(rested).toBe(2);
    // Baseline: a plain request skips mistral without a call.
    await send(s, 1, ["mistral/mistral-small-latest", "openai/gpt-4o-mini"]);
    expect((await posts(s, "mistral")).length).toBe(rested);
    await s.setFaults([
      { provider: "mistral", mode: "status", status: 429, retry_after: "30" },
      { provider: "openai", model: "gpt-4o-mini", mode: "slow_first_token", delay_ms: 1500 },
    ]);
    const models = ["openai/gpt-4o-mini", "mistral/mistral-small-latest"];
    const res = await chat(s.env, {
      model: models[0],
      models,
      messages: [{ role: "user", content: "hi" }],
      stream: true,
      router: { timeouts: CLOCKS, hedge: 100 },
    });
    await sseData(res);
    const extra = (await posts(s, "mistral")).length - rested;
    expect(extra).toBe(0);
  });
});
