// Requests and tokens per minute: a sliding one-minute window over the requests a workspace's BudgetObject counted.
// Pure: the object hands in the rows of each limited scope (the workspace's, the key's) and writes what this decides.

export const RATE_WINDOW_MS = 60_000;

/** A workspace's own limits, set with its budget (PUT /v1/budgets/{workspace_id}); null: no limit. */
export interface WorkspaceLimits {
  rpm_limit: number | null;
  tpm_limit: number | null;
}

/** What one request asks of the windows: its key and that key's limits, and the tokens it may use at most. */
export interface LimitAsk {
  key_id: string | null;
  rpm_limit: number | null;
  tpm_limit: number | null;
  /** An upper bound of the prompt's tokens plus the output the request allows (settled from usage after). */
  tokens: number;
}

/** One counted request in the window. */
export type WindowRow = {
  at: number;
  tokens: number;
};

export interface LimitScope {
  name: "workspace" | "key";
  rpm: number | null;
  tpm: number | null;
  rows: () => WindowRow[];
}

/** One dimension (requests or tokens) of the scope that binds it: the one with the least left. */
export interface LimitUse {
  scope: "workspace" | "key";
  limit: number;
  /** Used in the window (this request included when it was counted). */
  used: number;
  remaining: number;
  /** Milliseconds until the window next frees some of this dimension (the oldest counted request leaves it). */
  reset_ms: number;
}

export type LimitVerdict =
  | { ok: true; requests: LimitUse | null; tokens: LimitUse | null }
  | {
      ok: false;
      requests: LimitUse | null;
      tokens: LimitUse | null;
      /** Which limit refused: its scope and dimension. */
      refused: { scope: "workspace" | "key"; dimension: "requests" | "tokens"; limit: number; asked: number };
      /** When the request would fit; null when it never can (it asks more tokens than the limit allows a minute). */
      retry_after_ms: number | null;
    };

/**
 * Decides a request against each scope's window. With `count`, the request itself is counted in what is reported
 * as used (the caller writes its row when the verdict is ok); without, the windows are only read.
 */
export function windowVerdict(
  scopes: LimitScope[],
  tokens: number,
  now: number,
  opts: { count: boolean },
): LimitVerdict {
  let requests: LimitUse | null = null;
  let tokenUse: LimitUse | null = null;
  const one = opts.count ? 1 : 0;
  const asked = opts.count ? Math.max(0, Math.round(tokens)) : 0;
  let refusal: Extract<LimitVerdict, { ok: false }>["refused"] | null = null;
  let retryAfter: number | null = null;
  for (const scope of scopes) {
    const rows = scope.rows().filter((r) => r.at > now - RATE_WINDOW_MS);
    // OpenAI's reset: the time until the window is back to its initial state, when the newest request in it (this
    // one, when it is counted) has left it.
    const newest = rows.at(-1)?.at ?? null;
    const resetMs = (countsThis: boolean) =>
      countsThis ? RATE_WINDOW_MS : newest === null ? 0 : Math.max(0, newest + RATE_WINDOW_MS - now);
    if (scope.rpm !== null) {
      const used = rows.length;
      if (opts.count && used + 1 > scope.rpm && refusal === null) {
        refusal = { scope: scope.name, dimension: "requests", limit: scope.rpm, asked: 1 };
        // The request fits once enough of the oldest requests have left the window.
        const leaving = rows[used - scope.rpm];
        retryAfter = leaving === undefined ? 0 : Math.max(0, leaving.at + RATE_WINDOW_MS - now);
      }
      const use: LimitUse = {
        scope: scope.name,
        limit: scope.rpm,
        used: Math.min(scope.rpm, used + one),
        remaining: Math.max(0, scope.rpm - used - one),
        reset_ms: resetMs(opts.count && refusal === null),
      };
      if (requests === null || use.remaining < requests.remaining) requests = use;
    }
    if (scope.tpm !== null) {
      const used = rows.reduce((sum, r) => sum + r.tokens, 0);
      if (opts.count && used + asked > scope.tpm && refusal === null) {
        refusal = { scope: scope.name, dimension: "tokens", limit: scope.tpm, asked };
        retryAfter = asked > scope.tpm ? null : tokensFreeAt(rows, used + asked - scope.tpm, now);
      }
      const use: LimitUse = {
        scope: scope.name,
        limit: scope.tpm,
        used: Math.min(scope.tpm, used + (refusal === null ? asked : 0)),
        remaining: Math.max(0, scope.tpm - used - (refusal === null ? asked : 0)),
        reset_ms: resetMs(opts.count && refusal === null && asked > 0),
      };
      if (tokenUse === null || use.remaining < tokenUse.remaining) tokenUse = use;
    }
  }
  if (refusal !== null) return { ok: false, requests, tokens: tokenUse, refused: refusal, retry_after_ms: retryAfter };
  return { ok: true, requests, tokens: tokenUse };
}

/** Milliseconds until `excess` tokens have left the window (oldest requests leave first). */
function tokensFreeAt(rows: WindowRow[], excess: number, now: number): number {
  let freed = 0;
  for (const row of rows) {
    freed += row.tokens;
    if (freed >= excess) return Math.max(0, row.at + RATE_WINDOW_MS - now);
  }
  return RATE_WINDOW_MS;
}

/** OpenAI's way of writing a reset: `20ms`, `1s`, `6m0s`. */
export function resetDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.ceil(ms))}ms`;
  const seconds = Math.ceil(ms / 1000);
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${seconds % 60}s`;
}

/** The x-ratelimit-* headers of a verdict (a dimension without a limit has none). */
export function rateLimitHeaders(verdict: Pick<LimitVerdict, "requests" | "tokens"> | null): Record<string, string> {
  if (verdict === null) return {};
  const out: Record<string, string> = {};
  for (const [dimension, use] of [
    ["requests", verdict.requests],
    ["tokens", verdict.tokens],
  ] as const) {
    if (use === null) continue;
    out[`x-ratelimit-limit-${dimension}`] = String(use.limit);
    out[`x-ratelimit-remaining-${dimension}`] = String(use.remaining);
    out[`x-ratelimit-reset-${dimension}`] = resetDuration(use.reset_ms);
  }
  return out;
}
