// Reads the attempts of a time window from the D1 ledger (newest first, capped) for the latency-over-time charts.
import type { Row } from "../db/rows.ts";
import type { attempts } from "../db/schema.ts";
import type { AttemptSample } from "./latency-series.ts";

/** Enough for a busy hour at the dashboard's resolution; past it the oldest part of the window goes unshown. */
export const MAX_SAMPLES = 20_000;

// Plain prepared SQL over the tables of src/db/schema.ts (migrations/), with its column names. Attempts carry no
// workspace: a workspace's view joins its request rows; the global one reads attempts alone.
const GLOBAL = `SELECT created_at, provider, status, latency_ms, ttft_ms FROM attempts
  WHERE created_at >= ? AND created_at < ? ORDER BY created_at DESC LIMIT ?`;
const WORKSPACE = `SELECT attempts.created_at, attempts.provider, attempts.status, attempts.latency_ms, attempts.ttft_ms
  FROM attempts INNER JOIN requests ON requests.id = attempts.request_id
  WHERE attempts.created_at >= ? AND attempts.created_at < ? AND requests.workspace_id = ?
  ORDER BY attempts.created_at DESC LIMIT ?`;
type SampleRow = Pick<Row<typeof attempts>, "created_at" | "provider" | "status" | "latency_ms" | "ttft_ms">;

export async function attemptSamples(
  d1: D1Database,
  opts: { workspaceId: string | null; from: number; to: number },
): Promise<{ samples: AttemptSample[]; truncated: boolean }> {
  const statement =
    opts.workspaceId === null
      ? d1.prepare(GLOBAL).bind(opts.from, opts.to, MAX_SAMPLES + 1)
      : d1.prepare(WORKSPACE).bind(opts.from, opts.to, opts.workspaceId, MAX_SAMPLES + 1);
  const { results: rows } = await statement.all<SampleRow>();
  return { samples: rows.slice(0, MAX_SAMPLES), truncated: rows.length > MAX_SAMPLES };
}
