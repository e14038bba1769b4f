// DESIGN "Rescue": "the first-token clock is the larger of a floor and a multiple of the candidate's live TTFT
// p95"; hedging `auto` starts the next candidate "when no first token has arrived after the hedge delay (default: the
// candidate's live TTFT p95)". The TTFT p95 is the time to the first token, which routing keeps apart from the whole
// answer's latency (docs/routing.md: "Speed is the time to first token for a stream and the whole answer otherwise").
import { describe, expect, it } from "vitest";
import { chat, newSession, sseData } from "../gateway.ts";
import { stub } from "../stats/circuit-helpers.ts";
import { completionCalls, USER } from "./helpers.ts";

const TWO = ["openai/gpt-4o-mini", "mistral/mistral-small-latest"];
const CLOCKS = { headers_ms: 5000, first_token_ms: 9000, idle_ms: 3000, total_ms: 20000 };

describe("the live TTFT p95 is a time to first token", () => {
  it("non-streaming answers (whole-answer latency) do not become the hedge delay of streams", async () => {
    const s = await newSession();
    // Streams: the emulator's first token comes in milliseconds.
    for (let i = 0; i < 4; i++) {
      const r = await chat(s.env, {
        model: TWO[0],
        messages: USER,
        stream: true,
        router: { fallback: false, timeouts: CLOCKS },
      });
      await r.text();
    }
    // Non-streaming answers that take 1.5 s as a whole.
    await s.setFaults([{ provider: "openai", model: "gpt-4o-mini", mode: "slow_headers", delay_ms: 1500 }]);
    await Promise.all(
      [0, 1, 2, 3].map(() =>
        chat(s.env, { model: TWO[0], messages: USER, router: { fallback: false, timeouts: CLOCKS } }).then((r) =>
          r.text(),
        ),
      ),
    );
    await new Promise((r) => setTimeout(r, 300));
    await stub(s.env).snapshot();
    await s.setFaults([{ provider: "openai", model: "gpt-4o-mini", mode: "slow_first_token", delay_ms: 4000 }]);
    const before = (await completionCalls(s, "openai")).length;
    const res = await chat(s.env, {
      model: TWO[0],
      models: TWO,
      messages: USER,
      stream: true,
      router: { timeouts: CLOCKS, hedge: "auto" },
    });
    await sseData(res);
    const o = (await completionCalls(s, "openai"))[before]!;
    const [m] = await completionCalls(s, "mistral");
    const gap = m!.received_at - o.received_at;
    // The streams' TTFT is milliseconds: the hedge starts well before the non-streaming latency of 1.5 s.
    expect(gap).toBeLessThan(1000);
  });

  it("non-streaming answers do not stretch the adaptive first-token clock of streams past max(10 s floor, 3 x TTFT p95)", {
    timeout: 60_000,
  }, async () => {
    const s = await newSession();
    const clocks = { headers_ms: 15000, idle_ms: 3000, total_ms: 60000 }; // first_token_ms not set: adaptive
    for (let i = 0; i < 4; i++) {
      const r = await chat(s.env, {
        model: TWO[0],
        messages: USER,
        stream: true,
        router: { fallback: false, timeouts: clocks },
      });
      await r.text();
    }
    // Non-streaming answers that take 4.5 s as a whole (a long answer, as non-streaming calls are).
    await s.setFaults([{ provider: "openai", model: "gpt-4o-mini", mode: "slow_headers", delay_ms: 4500 }]);
    await Promise.all(
      [0, 1, 2, 3].map(() =>
        chat(s.env, { model: TWO[0], messages: USER, router: { fallback: false, timeouts: clocks } }).then((r) =>
          r.text(),
        ),
      ),
    );
    await new Promise((r) => setTimeout(r, 300));
    await stub(s.env).snapshot();
    // A stream whose first token comes after 12 s: the streams' own TTFT p95 is milliseconds, so the clock is the 10 s
    // floor and the next candidate answers.
    await s.setFaults([{ provider: "openai", model: "gpt-4o-mini", mode: "slow_first_token", delay_ms: 12500 }]);
    const t0 = Date.now();
    const res = await chat(s.env, {
      model: TWO[0],
      models: TWO,
      messages: USER,
      stream: true,
      router: { timeouts: clocks },
    });
    const events = await sseData(res);
    const elapsed = Date.now() - t0;
    const x = events.filter((e) => e !== "[DONE]" && "x_router" in e).at(-1) as
      | { x_router: { provider: string; attempts: unknown[] } }
      | undefined;
    expect(x?.x_router.provider).toBe("mistral");
    expect(elapsed).toBeLessThan(12000);
  });
});
