// Before a call: hold the worst case in the workspace's (and the key's) BudgetObject; refuse or downgrade at the limit.

import { GatewayError } from "../core/gateway-error.ts";
import type { CanonicalRequest } from "../core/types.ts";
import type { Env } from "../env.ts";
import type { Caller } from "../keys/caller.ts";
import type { GovernanceCache } from "../keys/governance-cache.ts";
import type { ModelRef } from "../registry/model-registry.ts";
import type { BudgetStatus, ReserveResult } from "./budget-object.ts";
import { type LimitAsk, type LimitVerdict, rateLimitHeaders, resetDuration } from "./rate-window.ts";
import type { BudgetHoldRef } from "./record.ts";
import { worstCasePico, worstCasePromptTokens } from "./worst-case.ts";

/**
 * What a budgeted or rate-limited caller has left after the hold, for the caller to see (HTTP: x-budget-remaining-usd,
 * x-budget-alert, x-ratelimit-*).
 */
export interface BudgetNotice {
  /** Null when the workspace has no budget (only limits). */
  remaining_usd: string | null;
  /** Set past the budget's alert threshold. */
  alert: string | null;
  /** OpenAI's x-ratelimit-* headers for a caller under rpm/tpm limits; empty otherwise. */
  rate_limit: Record<string, string>;
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
  /**
   * The tokens the rate windows reserve: an upper bound of the prompt (src/routing/tokens.ts) plus the output the
   * request allows, worked out only when a rate window is asked (the bound scans the whole prompt).
   */
  limitTokens: () => number;
  /**
   * An upper bound of the prompt's tokens where the dialect has its own (embeddings, which have no output either: a
   * refusal says so); absent: the chat request's bytes and framing.
   */
  promptBound?: number;
  /**
   * The request may be hedged (two candidates running at once): each candidate's hold also covers the worst case of
   * the one after it, its hedge partner, so the budget holds both.
   */
  hedged?: boolean;
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
  const keyLimited = caller.kind === "workspace" && (caller.key.rpm_limit !== null || caller.key.tpm_limit !== null);
  const workspaceLimited = governance.limitsOf(workspaceId) !== null;
  // The workspace's object is asked when it has a budget or limits, or the key has limits (they are counted there,
  // beside the workspace's), or the isolate cannot tell (mode "unknown").
  const askWorkspace = mode !== null || keyLimited || workspaceLimited;
  if (!askWorkspace && keyBudget === null) return { holds: [], notice: null, plan };

  const promptTokens = input.promptBound ?? worstCasePromptTokens(request);
  const worst = () => {
    const each = plan.candidates.map((c) => worstCasePico(c.ref, promptTokens, request));
    return input.hedged === true ? each.map((a, i) => a + (each[i + 1] ?? 0)) : each;
  };
  const holds: BudgetHoldRef[] = [];
  let notice: BudgetNotice | null = null;

