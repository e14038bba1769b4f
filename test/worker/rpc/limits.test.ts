// The RPC values read back from the budget gate's headers (src/rpc/limits.ts): every reset the gateway writes
// parses to the milliseconds it stands for, and a refusal's headers become retry_after_ms, rate_limit and budget.
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../../src/core/gateway-error.ts";
import { rateLimitHeaders, resetDuration } from "../../../src/ledger/rate-window.ts";
import { durationMs, limitsOfNotice, limitsOfRefusal } from "../../../src/rpc/limits.ts";

describe("durationMs", () => {
  it("reads back every reset resetDuration writes, to its precision", () => {
    for (const ms of [0, 1, 20, 999, 1000, 1001, 59_000, 59_999, 60_000, 61_500, 3_600_000]) {
      const exact = ms < 1000 ? ms : Math.ceil(ms / 1000) * 1000;
      expect(durationMs(resetDuration(ms)), resetDuration(ms)).toBe(exact);
    }
  });

  it("a reset in another format is a bug, not a zero", () => {
    expect(() => durationMs("1h")).toThrow(/not a rate-limit reset/);
  });
});

describe("limitsOfRefusal and limitsOfNotice", () => {
  const use = { scope: "workspace" as const, limit: 10, used: 10, remaining: 0, reset_ms: 42_000 };

  it("a rate-limit refusal: the wait, and each dimension the headers name", () => {
    const err = new GatewayError(429, "Rate limit reached", {
      headers: { ...rateLimitHeaders({ requests: use, tokens: null }), "retry-after": "7" },
    });
    expect(limitsOfRefusal(err)).toEqual({
      retry_after_ms: 7000,
      rate_limit: { requests: { limit: 10, remaining: 0, reset_ms: 42_000 }, tokens: null },
      budget: null,
    });
  });

  it("a budget refusal: what was left, no wait; an error without headers: nothing", () => {
    const err = new GatewayError(402, "over budget", { headers: { "x-budget-remaining-usd": "0.000123" } });
    expect(limitsOfRefusal(err)).toEqual({
      retry_after_ms: null,
      rate_limit: null,
      budget: { remaining_usd: 0.000123, alert: null },
    });
    expect(limitsOfRefusal(new GatewayError(400, "bad"))).toEqual({
      retry_after_ms: null,
      rate_limit: null,
      budget: null,
    });
  });

  it("a notice: the budget with its alert, the windows; none for a caller neither limited nor budgeted", () => {
    expect(limitsOfNotice(null)).toEqual({ rate_limit: null, budget: null });
    expect(
      limitsOfNotice({
        remaining_usd: "1.500000",
        alert: "spent or held 80% or more of the budget",
        rate_limit: rateLimitHeaders({ requests: null, tokens: { ...use, limit: 1000, remaining: 900 } }),
      }),
    ).toEqual({
      rate_limit: { requests: null, tokens: { limit: 1000, remaining: 900, reset_ms: 42_000 } },
      budget: { remaining_usd: 1.5, alert: "spent or held 80% or more of the budget" },
    });
  });
});
