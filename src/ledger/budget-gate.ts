// Before a call: hold the worst case in the workspace's (and the key's) BudgetObject; refuse or downgrade at the limit.

import { GatewayError } from "../core/gateway-error.ts";
import type { CanonicalRequest } from "../core/types.ts";
import type { Env } from "../env.ts";
import type { Caller } from "../keys/caller.ts";
import type { GovernanceCache } from "../keys/governance-cache.ts";
import type { ModelRef } from "../registry/model-registry.ts";
import type { BudgetStatus, ReserveResult } from "./budget-object.ts";
import type { BudgetHoldRef } from "./record.ts";
import { worstCasePico, worstCasePromptTokens } from "./worst-case.ts";

/** What a budgeted workspace has left after the hold, for the caller to see (HTTP: x-budget-remaining-usd, x-budget-alert). */
export interface BudgetNotice {
  remaining_usd: string;
  /** Set past the budget's alert threshold. */
  alert: string | null;
}

/** The shape of a plan the gate reads and trims: candidates in order, and what was left out and why. */
export interface HoldablePlan {
  candidates: { ref: ModelRef }[];
  excluded: { provider: string; model: string; reason: string }[];
}

export interface BudgetHold<P extends HoldablePlan> {
  holds: BudgetHoldRef[];
  notice: BudgetNotice | null;
  /** The plan to run: the one given, or (under `downgrade`) a copy without the candidates whose worst case does not fit. */
  plan: P;
}

export function workspaceScope(workspaceId: string): string {
  return `ws:${workspaceId}`;
}

export function keyScope(keyId: string): string {
  return `key:${keyId}`;
}

export function budgetStub(env: Pick<Env, "BUDGETS">, scope: string) {
  return env.BUDGETS.get(env.BUDGETS.idFromName(scope));
}

export function picoToUsdString(pico: number): string {
  return (pico / 1e12).toFixed(6);
}

interface GateInput<P extends HoldablePlan> {
  env: Env;
  governance: GovernanceCache;
  caller: Caller;
  workspaceId: string;
  /** Left as it is: a trimmed copy comes back. */
  plan: P;
  request: CanonicalRequest;
  newId: (prefix: string) => string;
  now: number;
}

/**
 * A workspace without a budget (the isolate's loaded list says so) and a key without budget_usd cost nothing here.
 * For the others this is one awaited Durable Object call each, before the call goes out: the price of a limit that
 * holds. While the list is not loaded (or too old: GovernanceCache.budgetsKnown) it cannot say "no budget", so every
 * workspace is asked of its own BudgetObject, the authority; when that cannot answer either the request is refused
 * with a 503 and `retry-after: 1` rather than admitted unbudgeted.
 */
