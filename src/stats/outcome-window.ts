// Outcome counts over a sliding window, kept as a few time slots so old outcomes fall out without storing each one.

/** The window is cut into this many slots: the window slides in steps of window_ms / SLOTS. */
const SLOTS = 6;

export interface Slot {
  start: number;
  ok: number;
  failed: number;
}

export type OutcomeWindow = Slot[];

export function recordOutcome(window: OutcomeWindow, ok: boolean, now: number, windowMs: number): OutcomeWindow {
  const step = Math.max(1, Math.floor(windowMs / SLOTS));
  const start = now - (now % step);
  const live = window.filter((s) => s.start > now - windowMs);
  const last = live[live.length - 1];
  if (last !== undefined && last.start === start) {
    return [...live.slice(0, -1), { start, ok: last.ok + (ok ? 1 : 0), failed: last.failed + (ok ? 0 : 1) }];
  }
  return [...live, { start, ok: ok ? 1 : 0, failed: ok ? 0 : 1 }];
}

export function windowTotals(
  windows: readonly OutcomeWindow[],
  now: number,
  windowMs: number,
): { ok: number; failed: number } {
  let ok = 0;
  let failed = 0;
  for (const window of windows) {
    for (const slot of window) {
      if (slot.start <= now - windowMs) continue;
      ok += slot.ok;
      failed += slot.failed;
    }
  }
  return { ok, failed };
}

/** Share of successes; null before any outcome. */
export function successRate(totals: { ok: number; failed: number }): number | null {
  const n = totals.ok + totals.failed;
  return n === 0 ? null : totals.ok / n;
}
