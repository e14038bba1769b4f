// The response cache around a run: a request that opted in (router.cache.ttl_s, x-router-cache-ttl, or its
// workspace's default) is answered from the Workers Cache API when the same workspace asked the same candidates the
// same thing before, at $0 and without a provider; otherwise it runs, and a finished answer is stored after the
// response. Errors, cut or unfinished streams, and answers with reasoning are never stored.
import {
  AnswerCollector,
  type AnswerStore,
  type CachedAnswer,
  cacheKey,
  replayEvents,
  storable,
  workersCacheStore,
} from "../cache/response-cache.ts";
import type { Config } from "../config/validate.ts";
import { GatewayError } from "../core/gateway-error.ts";
import type { RouteReport } from "../core/route-report.ts";
import type { RouterControls } from "../core/router-controls.ts";
import { holdBudget } from "../ledger/budget-gate.ts";
import type { AnswerEvent, CommittedAnswer } from "./committed-body.ts";
import type { ChatScope, PreparedChat } from "./prepare.ts";
import { recorder } from "./record.ts";
import type { ChatRun } from "./run.ts";

type CacheConfig = Config["fallback"]["response_cache"];

/** Seconds this request's answer may be cached; 0: the cache is not asked (bypass). */
export function cacheTtl(controls: RouterControls, workspaceId: string, config: CacheConfig): number {
  if (controls.cache?.no_store === true) return 0;
  const asked = controls.cache?.ttl_s ?? config.workspace_ttl_s[workspaceId] ?? 0;
  return Math.min(asked, config.max_ttl_s);
}

const PICO = 1e12;

/** Runs `run` behind the cache; the route report (and so `x-router-cache`) says hit, miss or bypass. */
export async function withResponseCache(
  prepared: PreparedChat,
  scope: ChatScope,
  startedAt: number,
  run: (prepared: PreparedChat) => Promise<ChatRun>,
  store: AnswerStore | null = workersCacheStore(),
): Promise<ChatRun> {
  const ttl = cacheTtl(prepared.controls, prepared.workspaceId, scope.services.config.fallback.response_cache);
  // Embeddings bring their own call (and vectors are not chat answers); a plan with no candidate fails as it would.
  const eligible =
    ttl > 0 && store !== null && prepared.adapterFor === undefined && prepared.plan.candidates.length > 0;
  if (!eligible || store === null) return refusalSays(run({ ...prepared, cacheStatus: "bypass" }), "bypass");

  const candidates = prepared.plan.candidates.map((c) => `${c.ref.provider}/${c.ref.id}`);
  const key = await cacheKey(prepared.workspaceId, candidates, prepared.request);
  const cached = await store.get(key);
  if (cached !== null)
    return hit(
      cached,
      { ...prepared, cacheStatus: "hit" },
      scope,
      startedAt,
      await refusalSays(counted(prepared, scope, startedAt), "miss"),
    );

  // The run's routes (and a failed run) say "miss" themselves: it knows the request's cacheStatus.
  const result = await refusalSays(run({ ...prepared, cacheStatus: "miss" }), "miss");
  // A `downgrade` budget may run the plan without the candidates it cannot cover: that answer is the trimmed plan's,
  // not the one the key names (stored, it would stand in for the first choice once the budget allows it), so it is
  // not stored. Keying it by the trimmed plan instead would serve only requests whose whole plan is the trimmed one.
  if ("plan" in result && result.plan.candidates.length < prepared.plan.candidates.length) return result;
  const put = (answer: Omit<CachedAnswer, "v" | "created_at">) =>
    scope.waitUntil(store.put(key, { v: 1, ...answer, created_at: scope.services.deps.now() }, ttl));
  if (result.kind === "json") {
    if (storable(result.result))
      put({
        provider: result.route.provider,
        model: result.route.model,
        upstream_model: result.result.model,
        // An answer that came without usage is replayed with what the miss said and billed: its estimate.
        result: result.result.usage === null ? { ...result.result, usage: result.billed ?? null } : result.result,
        cost_pico: result.route.cost_usd === null ? null : Math.round(result.route.cost_usd * PICO),
      });
    return result;
  }
  if (result.kind === "stream") {
    const { answer, answeringModel, ended } = result;
    return {
      ...result,
      answer: collecting(answer, (final, route) => {
        const upstreamModel = answeringModel();
        const made = final.result(upstreamModel);
        const { billed, skipped } = ended();
        // A stream that lost a chunk to a malformed event is an answer with a hole in it: the client got it, said.
        if (made === null || !storable(made) || skipped > 0) return;
        put({
          provider: route.provider,
          model: route.model,
          upstream_model: upstreamModel,
          result: made.usage === null ? { ...made, usage: billed } : made,
          cost_pico: route.cost_usd === null ? null : Math.round(route.cost_usd * PICO),
        });
      }),
    };
  }
  return result;
}

