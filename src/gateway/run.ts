// Run: hold the budget (402 when it cannot), walk the plan, and hand every outcome to the stats and the ledger.
// Returns what the run came to with its typed route report; each transport writes that its own way.
import type { Timeouts } from "../config/schema.ts";
import { ProviderError } from "../core/errors.ts";
import { GatewayError } from "../core/gateway-error.ts";
import type { AttemptReport, RouteReport } from "../core/route-report.ts";
import type { ChatResult, Usage } from "../core/types.ts";
import { ClientGoneError } from "../execute/attempt-signals.ts";
import { circuitGate } from "../execute/circuit-gate.ts";
import { firstTokenClock, hedgeDelay, hedgeSetting, ttftP95 } from "../execute/clocks.ts";
import type { ExecutionFailure } from "../execute/execution-failure.ts";
import { KEY_ROTATION, rotatingDeps } from "../execute/key-rotation.ts";
import { type RescuedStream, sumUsage } from "../execute/rescue.ts";
import { executePlan } from "../execute/run-plan.ts";
import { outcomeOf, streamOutcome } from "../execute/stats-outcome.ts";
import { type BudgetNotice, holdBudget } from "../ledger/budget-gate.ts";
import type { AttemptRecord } from "../ledger/record.ts";
import { specOf } from "../providers/index.ts";
import { deploymentEnv, ownHost } from "../routing/deployments.ts";
import { ASSUMED_OUTPUT_TOKENS } from "../routing/facts.ts";
import type { Candidate, Plan } from "../routing/plan-types.ts";
import { boundPromptTokens } from "../routing/tokens.ts";
import { withResponseCache } from "./cache-step.ts";
import { type CommittedAnswer, committedAnswer } from "./committed-body.ts";
import {
  estimatedResultUsage,
  estimatedUsage,
  reasoningTokensOf,
  StreamedTokens,
  withReasoningShare,
} from "./estimated-usage.ts";
import type { ChatScope, PreparedChat } from "./prepare.ts";
import { recorder, refusedAfterPlan } from "./record.ts";
import { publicAttempts, routeReport } from "./report.ts";
import { Transcript } from "./transcript.ts";

/** What a run came to. A stream is committed: its first content event is in hand. */
export type ChatRun =
  | { kind: "client_closed" }
  | {
      kind: "failed";
      failure: ExecutionFailure;
      plan: Plan;
      attempts: AttemptReport[];
      /** A limited caller's rate-limit headers (and budget) go on a failure too. */
      budget: BudgetNotice | null;
      /** The response cache's verdict (`x-router-cache`): miss when the request opted in, bypass otherwise. */
      cache?: "miss" | "bypass";
    }
  | {
      kind: "json";
      result: ChatResult;
      route: RouteReport;
      /** The usage the ledger bills: the provider's, or the estimate when it sent none (absent: a cache hit). */
      billed?: Usage;
      /** The plan that ran: under a `downgrade` budget, without the candidates the hold took out. */
      plan: Plan;
      budget: BudgetNotice | null;
    }
  | {
      kind: "stream";
      /** The plan that ran: under a `downgrade` budget, without the candidates the hold took out. */
      plan: Plan;
      /** The events, then the final route report; recorded when it ends or the caller leaves. */
      answer: CommittedAnswer;
      /** The route as of the commit point (cost not known yet): enough for a transport's response head. */
      route: RouteReport;
      /** The id the committed model was called by. */
      upstreamModel: string;
      /** The id of the model answering now: after a continuation, the last leg's (known once the answer ended). */
      answeringModel: () => string;
      /**
       * Once the answer ended: the usage the ledger bills (the provider's, or the estimate when it sent none), and how
       * many malformed chunks were skipped (an answer with a hole in it).
       */
      ended: () => { billed: Usage | null; skipped: number };
      /** What a budgeted workspace has left after this request's hold. */
      budget: BudgetNotice | null;
    };

