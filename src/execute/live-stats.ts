// The isolate's live-stats machinery in one place: the snapshot cache and the circuit probe claims it releases.
import { modelKey } from "../stats/snapshot.ts";
import { StatsCache } from "../stats/stats-cache.ts";
import { ProbeClaims } from "./circuit-gate.ts";

export interface LiveStats {
  cache: StatsCache;
  claims: ProbeClaims;
}

export function createLiveStats(now: () => number): LiveStats {
  const cache = new StatsCache(now);
  const claims = new ProbeClaims();
  // A probe's claim ends when its outcome has reached the stats object: the snapshot that came back says what next.
  cache.onRecorded = (outcomes) => {
    for (const o of outcomes) {
      claims.release(`model:${modelKey(o.provider, o.model)}`);
      claims.release(`provider:${o.provider}`);
    }
  };
  return { cache, claims };
}
