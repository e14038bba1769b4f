// DESIGN "What every answer says about its route": "When every candidate fails: status 502 (or 503 when none was
// available, 429 when all were rate limited)"; docs/failover.md: "503 no_available_provider (with Retry-After = when the
// first open circuit half-opens ..., at least 1 s)"; "otherwise 502 upstream_failed, or deadline_exceeded when the
// deadline ran out".
import { describe, expect, it } from "vitest";
import { body } from "../failover/helpers.ts";
import { chat, newSession } from "../gateway.ts";
import { endCooldowns, send } from "../stats/circuit-helpers.ts";

interface Failure {
  error?: { code?: string; message?: string };
  x_router?: { attempts: { provider: string; status: string; error: string | null }[] };
}

describe("when the request deadline runs out", () => {
  it("non-streaming, one candidate that never answers: 502 deadline_exceeded", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "hang" }] });
    const res = await chat(s.env, body(["openai/gpt-4o-mini"], { router: { timeouts: { total_ms: 1500 } } }));
    const json = (await res.json()) as Failure;
    expect(res.status).toBe(502);
    expect(json.error?.code).toBe("deadline_exceeded");
  });

  it("streaming, every candidate hangs: 502 deadline_exceeded", async () => {
    const s = await newSession({
      faults: [
        { provider: "openai", mode: "hang" },
        { provider: "mistral", mode: "hang" },
      ],
    });
    const res = await chat(
      s.env,
      {
        model: "openai/gpt-4o-mini",
        models: ["openai/gpt-4o-mini", "mistral/mistral-small-latest"],
        messages: [{ role: "user", content: "hi" }],
        stream: true,
      },
      { "x-router-timeout-total-ms": "700" },
    );
    const json = (await res.json()) as Failure;
    expect(res.status).toBe(502);
    expect(json.error?.code).toBe("deadline_exceeded");
  });
});

describe("503 when no candidate could be tried", () => {
  it("the only candidate is half-open with its one probe in flight: 503 with a Retry-After", async () => {
    const s = await newSession({ faults: [{ provider: "openai", model: "gpt-4o-mini", mode: "status", status: 503 }] });
    await send(s, 6, ["openai/gpt-4o-mini", "mistral/mistral-small-latest"]);
    await s.setFaults([{ provider: "openai", model: "gpt-4o-mini", mode: "slow_headers", delay_ms: 1200 }]);
    await endCooldowns(s);
    const probe = chat(
      s.env,
      body(["openai/gpt-4o-mini"], { router: { fallback: false, timeouts: { total_ms: 4000 } } }),
    );
    await new Promise((r) => setTimeout(r, 200));
    const res = await chat(
      s.env,
      body(["openai/gpt-4o-mini"], { router: { fallback: false, timeouts: { total_ms: 4000 } } }),
    );
    await res.json();
    await (await probe).text();
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).not.toBeNull();
  });
});
