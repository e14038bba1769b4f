// After a request: settle its budget holds with what it really cost (nothing held, nothing to do).
import type { Env } from "../env.ts";
import { settleHolds } from "./budget-gate.ts";
import type { CompletionRecord, RequestSink } from "./record.ts";

export class BudgetSettleSink implements RequestSink {
  readonly #env: Pick<Env, "BUDGETS">;
  readonly #now: () => number;

  constructor(env: Pick<Env, "BUDGETS">, now: () => number) {
    this.#env = env;
    this.#now = now;
  }

  async complete(record: CompletionRecord): Promise<void> {
    const holds = record.budget_holds ?? [];
    if (holds.length === 0) return;
    try {
      // An unpriced answer cannot happen under a budget (such candidates are never admitted), so null is "nothing".
      await settleHolds(this.#env, holds, record.cost_pico ?? 0, this.#now());
    } catch (err) {
      // An unsettled hold frees itself after RESERVATION_TTL_MS; the request itself already succeeded.
      console.error("budget settle failed", record.request_id, err instanceof Error ? err.message : String(err));
    }
  }
}