/**
 * A refusal by a budget (402) or a rate limit (429) is thrown from the hold as a GatewayError, and is an answer too: it
 * says what the cache did (miss when the request opted in, as a failed run does) in the headers it goes out with.
 */
function refusalSays<T>(work: Promise<T>, cache: "miss" | "bypass"): Promise<T> {
  return work.catch((err: unknown) => {
    if (err instanceof GatewayError) err.headers["x-router-cache"] = cache;
    throw err;
  });
}

/** A committed answer that notes its events and, when it finished (never when cut or left), hands them over. */
function collecting(
  answer: CommittedAnswer,
  onDone: (collected: AnswerCollector, route: RouteReport) => void,
): CommittedAnswer {
  const collector = new AnswerCollector();
  for (const e of answer.head) collector.note(e);
  return {
    head: answer.head,
    async next() {
      const item = await answer.next();
      if (item?.type === "events") for (const e of item.events) collector.note(e);
      else if (item?.type === "done") onDone(collector, item.route);
      return item;
    },
    cancel: (reason) => answer.cancel(reason),
    ...(answer.complete === undefined ? {} : { complete: answer.complete }),
  };
}

/**
 * A hit is a request of its caller: a rate-limited key or workspace counts it in its windows (no tokens: no provider
 * was asked), is refused over its limit as any request is, and gets its x-ratelimit-* headers. It costs nothing, so no
 * budget refuses it (nothing is held: the plan it holds for has no candidate).
 */
function counted(prepared: PreparedChat, scope: ChatScope, startedAt: number) {
  return holdBudget({
    env: scope.env,
    governance: scope.services.governance,
    caller: scope.caller,
    workspaceId: prepared.workspaceId,
    plan: { ...prepared.plan, candidates: [] },
    request: prepared.request,
    limitTokens: () => 0,
    newId: scope.services.deps.newId,
    now: startedAt,
  });
}

/** The cached answer as this request's run: JSON, or replayed as a stream in the caller's dialect; recorded at $0. */
function hit(
  cached: CachedAnswer,
  prepared: PreparedChat,
  scope: ChatScope,
  startedAt: number,
  held: Awaited<ReturnType<typeof counted>>,
): ChatRun {
  const { deps } = scope.services;
  const elapsed = deps.now() - startedAt;
  const route: RouteReport = {
    provider: cached.provider as RouteReport["provider"],
    model: cached.model,
    strategy: prepared.plan.strategy,
    chain: prepared.plan.chain,
    attempts: [],
    cost_usd: 0,
    latency_ms: elapsed,
    ttft_ms: elapsed,
    warnings: prepared.warnings,
    cache: "hit",
  };
  recorder(scope, prepared, held.holds, startedAt, null).hit({
    provider: route.provider,
    model: cached.model,
    upstream_model: cached.upstream_model,
    finish_reason: cached.result.finish_reason,
    saved_pico: cached.cost_pico,
    ttft_ms: elapsed,
  });
  const result = { ...cached.result, model: cached.upstream_model };
  if (!prepared.request.stream) return { kind: "json", result, route, plan: prepared.plan, budget: held.notice };
  const events = replayEvents(result) as AnswerEvent[];
  const firstContent = events.findIndex(
    (e) => e.type === "text" || e.type === "refusal" || e.type === "tool_call_start",
  );
  const head = events.slice(0, firstContent + 1);
  let rest = events.slice(firstContent + 1);
  let ended = false;
  const answer: CommittedAnswer = {
    head,
    async next() {
      if (ended) return null;
      // The rest of the answer is in hand: one piece, then the end.
      if (rest.length > 0) {
        const events = rest;
        rest = [];
        return { type: "events", events };
      }
      ended = true;
      return { type: "done", route: { ...route, latency_ms: deps.now() - startedAt } };
    },
    cancel() {
      ended = true;
    },
  };
  const upstreamModel = cached.upstream_model;
  return {
    kind: "stream",
    plan: prepared.plan,
    answer,
    route,
    upstreamModel,
    answeringModel: () => upstreamModel,
    ended: () => ({ billed: result.usage, skipped: 0 }),
    budget: held.notice,
  };
}
