// Gathers an isolate's after-the-response writes into one write per interval, so a busy gateway makes one stats call
// and one D1 batch a second instead of one per request.
/** A batching delay from its variable (LEDGER_FLUSH_MS, ...): unset, blank or not a count of ms is the default. */
export function flushDelayMs(value: string | undefined, fallback = 1000): number {
  if (value === undefined || value.trim() === "") return fallback;
  const ms = Number(value);
  return Number.isFinite(ms) && ms >= 0 ? ms : fallback;
}

interface WaitUntil {
  waitUntil(promise: Promise<unknown>): void;
}

interface Pending<T> {
  items: T[];
  /** A request already holds a delayed flush for these items. */
  scheduled: boolean;
}

export interface BatchOptions {
  /** How long a write may wait for company; 0 writes at once (tests, and urgent items). */
  delayMs: number;
  /** A batch this big is written at once. */
  maxItems: number;
}

/**
 * Items from many requests wait in the isolate for at most `delayMs`. The request that finds the queue empty keeps
 * a delayed flush in its own `waitUntil`, so the write happens in a live request context (Workers allow I/O only
 * there) and the isolate is kept alive until the items are written. The items are plain data, so one request may
 * carry its neighbours' writes.
 */
export class WriteBatcher<K, T> {
  readonly #pending = new Map<K, Pending<T>>();
  readonly #write: (key: K, items: T[]) => Promise<void>;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(
    write: (key: K, items: T[]) => Promise<void>,
    sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.#write = write;
    this.#sleep = sleep;
  }

  /** Queues items; writes them (with all that waited) now when `urgent`, full, or batching is off. */
  add(key: K, items: T[], ctx: WaitUntil, options: BatchOptions, urgent = false): void {
    if (items.length === 0) return;
    const pending = this.#pendingOf(key);
    pending.items.push(...items);
    if (urgent || options.delayMs <= 0 || pending.items.length >= options.maxItems) {
      ctx.waitUntil(this.flush(key));
      return;
    }
    if (pending.scheduled) return;
    pending.scheduled = true;
    ctx.waitUntil(
      this.#sleep(options.delayMs).then(() => {
        pending.scheduled = false;
        return this.flush(key);
      }),
    );
  }

  /** Writes what is waiting under `key` (nothing when it is empty). Never throws: `write` owns its errors. */
  async flush(key: K): Promise<void> {
    const pending = this.#pending.get(key);
    if (pending === undefined || pending.items.length === 0) return;
    const items = pending.items;
    pending.items = [];
    await this.#write(key, items);
  }

  /** Items waiting under `key` (for tests and the health of the queue). */
  waiting(key: K): number {
    return this.#pending.get(key)?.items.length ?? 0;
  }

  #pendingOf(key: K): Pending<T> {
    let pending = this.#pending.get(key);
    if (pending === undefined) {
      pending = { items: [], scheduled: false };
      this.#pending.set(key, pending);
    }
    return pending;
  }
}
