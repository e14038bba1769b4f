// Hedged requests: a stream with no first token after the hedge delay gets a second candidate started alongside it;
// the first to commit wins, and the other's upstream request is aborted.
import { ProviderError } from "../core/errors.ts";
import type { CommittedStream } from "./attempt.ts";

export type Settled = { ok: true; stream: CommittedStream } | { ok: false; error: unknown };

/** Opens one stream attempt; aborting `signal` aborts its upstream request (the reason becomes its error). */
export type Opener = (signal: AbortSignal) => Promise<CommittedStream>;

export interface HedgeOutcome {
  /** 0: the first attempt committed first; 1: the hedge did; null: neither committed. */
  winner: 0 | 1 | null;
  first: Settled;
  /** The hedge's outcome; null when it was never started (the first settled in time, or nothing was left to start). */
  second: Settled | null;
}

/** The error a losing attempt is aborted with (it becomes that attempt's recorded failure). */
export function hedgeLost(provider: ProviderError["provider"], to: string): ProviderError {
  return new ProviderError({
    kind: "timeout",
    provider,
    code: "hedge_lost",
    message: `${provider}: lost the hedge to ${to}; its request was aborted`,
  });
}

const settle = (p: Promise<CommittedStream>): Promise<Settled> =>
  p.then(
    (stream) => ({ ok: true, stream }),
    (error: unknown) => ({ ok: false, error }),
  );

/**
 * Starts `first`; if it has not settled after `delayMs`, asks `second` for a hedge (null: none to start) and races
 * them. The loser is aborted with `lose(index)`; a loser that had committed too is closed at once.
 */
export async function hedged(input: {
  first: Opener;
  delayMs: number;
  second: () => Promise<Opener | null>;
  lose: (loser: 0 | 1) => ProviderError;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}): Promise<HedgeOutcome> {
  const controllers = [new AbortController(), new AbortController()] as const;
  const a = settle(input.first(controllers[0].signal));
  const timer = new AbortController();
  const fired = input.sleep(input.delayMs, timer.signal).then(
    () => true,
    () => false,
  );
  const early = await Promise.race([a.then(() => "settled" as const), fired.then(() => "timer" as const)]);
  if (early === "settled") {
    timer.abort();
    const first = await a;
    return { winner: first.ok ? 0 : null, first, second: null };
  }
  const opener = await input.second();
  if (opener === null) {
    const first = await a;
    return { winner: first.ok ? 0 : null, first, second: null };
  }
  const b = settle(opener(controllers[1].signal));
  const winner = await new Promise<0 | 1 | null>((resolve) => {
    let failed = 0;
    const onSettled = (index: 0 | 1) => (s: Settled) => {
      if (s.ok) resolve(index);
      else if (++failed === 2) resolve(null);
    };
    a.then(onSettled(0));
    b.then(onSettled(1));
  });
  if (winner !== null) {
    const loser = winner === 0 ? 1 : 0;
    const reason = input.lose(loser);
    controllers[loser].abort(reason);
    const lost = await (loser === 0 ? a : b);
    // Both committed at once: the loser's stream is closed (its upstream aborted) and recorded as lost.
    if (lost.ok) lost.stream.abort(reason);
    const lostOutcome: Settled = { ok: false, error: lost.ok ? reason : lost.error };
    const won = await (winner === 0 ? a : b);
    return winner === 0 ? { winner, first: won, second: lostOutcome } : { winner, first: lostOutcome, second: won };
  }
  return { winner, first: await a, second: await b };
}
