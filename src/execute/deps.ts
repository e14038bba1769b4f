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
  newId: (prefix) => `${prefix}_${crypto.randomUUID().replaceAll("-", "").slice(0, 24)}`,
};