/** Runs a prepared request: from the response cache when it opted in and the answer is there, else upstream. */
export async function runChat(prepared: PreparedChat, scope: ChatScope, startedAt: number): Promise<ChatRun> {
  try {
    return await withResponseCache(prepared, scope, startedAt, (p) => runUpstream(p, scope, startedAt));
  } catch (err) {
    // A request the gateway refuses (its rate limit, a budget, a budget it cannot check; a cache hit too) is still
    // a request: its metrics and its span say so (the ledger bills none).
    if (err instanceof GatewayError) {
      refusedAfterPlan(recorder(scope, prepared, [], startedAt, null), err);
      // A refusal is a chat response too: its route headers say the plan's strategy and that no model was tried.
      const { plan } = prepared;
      Object.assign(
        err.headers,
        {
          "x-router-provider": "none",
          "x-router-model": "none",
          "x-router-strategy": plan.strategy,
          "x-router-attempts": "0",
          ...(plan.chain === null ? {} : { "x-router-chain": plan.chain }),
        },
        err.headers,
      );
    }
    throw err;
  }
}

/** Holds the budget, walks the plan and records the outcome. */
async function runUpstream(prepared: PreparedChat, scope: ChatScope, startedAt: number): Promise<ChatRun> {
  const { deps, config, live, governance } = scope.services;
  const { request, controls, workspaceId, warnings } = prepared;
  // What the response cache did (it ran this request only on a miss or a bypass): every route reported says so.
  const cache = prepared.cacheStatus === "hit" ? undefined : prepared.cacheStatus;
  const tightened = tighterOnly(config.fallback.timeouts, controls.timeouts);
  const timeouts: Timeouts = { ...config.fallback.timeouts, ...tightened };
  // A clock the caller tightened is the caller's choice: its running out says nothing of the provider's health, so one
  // workspace's short clocks never open a circuit every workspace shares.
  const callers = callerClocks(config.fallback.timeouts, tightened, request.stream);
  const healthSays = (clock: string | undefined) => clock === undefined || !callers.has(clock);
  // Budgets: the worst case is held before the call (under `downgrade` the plan comes back without the candidates
  // that do not fit); the budget sink settles it after.
  const budget = await holdBudget({
    env: scope.env,
    governance,
    caller: scope.caller,
    workspaceId,
    plan: prepared.plan,
    request,
    // Rate limits reserve an upper bound of the prompt (never below the real count) plus the output it allows, or,
    // with no max_tokens, the output the plan's estimates assume; the hold settles to what the answer used.
    limitTokens: () =>
      (prepared.promptTokens?.bound ?? boundPromptTokens(request)) +
      (request.max_output_tokens ?? ASSUMED_OUTPUT_TOKENS),
    ...(prepared.promptTokens === undefined ? {} : { promptBound: prepared.promptTokens.bound }),
    hedged: request.stream && hedgeSetting(controls.hedge, config.fallback.rescue, prepared.plan.strategy) !== "off",
    newId: deps.newId,
    now: startedAt,
  });
  const { plan } = budget;

  const rescue = config.fallback.rescue;
  // The first-token clock adapts to each candidate's live TTFT unless the caller set its own (which only tightens).
  const adaptive = controls.timeouts?.first_token_ms === undefined;
  const hedge = hedgeSetting(controls.hedge, rescue, plan.strategy);
  /** The attempts made before the client left, where it did. */
  let goneAttempts: AttemptRecord[] = [];
  const envFor = (c: Candidate) => deploymentEnv(scope.env, c.ref, (p) => specOf(p).env.baseUrl);
  const gate = live
    ? circuitGate({
        snapshot: scope.stats,
        claims: live.claims,
        now: deps.now,
        random: deps.random,
        probeTtlMs: timeouts.total_ms,
        sharedClaim: (key, ttlMs) => live.cache.claimProbe(scope.env, key, ttlMs),
        sharedRelease: (key) => live.cache.releaseProbe(scope.env, { waitUntil: scope.waitUntil }, key),
        keysResting: (c) => KEY_ROTATION.resting(c.ref.provider, envFor(c), scope.stats),
      })
    : undefined;
  const outcome = await executePlan({
    plan,
    request,
    timeouts,
    retry: config.fallback.retry,
    rescue: { continuation: rescue.continuation, malformedRunLimit: rescue.malformed_run_limit },
    // A non-streaming call's headers wait for the deadline (decision 0004) unless the caller set a headers clock.
    jsonHeadersMs: controls.timeouts?.headers_ms === undefined ? undefined : timeouts.headers_ms,
    firstTokenFor: adaptive
      ? (c) => firstTokenClock(ttftP95(scope.stats, c), timeouts.first_token_ms, rescue)
      : undefined,
    hedgeFor: request.stream ? (c) => hedgeDelay(hedge, ttftP95(scope.stats, c), rescue) : undefined,
    env: scope.env,
    clientSignal: scope.signal,
    // Pooled keys rotate at the wire (outside the retry budget); each key's outcome goes to the stats object.
    deps: rotatingDeps(deps, scope.env, scope.stats, (events) =>
      live?.cache.recordKeys(scope.env, { waitUntil: scope.waitUntil }, events),
    ),
    startedAt,
    adapterFor: prepared.adapterFor,
    envFor,
    // Live stats: outcomes go to the stats object through waitUntil, never awaited; circuits come from the cached snapshot.
    onAttempt: (record, candidate) => {
      if (!healthSays(record.clock)) return false;
      const o = outcomeOf(record, deps.now(), ownHost(candidate.ref), prepared.request.stream);
      if (o === null || live === undefined) return false;
      live.cache.record(scope.env, { waitUntil: scope.waitUntil }, [o]);
      return true;
    },
    gate,
  }).catch((err: unknown) => {
    if (!(err instanceof ClientGoneError)) throw err;
    goneAttempts = err.attempts;
    return null;
  });

  // Prompts and completions are stored only when the operator turned features.store_prompts on.
  const transcript = config.fallback.features.store_prompts ? new Transcript(JSON.stringify(request.messages)) : null;
  const record = recorder(scope, prepared, budget.holds, startedAt, transcript);

  if (outcome === null) {
    record.unanswered({
      status: "client_closed",
      http_status: 499,
      attempts: goneAttempts,
      error: "client closed the connection",
    });
    return { kind: "client_closed" };
  }
  if (!outcome.ok) {
    const { failure } = outcome;
    record.unanswered({
      status: "error",
      http_status: failure.status,
      attempts: failure.attempts,
      error: failure.message,
    });
    return {
      kind: "failed",
      failure,
      plan,
      attempts: publicAttempts(failure.attempts),
      budget: budget.notice,
      ...(cache === undefined ? {} : { cache }),
    };
  }

  const { candidate, attempts } = outcome;
  const answer = { plan, candidate, attempts, warnings: [...warnings, ...outcome.warnings] };

  if (outcome.kind === "json") {
    transcript?.answer(outcome.result);
    const latency = deps.now() - startedAt;
    // An answer that came without usage is billed from an estimate, as a stream cut before its usage is (marked
    // usage_estimated in x_router); the reasoning's share is added where the provider gave none.
    const usage = withReasoningShare(
      outcome.result.usage ??
        estimatedResultUsage(request, candidate.ref, outcome.result, prepared.promptTokens?.estimate),
      reasoningTokensOf(outcome.result),
    );
    const usage_estimated = outcome.result.usage === null;
    record.answered(candidate, attempts, {
      usage,
      ...(usage_estimated ? { usage_estimated } : {}),
      ttft_ms: latency,
      status: "ok",
      error: null,
      finish_reasons: [outcome.result.finish_reason],
      response_model: outcome.result.model,
    });
    return {
      kind: "json",
      // The provider's usage as the client reads it (with the reasoning's share); none stays none, never made-up zeros.
      result: outcome.result.usage === null ? outcome.result : { ...outcome.result, usage },
      billed: usage,
      route: {
        ...routeReport(answer, usage, deps.now() - startedAt, latency),
        ...(usage_estimated ? { usage_estimated } : {}),
        ...(cache === undefined ? {} : { cache }),
      },
      plan,
      budget: budget.notice,
    };
  }

  const ttft = deps.now() - startedAt;
  const committedAt = deps.now();
  /** The attempts as they stand once the stream has ended (the answering one's whole time, failed if cut). */
  let finalAttempts: AttemptRecord[] | undefined;
  let ended = false;
  let endedWith: { billed: Usage | null; skipped: number } = { billed: null, skipped: 0 };
  /** The committed candidate was its circuit's probe: the claim to let go if the stream's outcome is not recorded. */
  const probe = outcome.probe;
  const legs = "legs" in outcome.stream ? (outcome.stream as RescuedStream).legs : null;
  const stream = transcript === null ? outcome.stream : transcript.follow(outcome.stream);
  const streamed = new StreamedTokens();
  /** Continued on other candidates: the answering model is the last leg's, the cost every leg's at its own price. */
  const settled = (usage: Usage | null) => {
    const last = legs?.at(-1);
    if (legs === null || last === undefined || legs.length === 1) return { usage, legs: undefined };
    answer.candidate = last.candidate;
    if (usage === null) {
      // The answering leg reported no usage (cut, stalled or left by its client): each leg is billed for its own,
      // the answering one from an estimate of its prompt and what it streamed.
      (outcome.stream as RescuedStream).closeLast();
    } else {
      // The usage event the client saw is already the total; the last leg's share is what the others did not use.
      last.usage = minusUsage(usage, sumUsage(legs.slice(0, -1).map((l) => l.usage)) ?? zeroUsage());
    }
    const each = legs.map((l) => ({ candidate: l.candidate, usage: l.usage }));
    return { usage: usage ?? sumUsage(each.map((l) => l.usage)), legs: each };
  };
  return {
    kind: "stream",
    plan,
    answer: committedAnswer(
      stream,
      (usage, error, estimated = false, cause) => {
        const final = settled(usage);
        const skipped = outcome.stream.malformedSkipped();
        // What the ledger bills and the route reports alike: a stream cut off before its usage is its estimate.
        const billed = final.usage ?? estimatedUsage(request, answer.candidate.ref, streamed);
        const billedEstimated = estimated || usage === null || legs?.some((l) => l.usageEstimated) === true;
        if (!ended) {
          ended = true;
          endedWith = { billed, skipped };
          if (skipped > 0) answer.warnings.push(`${skipped} malformed stream chunk(s) from the provider were skipped`);
          const now = deps.now();
          // The answering attempt ran until the stream ended: its time is the whole stream's, and a stream cut off
          // after its commit is no answer, so the attempt failed, and why: the ledger, the spans and the route the
          // client reads all say so.
          const committed = legs?.at(-1)?.record ?? attempts.findLast((a) => a.status === "ok");
          const cut = error !== null && error !== "client";
          const whole =
            committed === undefined
              ? 0
              : committed.started_at !== undefined
                ? now - committed.started_at
                : committed.latency_ms + now - committedAt;
          finalAttempts = attempts.map((a) =>
            a !== committed
              ? a
              : cut
                ? { ...a, latency_ms: whole, status: "failed" as const, error, error_kind: "stream" as const }
                : { ...a, latency_ms: whole },
          );
          // The stream's own outcome is known only now; a caller leaving says nothing about the provider's health.
          const clock =
            cause instanceof ProviderError && cause.kind === "timeout" ? (cause.code ?? undefined) : undefined;
          if (committed !== undefined && error !== "client" && healthSays(clock)) {
            live?.cache.record(scope.env, { waitUntil: scope.waitUntil }, [
              streamOutcome(committed, now, whole, error),
            ]);
          } else if (probe !== undefined) gate?.release(probe);
          // Usage comes at the end of a stream: one cut off, stalled or left by its client is billed from an estimate.
          record.answered(answer.candidate, finalAttempts, {
            usage: billed,
            usage_estimated: billedEstimated,
            ttft_ms: ttft,
            finish_reasons: streamed.finishReasons(),
            status: error === null ? "ok" : error === "client" ? "client_closed" : "error",
            error: error === "client" ? "client closed the connection" : error,
            legs: final.legs,
          });
        }
        const reported = { ...answer, attempts: finalAttempts ?? attempts };
        const route = routeReport({ ...reported, legs: final.legs }, billed, deps.now() - startedAt, ttft);
        return billedEstimated || cache !== undefined
          ? {
              ...route,
              ...(billedEstimated ? { usage_estimated: true } : {}),
              ...(cache === undefined ? {} : { cache }),
            }
          : route;
      },
      (e) => streamed.note(e),
      // A finished stream without the provider's usage: one leg is estimated whole; a continued answer leg by leg,
      // each from its own prompt (a continuation's carries the prefill) and what it generated, then added up.
      () => {
        if (legs === null || legs.length < 2) return estimatedUsage(request, answer.candidate.ref, streamed);
        (outcome.stream as RescuedStream).closeLast();
        return sumUsage(legs.map((l) => l.usage)) ?? estimatedUsage(request, answer.candidate.ref, streamed);
      },
    ),
    route: { ...routeReport(answer, null, ttft, ttft), ...(cache === undefined ? {} : { cache }) },
    upstreamModel: candidate.ref.upstreamId,
    answeringModel: () => answer.candidate.ref.upstreamId,
    ended: () => endedWith,
    budget: budget.notice,
  };
}

