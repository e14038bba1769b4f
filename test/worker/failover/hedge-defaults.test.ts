// DESIGN "Rescue": hedging `auto` by default for latency_optimized; the auto delay is the candidate's live TTFT
// p95 (else rescue.hedge_fallback_delay_ms, 2 s); both hedged attempts are in the ledger.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { chat, newSession } from "../gateway.ts";
import { completionCalls, eventually, readRoutedStream, USER } from "./helpers.ts";

const TWO = ["openai/gpt-4o-mini", "mistral/mistral-small-latest"];
const CLOCKS = { headers_ms: 3000, first_token_ms: 9000, idle_ms: 2000, total_ms: 15000 };

describe("hedging by default for latency_optimized", () => {
  it("a slow first token on the first candidate starts the next one after about 2 s, and the hedge answers", async () => {
    const s = await newSession({
      faults: [{ provider: "openai", model: "gpt-4o-mini", mode: "slow_first_token", delay_ms: 7000 }],
    });
    const t0 = Date.now();
    const res = await chat(
      s.env,
      { model: TWO[0], models: TWO, messages: USER, stream: true, router: { timeouts: CLOCKS } },
      { "x-router-strategy": "latency_optimized" },
    );
    const out = await readRoutedStream(res);
    const elapsed = Date.now() - t0;
    expect(out.x?.provider).toBe("mistral");
    expect(out.x?.attempts.map((a) => a.via ?? "try")).toEqual(["try", "hedge"]);
    expect(elapsed).toBeLessThan(6000);
    const [o] = await completionCalls(s, "openai");
    const [m] = await completionCalls(s, "mistral");
    expect(m!.received_at - o!.received_at).toBeGreaterThanOrEqual(1500);
  });

  it("auto uses the live TTFT p95 once one is known", async () => {
    const s = await newSession();
    // Warm up: streamed answers give openai/gpt-4o-mini a live TTFT p95 (the emulator answers in milliseconds).
    for (let i = 0; i < 6; i++) {
      const r = await chat(s.env, {
        model: TWO[0],
        messages: USER,
        stream: true,
        router: { timeouts: CLOCKS, fallback: false },
      });
      await r.text();
    }
    await new Promise((r) => setTimeout(r, 300));
    await s.setFaults([{ provider: "openai", model: "gpt-4o-mini", mode: "slow_first_token", delay_ms: 5000 }]);
    const before = (await completionCalls(s, "openai")).length;
    const res = await chat(s.env, {
      model: TWO[0],
      models: TWO,
      messages: USER,
      stream: true,
      router: { timeouts: CLOCKS, hedge: "auto" },
    });
    const out = await readRoutedStream(res);
    const o = (await completionCalls(s, "openai"))[before];
    const [m] = await completionCalls(s, "mistral");
    expect(out.x?.provider).toBe("mistral");
    expect(m!.received_at - o!.received_at).toBeLessThan(1500);
  });

  it("both hedged attempts are rows of the ledger's attempts table", async () => {
    const s = await newSession({
      faults: [{ provider: "openai", model: "gpt-4o-mini", mode: "slow_first_token", delay_ms: 3000 }],
    });
    const res = await chat(s.env, {
      model: TWO[0],
      models: TWO,
      messages: USER,
      stream: true,
      router: { timeouts: CLOCKS, hedge: 200 },
    });
    const id = res.headers.get("x-request-id");
    await readRoutedStream(res);
    const rows = await eventually(
      async () =>
        (
          await (env as unknown as { DB: D1Database }).DB.prepare(
            "SELECT provider, status, error FROM attempts WHERE request_id = ? ORDER BY seq",
          )
            .bind(id)
            .all()
        ).results,
      (r) => r.length >= 2,
      4000,
    );
    expect(rows.map((r) => `${r.provider}:${r.status}`)).toEqual(["openai:failed", "mistral:ok"]);
  });
});
