// Budget periods: when the current day or month began (UTC), so every isolate and the DO agree on the boundary.
export type BudgetPeriod = "day" | "month";

/** Epoch ms of the start of the UTC day or month containing `now`. */
export function periodStart(period: BudgetPeriod, now: number): number {
  const d = new Date(now);
  if (period === "day") return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** Epoch ms when the period containing `now` ends. */
export function periodEnd(period: BudgetPeriod, now: number): number {
  const d = new Date(now);
  if (period === "day") return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** The UTC day (YYYY-MM-DD) of an epoch-ms time: the unit of rollups and of group_by=day. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
