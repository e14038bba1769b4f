// What HTTP says in a limited or budgeted caller's headers (retry-after, x-ratelimit-*, x-budget-*), as RPC values.
import type { GatewayError } from "../core/gateway-error.ts";
import type { BudgetNotice } from "../ledger/budget-gate.ts";
import type { RpcLimits, RpcRateLimitUse } from "./types.ts";

/** The limits of an answer or a failed run: the budget gate's notice (null: neither limited nor budgeted). */
export function limitsOfNotice(notice: BudgetNotice | null): RpcLimits {
  if (notice === null) return { rate_limit: null, budget: null };
  return {
    rate_limit: rateLimitOf(notice.rate_limit),
    budget: notice.remaining_usd === null ? null : { remaining_usd: Number(notice.remaining_usd), alert: notice.alert },
  };
}

/**
 * The limits and the wait of a refusal. A GatewayError carries them only as the headers HTTP sends with it (the
 * budget gate writes them once, for every transport), so they are read back from there.
 */
export function limitsOfRefusal(err: Pick<GatewayError, "headers">): RpcLimits & { retry_after_ms: number | null } {
  const remaining = err.headers["x-budget-remaining-usd"];
  const alert = err.headers["x-budget-alert"];
  // The gateway writes Retry-After in whole seconds.
  const retryAfter = err.headers["retry-after"];
  return {
    rate_limit: rateLimitOf(err.headers),
    budget: remaining === undefined ? null : { remaining_usd: Number(remaining), alert: alert ?? null },
    retry_after_ms: retryAfter === undefined ? null : Number(retryAfter) * 1000,
  };
}

/** OpenAI's x-ratelimit-* trios (src/ledger/rate-window.ts rateLimitHeaders); null when neither dimension is there. */
function rateLimitOf(headers: Record<string, string>): RpcLimits["rate_limit"] {
  const requests = dimension(headers, "requests");
  const tokens = dimension(headers, "tokens");
  return requests === null && tokens === null ? null : { requests, tokens };
}

function dimension(headers: Record<string, string>, name: "requests" | "tokens"): RpcRateLimitUse | null {
  const limit = headers[`x-ratelimit-limit-${name}`];
  const remaining = headers[`x-ratelimit-remaining-${name}`];
  const reset = headers[`x-ratelimit-reset-${name}`];
  if (limit === undefined || remaining === undefined || reset === undefined) return null;
  return { limit: Number(limit), remaining: Number(remaining), reset_ms: durationMs(reset) };
}

/** OpenAI's way of writing a reset (`20ms`, `1s`, `6m0s`: src/ledger/rate-window.ts resetDuration) in milliseconds. */
export function durationMs(text: string): number {
  const ms = /^(\d+)ms$/.exec(text);
  if (ms) return Number(ms[1]);
  const minSec = /^(?:(\d+)m)?(\d+)s$/.exec(text);
  if (minSec) return Number(minSec[1] ?? 0) * 60_000 + Number(minSec[2]) * 1000;
  throw new Error(`not a rate-limit reset: ${JSON.stringify(text)}`);
}
