// What the executor needs from the outside world, passed in so tests can drive time and the network.
export interface ExecDeps {
  fetch: typeof fetch;
  /** Milliseconds since the epoch. */
  now: () => number;
  /** Resolves after `ms`, or rejects when `signal` aborts. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Uniform in [0, 1): backoff jitter. */
  random: () => number;
  newId: (prefix: string) => string;
}

export const realDeps: ExecDeps = {
  fetch: (input, init) => fetch(input, init),
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
    }),
  random: () => Math.random(),
  newId: (prefix) => timeOrderedId(prefix, Date.now()),
};

/**
 * `prefix_` and 24 hex digits: the millisecond it was made (12 digits) and 48 random bits (12). Ids made later sort
 * later, so the ledger's primary keys (requests.id, and attempts' (request_id, seq)) grow at the end of their
 * B-trees: a batch of rows dirties a few pages, not one page per row spread over the whole index. On local D1 that
 * cut SQLite's page writes for 2,000 requests from about 12,000 to 2,500 and ended the statement-journal spills to
 * temporary files (docs/BENCHMARKS.md, section 2). The random part keeps ids made in the same millisecond apart.
 */
export function timeOrderedId(prefix: string, nowMs: number): string {
  const time = Math.max(0, Math.floor(nowMs)).toString(16).padStart(12, "0").slice(-12);
  // A v4 UUID's first two groups (8 and 4 hex digits) come before its version digit: all 48 bits are random.
  const uuid = crypto.randomUUID();
  return `${prefix}_${time}${uuid.slice(0, 8)}${uuid.slice(9, 13)}`;
}