export async function holdBudget<P extends HoldablePlan>(input: GateInput<P>): Promise<BudgetHold<P>> {
  const { env, governance, caller, workspaceId, request, now } = input;
  let plan = input.plan;
  const listed = governance.budgetOf(workspaceId);
  const mode = listed === null && !governance.budgetsKnown() ? "unknown" : listed;
  const keyBudget = caller.kind === "workspace" && caller.key.budget_pico !== null ? caller.key.id : null;
  if (mode === null && keyBudget === null) return { holds: [], notice: null, plan };

  const promptTokens = worstCasePromptTokens(request);
  const worst = () => plan.candidates.map((c) => worstCasePico(c.ref, promptTokens, request));
  const holds: BudgetHoldRef[] = [];
  let notice: BudgetNotice | null = null;

  if (mode !== null) {
    const scope = workspaceScope(workspaceId);
    const holdId = input.newId("hold");
    const amounts = worst();
    const result: ReserveResult = await budgetStub(env, scope)
      .reserve(holdId, amounts, now)
      .catch((err: unknown) => {
        throw unavailable(err);
      });
    if (!result.ok) throw refused(`workspace ${workspaceId}`, result.status, Math.max(...amounts));
    if (result.status === null) {
      if (mode !== "unknown") governance.rememberBudget(workspaceId, null);
    } else {
      if (mode === "unknown") governance.rememberBudget(workspaceId, result.status.config.on_limit);
      holds.push({ scope, hold_id: holdId });
      governance.noteRemaining(workspaceId, result.status.remaining_pico);
      notice = {
        remaining_usd: picoToUsdString(result.status.remaining_pico),
        alert: result.status.alert
          ? `spent or held ${Math.round(result.status.config.alert_threshold * 100)}% or more of the budget`
          : null,
      };
      const fit = new Set(result.fit);
      const remaining = picoToUsdString(result.status.remaining_pico + result.held_pico);
      const excluded = [...plan.excluded];
      const candidates = plan.candidates.filter((c, i) => {
        if (fit.has(i)) return true;
        excluded.push({
          provider: c.ref.provider,
          model: c.ref.id,
          reason: `its worst case ($${picoToUsdString(amounts[i] as number)}) exceeds the $${remaining} left in the workspace budget`,
        });
        return false;
      });
      plan = { ...plan, candidates, excluded };
    }
  }

  if (keyBudget !== null) {
    const scope = keyScope(keyBudget);
    const holdId = input.newId("hold");
    const amounts = worst();
    const result = await budgetStub(env, scope)
      .reserve(holdId, amounts, now)
      .catch(async (err: unknown) => {
        await releaseAll(env, holds, now);
        throw unavailable(err);
      });
    if (!result.ok) {
      await releaseAll(env, holds, now);
      throw refused(
        `key ${caller.kind === "workspace" ? caller.key.prefix : ""}…`,
        result.status,
        Math.max(...amounts),
      );
    }
    if (result.status !== null) holds.push({ scope, hold_id: holdId });
  }
  return { holds, notice, plan };
}

/** Settles each hold with the request's real cost (0 when it failed): after the response, through waitUntil. */
export async function settleHolds(
  env: Pick<Env, "BUDGETS">,
  holds: BudgetHoldRef[],
  costPico: number,
  now: number,
): Promise<void> {
  await Promise.all(holds.map((h) => budgetStub(env, h.scope).settle(h.hold_id, costPico, now)));
}

async function releaseAll(env: Pick<Env, "BUDGETS">, holds: BudgetHoldRef[], now: number): Promise<void> {
  await settleHolds(env, holds, 0, now).catch((err: unknown) =>
    console.error("budget release failed", err instanceof Error ? err.message : String(err)),
  );
}

/** A budget that cannot be checked does not let spend through: 503, retryable, rather than an unbounded call. */
function unavailable(err: unknown): GatewayError {
  console.error("budget hold failed", err instanceof Error ? err.message : String(err));
  return new GatewayError(503, "The workspace budget cannot be checked right now; retry shortly.", {
    code: "budget_unavailable",
    headers: { "retry-after": "1" },
  });
}

function refused(what: string, status: BudgetStatus, worstPico: number): GatewayError {
  const worst = Number.isFinite(worstPico)
    ? `up to $${picoToUsdString(worstPico)}`
    : "an amount that cannot be bounded (an unpriced model)";
  return new GatewayError(
    402,
    `The budget of ${what} does not cover this request: it could cost ${worst} and $${picoToUsdString(status.remaining_pico)} of $${picoToUsdString(status.config.limit_pico)} is left this ${status.config.period}. Lower max_tokens, choose a cheaper model, or raise the budget.`,
    {
      type: "insufficient_quota",
      code: "budget_exceeded",
      headers: { "x-budget-remaining-usd": picoToUsdString(status.remaining_pico) },
    },
  );
}

/**
 * USD the planner may assume a `downgrade` workspace has left: the last amount its BudgetObject reported to this
 * isolate (no call made here). Only a hint for ordering; the hold itself decides what fits.
 */
export function budgetRemainingHint(governance: GovernanceCache, workspaceId: string): number | null {
  if (governance.budgetOf(workspaceId) !== "downgrade") return null;
  const pico = governance.remainingHint(workspaceId);
  return pico === null ? null : pico / 1e12;
}
