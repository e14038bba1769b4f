// After a request: settle its budget holds with what it really cost, and charge what a workspace spent without one.
import { totalPromptTokens } from "../core/types.ts";
import { WriteBatcher } from "../core/write-batcher.ts";
import type { Env } from "../env.ts";
import { budgetStub, settleHolds, workspaceScope } from "./budget-gate.ts";
import { ledgerFlushDelay } from "./d1-sink.ts";
import type { CompletionRecord, RequestSink } from "./record.ts";

type SinkEnv = Pick<Env, "BUDGETS" | "LEDGER_FLUSH_MS">;

interface Charge {
  finished_at: number;
  cost_pico: number;
  /** Prompt and output tokens, for the workspace's rate windows. */
  tokens: number;
}

/** The latest binding seen per scope: a batch is sent with it (bindings outlive requests; stubs do not). */
const envs = new Map<string, SinkEnv>();

/**
 * Unheld charges of this isolate, per workspace scope, sent together (one BudgetObject call per workspace per
 * LEDGER_FLUSH_MS, like the ledger's own batch). A workspace without a budget ignores them.
 */
const unheld = new WriteBatcher<string, Charge>(async (scope, charges) => {
  const env = envs.get(scope);
  if (env === undefined) return;
  try {
    await budgetStub(env, scope).charge(charges, Date.now());
  } catch (err) {
    console.error("budget charge failed", scope, err instanceof Error ? err.message : String(err));
  }
});

export class BudgetSettleSink implements RequestSink {
  readonly #env: SinkEnv;
  readonly #now: () => number;

  constructor(env: SinkEnv, now: () => number) {
    this.#env = env;
    this.#now = now;
  }

  /**
   * Every priced request settles in its workspace's budget: through its hold when it took one, else after the fact
   * (its isolate's budget list may be seconds behind a budget just set elsewhere, and an unheld request must still
   * pay). Key budgets are part of the key record, so a key's hold is never missing.
   */
  async complete(record: CompletionRecord): Promise<void> {
    const holds = record.budget_holds ?? [];
    const cost = record.cost_pico ?? 0;
    const scope = workspaceScope(record.workspace_id);
    const work: Promise<void>[] = [];
    // The rate windows keep the tokens it really used (the whole prompt, cache reads and writes included, as the
    // answer's prompt_tokens counts it, and the output; none for a request nothing answered).
    const tokens = record.usage === null ? 0 : totalPromptTokens(record.usage) + record.usage.output_tokens;
    if (holds.length > 0) {
      // An unpriced answer cannot happen under a budget (such candidates are never admitted), so null is "nothing".
      work.push(
        settleHolds(this.#env, holds, cost, this.#now(), tokens).catch((err: unknown) =>
          // An unsettled hold frees itself after RESERVATION_TTL_MS; the request itself already succeeded.
          console.error("budget settle failed", record.request_id, err instanceof Error ? err.message : String(err)),
        ),
      );
    }
    if (cost > 0 && !holds.some((h) => h.scope === scope)) {
      envs.set(scope, this.#env);
      const finished_at = record.created_at + record.latency_ms;
      // The batch's delayed flush is kept alive by this call's own waitUntil (a sink runs inside one).
      const flushes: Promise<unknown>[] = [];
      unheld.add(
        scope,
        [{ finished_at, cost_pico: cost, tokens }],
        { waitUntil: (p) => flushes.push(p) },
        { delayMs: ledgerFlushDelay(this.#env.LEDGER_FLUSH_MS), maxItems: 200 },
      );
      work.push(Promise.all(flushes).then(() => undefined));
    }
    await Promise.all(work);
  }
}
