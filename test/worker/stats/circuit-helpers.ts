// Helpers of the circuit tests: the stats object, a gateway call read whole, its upstream calls, cooldowns ended.
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import type { Env } from "../../../src/env.ts";
import type { StatsObject } from "../../../src/stats/stats-object.ts";
import { body, FAST, USER } from "../failover/helpers.ts";
import { call, chat, type Session } from "../gateway.ts";

export { body, FAST, USER };

export function stub(env: Env) {
  return env.STATS.get(env.STATS.idFromName(env.STATS_INSTANCE ?? "global"));
}

export interface Attempt {
  provider: string;
  model: string;
  status: string;
  error: string | null;
}
export interface Answer {
  x_router: { provider: string; model: string; attempts: Attempt[] };
}

export async function send(
  s: Session,
  n: number,
  models: string[],
  extra: Record<string, unknown> = {},
): Promise<Answer[]> {
  const out: Answer[] = [];
  for (let i = 0; i < n; i++) {
    const res = await chat(s.env, body(models, extra));
    out.push((await res.json()) as Answer);
  }
  return out;
}

/** Every open circuit's cooldown ends now (stored rows edited; object evicted; isolate re-reads). */
export async function endCooldowns(s: Session): Promise<void> {
  await runInDurableObject(stub(s.env), (_i: StatsObject, state) => {
    state.storage.sql.exec(
      "UPDATE health SET body = json_set(body, '$.circuit.open_until', 1) WHERE json_extract(body, '$.circuit.state') = 'open'",
    );
  });
  await evictDurableObject(stub(s.env));
  await call(s.env, "/v1/health/providers");
}

export async function posts(s: Session, provider: string) {
  return (await s.requests()).filter((r) => r.provider === provider && r.method === "POST");
}
