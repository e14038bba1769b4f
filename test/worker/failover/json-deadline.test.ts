// DESIGN "Failure semantics": "Three clocks per attempt ...; plus one deadline for the whole request ... a caller
// may tighten them". A non-streaming answer whose headers come at once but whose body is slow (the emulator's
// slow_first_token on a JSON reply holds the body after the headers).
import { describe, expect, it } from "vitest";
import { chat, newSession } from "../gateway.ts";
import { USER } from "./helpers.ts";

describe("the request deadline bounds a non-streaming body read", () => {
  it("one candidate, total_ms 1000, body 4 s after the headers: the request ends at the deadline", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "slow_first_token", delay_ms: 4000 }] });
    const t0 = Date.now();
    const res = await chat(s.env, {
      model: "openai/gpt-4o-mini",
      messages: USER,
      router: { fallback: false, timeouts: { total_ms: 1000 } },
    });
    await res.text();
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeLessThan(2500);
  });

  it("two candidates, total_ms 3000: the first's slow body is cut in time for the second to answer within the deadline", {
    timeout: 20_000,
  }, async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "slow_first_token", delay_ms: 6000 }] });
    const t0 = Date.now();
    const res = await chat(s.env, {
      model: "openai/gpt-4o-mini",
      models: ["openai/gpt-4o-mini", "mistral/mistral-small-latest"],
      messages: USER,
      router: { timeouts: { total_ms: 3000 } },
    });
    await res.json();
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeLessThan(4000);
  });
});
