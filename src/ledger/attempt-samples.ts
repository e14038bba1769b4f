// Reads the attempts of a time window from the D1 ledger (newest first, capped) for the latency-over-time charts.
import { and, desc, eq, gte, lt } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { attempts, requests } from "../db/schema.ts";
import type { AttemptSample } from "./latency-series.ts";

/** Enough for a busy hour at the dashboard's resolution; past it the oldest part of the window goes unshown. */
export const MAX_SAMPLES = 20_000;

export async function attemptSamples(
  d1: D1Database,
  opts: { workspaceId: string | null; from: number; to: number },
): Promise<{ samples: AttemptSample[]; truncated: boolean }> {
  const db = drizzle(d1);
  const inWindow = and(gte(attempts.createdAt, opts.from), lt(attempts.createdAt, opts.to));
  const columns = {
    created_at: attempts.createdAt,
    provider: attempts.provider,
    status: attempts.status,
    latency_ms: attempts.latencyMs,
    ttft_ms: attempts.ttftMs,
  };
  // Attempts carry no workspace: a workspace's view joins its request rows; the global one reads attempts alone.
  const rows =
    opts.workspaceId === null
      ? await db
          .select(columns)
          .from(attempts)
          .where(inWindow)
          .orderBy(desc(attempts.createdAt))
          .limit(MAX_SAMPLES + 1)
      : await db
          .select(columns)
          .from(attempts)
          .innerJoin(requests, eq(requests.id, attempts.requestId))
          .where(and(inWindow, eq(requests.workspaceId, opts.workspaceId)))
          .orderBy(desc(attempts.createdAt))
          .limit(MAX_SAMPLES + 1);
  return { samples: rows.slice(0, MAX_SAMPLES), truncated: rows.length > MAX_SAMPLES };
}