function zeroUsage(): Usage {
  return { input_tokens: 0, output_tokens: 0, cached_input_tokens: 0, cache_write_tokens: 0 };
}

/**
 * `total` less `part`, never below zero (a last leg's share of the answer's total), the breakdowns with it (1-hour
 * cache writes bill at their own price) and the tier it was served at.
 */
export function minusUsage(total: Usage, part: Usage): Usage {
  const less = (a: number, b: number) => Math.max(0, a - b);
  const own: Usage = {
    input_tokens: less(total.input_tokens, part.input_tokens),
    output_tokens: less(total.output_tokens, part.output_tokens),
    cached_input_tokens: less(total.cached_input_tokens, part.cached_input_tokens),
    cache_write_tokens: less(total.cache_write_tokens, part.cache_write_tokens),
  };
  if (total.cache_write_1h_tokens !== undefined)
    own.cache_write_1h_tokens = less(total.cache_write_1h_tokens, part.cache_write_1h_tokens ?? 0);
  if (total.reasoning_tokens !== undefined)
    own.reasoning_tokens = less(total.reasoning_tokens, part.reasoning_tokens ?? 0);
  if (total.service_tier !== undefined) own.service_tier = total.service_tier;
  return own;
}

const CLOCK_OF: Record<keyof Timeouts, string> = {
  headers_ms: "headers",
  first_token_ms: "first_token",
  idle_ms: "idle",
  total_ms: "deadline",
};

/** The clocks (as a timeout names them) the caller set shorter than the configured defaults. */
function callerClocks(defaults: Timeouts, tightened: Partial<Timeouts>, stream: boolean): ReadonlySet<string> {
  const out = new Set<string>();
  for (const key of Object.keys(tightened) as (keyof Timeouts)[])
    if ((tightened[key] as number) < defaults[key]) out.add(CLOCK_OF[key]);
  // A JSON answer's headers come with the whole answer, so they wait as long as the deadline leaves (run-plan's
  // jsonAttemptDeadline): under a deadline the caller shortened, that wait is the caller's too.
  if (!stream && out.has("deadline")) out.add("headers");
  return out;
}

/** A caller may tighten the clocks, never loosen them past the configured defaults. */
function tighterOnly(defaults: Timeouts, asked: Partial<Timeouts> | undefined): Partial<Timeouts> {
  const out: Partial<Timeouts> = {};
  for (const key of Object.keys(defaults) as (keyof Timeouts)[]) {
    const value = asked?.[key];
    if (value !== undefined) out[key] = Math.min(value, defaults[key]);
  }
  return out;
}
