// Helpers of the circuit tests: the stats object, a gateway call read whole, its upstream calls, cooldowns ended.
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import type { Env } from "../../../src/env.ts";
import type { StatsObject } from "../../../src/stats/stats-object.ts";
import { call, chat, type Session } from "../gateway.ts";

export const USER = [{ role: "user", content: "What is 10 + 5?" }];
export const FAST = { headers_ms: 400, first_token_ms: 600, idle_ms: 400, total_ms: 4000 };

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

export function body(models: string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { router, ...rest } = extra;
  return {
    model: models[0],
    models,
    messages: USER,
    router: { timeouts: FAST, ...(router as object | undefined) },
    ...rest,
  };
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
