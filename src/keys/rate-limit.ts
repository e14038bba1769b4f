// Requests-per-minute limits per key: a sliding window kept in the isolate, so the hot path never waits on storage.

const WINDOW_MS = 60_000;

export type RateVerdict = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * Each isolate counts the requests it serves. Cloudflare routes a client's requests to few isolates, so this holds a
 * key close to its limit; a key spread across many isolates at once can exceed it by that factor (docs/ledger.md).
 * A global count would need an awaited Durable Object write on every request, which the hot path does not allow.
 */
export class RateLimiter {
  readonly #hits = new Map<string, number[]>();

  check(keyId: string, rpm: number, now: number): RateVerdict {
    const hits = (this.#hits.get(keyId) ?? []).filter((t) => t > now - WINDOW_MS);
    if (hits.length >= rpm) {
      this.#hits.set(keyId, hits);
      const oldest = hits[hits.length - rpm] as number;
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest + WINDOW_MS - now) / 1000)) };
    }
    hits.push(now);
    this.#hits.set(keyId, hits);
    return { ok: true };
  }
}