  if (askWorkspace) {
    const scope = workspaceScope(workspaceId);
    const holdId = input.newId("hold");
    const amounts = worst();
    const ask: LimitAsk = {
      key_id: caller.kind === "workspace" ? caller.key.id : null,
      rpm_limit: caller.kind === "workspace" ? caller.key.rpm_limit : null,
      tpm_limit: caller.kind === "workspace" ? caller.key.tpm_limit : null,
      tokens: input.limitTokens(),
    };
    const result: ReserveResult = await budgetStub(env, scope)
      .reserve(holdId, amounts, now, ask)
      .catch((err: unknown) => {
        throw unavailable(err);
      });
    if (!result.ok && result.limits !== null && !result.limits.ok)
      throw rateLimited(result.limits, input.promptBound === undefined ? "chat" : "embeddings");
    if (!result.ok)
      throw refused(
        `workspace ${workspaceId}`,
        result.status as BudgetStatus,
        Math.max(...amounts),
        rateLimitHeaders(result.limits),
      );
    const rate_limit = rateLimitHeaders(result.limits);
    if (result.limits !== null) {
      holds.push({ scope, hold_id: holdId });
      notice = { remaining_usd: null, alert: null, rate_limit };
    }
    if (result.status === null) {
      if (mode === "downgrade" || mode === "reject") governance.rememberBudget(workspaceId, null);
    } else {
      if (mode === "unknown" || mode === null) governance.rememberBudget(workspaceId, result.status.config.on_limit);
      if (result.limits === null) holds.push({ scope, hold_id: holdId });
      // What the budget leaves once this request settles (its hold is its worst case, and mostly comes back): the
      // planner's hint for the next request.
      governance.noteRemaining(workspaceId, result.status.remaining_pico + result.held_pico);
      notice = {
        remaining_usd: picoToUsdString(result.status.remaining_pico),
        alert: alertOf(result.status),
        rate_limit,
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
      // The trimmed plan is whole: a head worked out before the trim (`lead`) may hold a candidate it took out.
      plan = { ...plan, candidates, excluded, lead: undefined };
    }
  }

  if (keyBudget !== null) {
    const scope = keyScope(keyBudget);
    const holdId = input.newId("hold");
    const amounts = worst();
    const result = await budgetStub(env, scope)
      .reserve(holdId, amounts, now, null)
      .catch(async (err: unknown) => {
        await takeBack(env, holds, now, null);
        throw unavailable(err);
      });
    if (!result.ok) {
      // Refused by the key's budget: the workspace's hold and its count in the rate windows are taken back (a
      // refusal is not a request the limits count), and the headers say where the windows then stand.
      const limits = await takeBack(env, holds, now, caller.kind === "workspace" ? caller.key : null);
      throw refused(
        `key ${caller.kind === "workspace" ? caller.key.prefix : ""}…`,
        result.status as BudgetStatus,
        Math.max(...amounts),
        limits === undefined ? (notice?.rate_limit ?? {}) : rateLimitHeaders(limits),
      );
    }
    if (result.status !== null) holds.push({ scope, hold_id: holdId });
  }
  return { holds, notice, plan };
}

/**
 * Settles each hold with the request's real cost (0 when it failed) and the tokens it used (its rate window keeps
 * those in place of the reservation): after the response, through waitUntil.
 */
export async function settleHolds(
  env: Pick<Env, "BUDGETS">,
  holds: BudgetHoldRef[],
  costPico: number,
  now: number,
  tokens: number | null = null,
): Promise<void> {
  await Promise.all(holds.map((h) => budgetStub(env, h.scope).settle(h.hold_id, costPico, now, tokens)));
}

/**
 * Takes back the holds of a request refused after them: each hold and its count in its rate windows go. Returns the
 * workspace's windows as they then stand (null: not limited), or undefined when that could not be asked.
 */
async function takeBack(
  env: Pick<Env, "BUDGETS">,
  holds: BudgetHoldRef[],
  now: number,
  key: { id: string; rpm_limit: number | null; tpm_limit: number | null } | null,
): Promise<LimitVerdict | null | undefined> {
  const ask = key === null ? null : { key_id: key.id, rpm_limit: key.rpm_limit, tpm_limit: key.tpm_limit };
  const verdicts = await Promise.all(holds.map((h) => budgetStub(env, h.scope).release(h.hold_id, now, ask))).catch(
    (err: unknown) => {
      console.error("budget release failed", err instanceof Error ? err.message : String(err));
      return undefined;
    },
  );
  return verdicts?.[0];
}

/** A budget that cannot be checked does not let spend through: 503, retryable, rather than an unbounded call. */
function unavailable(err: unknown): GatewayError {
  console.error("budget hold failed", err instanceof Error ? err.message : String(err));
  return new GatewayError(503, "The workspace budget cannot be checked right now; retry shortly.", {
    code: "budget_unavailable",
    headers: { "retry-after": "1" },
  });
}

/** Over a requests- or tokens-per-minute limit: OpenAI's 429 (type `requests` or `tokens`), with when to retry. */
function rateLimited(verdict: Extract<LimitVerdict, { ok: false }>, kind: "chat" | "embeddings"): GatewayError {
  const { scope, dimension, limit, asked } = verdict.refused;
  const whose = scope === "key" ? "this key" : "this workspace";
  const per = dimension === "requests" ? "requests per min (RPM)" : "tokens per min (TPM)";
  const headers = rateLimitHeaders(verdict);
  if (verdict.retry_after_ms === null) {
    // Asks more tokens a minute than the limit allows: waiting does not help, but a client retrying later after a
    // minute is told so rather than left hammering.
    headers["retry-after"] = "60";
    return new GatewayError(
      429,
      kind === "chat"
        ? `Request too large for ${whose} on ${per}: Limit ${limit}, Requested ${asked} (an upper bound of the prompt plus max_tokens). Shorten the prompt or lower max_tokens.`
        : `Request too large for ${whose} on ${per}: Limit ${limit}, Requested ${asked} (an upper bound of the input's tokens). Send fewer or shorter texts at a time.`,
      { type: dimension, code: "rate_limit_exceeded", headers },
    );
  }
  headers["retry-after"] = String(Math.max(1, Math.ceil(verdict.retry_after_ms / 1000)));
  const used = dimension === "requests" ? verdict.requests?.used : verdict.tokens?.used;
  return new GatewayError(
    429,
    `Rate limit reached for ${whose} on ${per}: Limit ${limit}, Used ${used ?? limit}, Requested ${asked}. Please try again in ${resetDuration(verdict.retry_after_ms)}.`,
    { type: dimension, code: "rate_limit_exceeded", headers },
  );
}

/** `rateLimit`: a limited caller's x-ratelimit-* headers, which every answer to it carries (a 402 too). */
function refused(
  what: string,
  status: BudgetStatus,
  worstPico: number,
  rateLimit: Record<string, string> = {},
): GatewayError {
  const worst = Number.isFinite(worstPico)
    ? `up to $${picoToUsdString(worstPico)}`
    : "an amount that cannot be bounded (an unpriced model)";
  return new GatewayError(
    402,
    `The budget of ${what} does not cover this request: it could cost ${worst} and $${picoToUsdString(status.remaining_pico)} of $${picoToUsdString(status.config.limit_pico)} is left this ${status.config.period}. Lower max_tokens, choose a cheaper model, or raise the budget.`,
    {
      type: "insufficient_quota",
      code: "budget_exceeded",
      headers: { ...rateLimit, "x-budget-remaining-usd": picoToUsdString(status.remaining_pico) },
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

/** Whether a refusal's headers are the budget gate's: they carry the caller's limits and budget already. */
export function fromTheGate(headers: Record<string, string>): boolean {
  return (
    "x-ratelimit-limit-requests" in headers ||
    "x-ratelimit-limit-tokens" in headers ||
    "x-budget-remaining-usd" in headers
  );
}

/** The x-budget-alert of a budget past its alert threshold; null below it. */
function alertOf(status: BudgetStatus): string | null {
  return status.alert
    ? `spent or held ${Math.round(status.config.alert_threshold * 100)}% or more of the budget`
    : null;
}

/**
 * What every answer to a limited or budgeted caller says, read without counting or holding anything: its windows as
 * x-ratelimit-* headers, its workspace budget as x-budget-remaining-usd (and x-budget-alert). For an answer refused
 * before the gate (a body that fails validation, an unknown model), which still carries them. The workspace is a
 * workspace key's own, else the one the request named (`named`, as the gate would have read it), else "default". At
 * most two awaited calls, on an error path only, in parallel; empty for a caller neither limited nor budgeted, and
 * what the object cannot answer is left out.
 */
export async function standingHeaders(
  env: Pick<Env, "BUDGETS">,
  governance: GovernanceCache,
  caller: Caller,
  named: string | undefined,
  now: number,
): Promise<Record<string, string>> {
  const workspaceId = caller.workspaceId ?? named ?? "default";
  const key = caller.kind === "workspace" ? caller.key : null;
  const limited =
    (key !== null && (key.rpm_limit !== null || key.tpm_limit !== null)) || governance.limitsOf(workspaceId) !== null;
  const budgeted = governance.budgetOf(workspaceId) !== null;
  if (!limited && !budgeted) return {};
  const stub = budgetStub(env, workspaceScope(workspaceId));
  const unread = (what: string) => (err: unknown) => {
    console.error(`${what} read failed`, err instanceof Error ? err.message : String(err));
    return null;
  };
  const ask = key === null ? null : { key_id: key.id, rpm_limit: key.rpm_limit, tpm_limit: key.tpm_limit };
  const [verdict, status] = await Promise.all([
    limited ? stub.limitUse(now, ask).catch(unread("rate window")) : null,
    budgeted ? stub.status(now).catch(unread("budget")) : null,
  ]);
  const headers = rateLimitHeaders(verdict);
  if (status !== null && status !== undefined) {
    headers["x-budget-remaining-usd"] = picoToUsdString(status.remaining_pico);
    const alert = alertOf(status);
    if (alert !== null) headers["x-budget-alert"] = alert;
  }
  return headers;
}
