// Builds the plan for a request: which models to try, in which order, and why; and which were left out. A pure function.
import type { Capability, FallbackFile, ProviderId, Strategy } from "../config/schema.ts";
import type { RouterControls } from "../core/router-controls.ts";
import type { CanonicalRequest } from "../core/types.ts";
import { pricedServiceTier } from "../ledger/cost.ts";
import type { ModelRef, ModelRegistry } from "../registry/model-registry.ts";
import type { StatsSnapshot } from "../stats/snapshot.ts";
import { expandDeployments } from "./deployments.ts";
import { classifyDifficulty, type Difficulty } from "./difficulty.ts";
import { estimatedCostUsd, type Facts, factsFor } from "./facts.ts";
import { applyFilters, type FilterInput, type Refusal } from "./filters.ts";
import type { Candidate, Exclusion, Plan, PlanOrder } from "./plan-types.ts";
import { type Ranked, STRATEGY_IMPLS, type StrategyContext } from "./strategies/index.ts";
import { round3 } from "./strategies/strategy.ts";
import { resolveTargets, type Target } from "./targets.ts";
import { boundPromptTokens, estimatePromptTokens, promptTokensCeiling } from "./tokens.ts";

export interface PlanInput {
  model: string;
  models?: string[];
  request: CanonicalRequest;
  controls: RouterControls;
  registry: ModelRegistry;
  config: FallbackFile;
  configured: (provider: ProviderId) => boolean;
  defaults: { strategy: Strategy; fallback: boolean; preferLocal: boolean; defaultProvider: ProviderId | null };
  /** Live health and latency; the empty snapshot when none could be read (static registry data then). */
  stats: StatsSnapshot;
  /** USD the workspace's budget still allows for this request; null when it has no budget. */
  workspaceBudgetRemaining: number | null;
  /** Uniform in [0, 1): the planner's randomness (latency exploration, deployment order), passed in for tests. */
  random: () => number;
  /** Reads an env variable (a deployment's base URL); absent: deployments with their own base URL are left out. */
  envValue?: (name: string) => string | undefined;
  /**
   * A request that asks for reasoning gets, from the models the router picks itself (`auto`, a named model's
   * fallbacks), only ones that reason; false when none of them can serve it (each then ignores the setting with a
   * warning, as a named model without reasoning does). Default true.
   */
  reasoningFromRegistry?: boolean;
}

/** Whether the request asks the model to reason: an effort, a thinking budget, or adaptive thinking (not "off"). */
export function asksReasoning(req: CanonicalRequest): boolean {
  const r = req.reasoning;
  if (r === undefined || r.disabled === true) return false;
  return r.adaptive === true || (r.budget_tokens ?? 0) > 0 || r.effort !== undefined;
}

/** What the request needs from a model: router.capabilities, the task type's, and what its body implies. */
export function requiredCapabilities(
  req: CanonicalRequest,
  controls: RouterControls,
  extra: readonly Capability[] = [],
): Capability[] {
  const needs = new Set<Capability>([...(controls.capabilities ?? []), ...extra]);
  if (req.tools !== undefined && req.tools.length > 0) needs.add("tools");
  if (req.response_format !== undefined && req.response_format.type !== "text") needs.add("json");
  if (
    req.messages.some(
      (m) => m.role === "user" && typeof m.content !== "string" && m.content.some((p) => p.type === "image_url"),
    )
  )
    needs.add("vision");
  return [...needs];
}

interface Passed {
  target: Target;
  facts: Facts;
  notes: string[];
}

export function buildPlan(input: PlanInput): Plan {
  const { request, controls, config, stats } = input;
  // A `models` list is the request's own fallback chain, tried in order, and a chain it names (`chain:<name>`,
  // router.chain) is the one it chose: only the request itself turns that off, not the deployment's default
  // (LLM_ENABLE_FALLBACK), which is about the fallbacks the router would add.
  const chosenChain =
    input.models !== undefined || controls.chain !== undefined || input.model.toLowerCase().startsWith("chain:");
  const fallback = controls.fallback ?? (chosenChain || input.defaults.fallback);
  const targets = resolveTargets({ ...input, fallback });
  const needs = requiredCapabilities(request, controls, targets.taskCapabilities);
  const promptTokens = estimatePromptTokens(request);
  // The difficulty class (a scan of the prompt) is what `balanced` ranks against: worked out when a ranking or the
  // plan's report first asks for it, so a request its named model answers never scans its prompt for it.
  let difficulty: Difficulty | undefined;
  const difficultyOf = (): Difficulty => {
    difficulty ??= classifyDifficulty({
      request,
      needs,
      taskType: targets.taskType,
      promptTokens,
      config: config.difficulty,
    });
    return difficulty;
  };
  const budget = bindingBudget(controls.budget_remaining, input.workspaceBudgetRemaining);
  // Asked once per provider, not once per model.
  const known = new Map<ProviderId, boolean>();
  const configured = (provider: ProviderId): boolean => {
    const yes = known.get(provider) ?? input.configured(provider);
    known.set(provider, yes);
    return yes;
  };
  const filterInput: Omit<FilterInput, "fromRegistry"> = {
    needs,
    promptTokens,
    promptBound: { quick: promptTokensCeiling(request), tight: () => boundPromptTokens(request) },
    requestedOutput: request.max_output_tokens,
    configured,
    envValue: input.envValue,
    budget,
    maxLatencyMs: controls.max_latency_ms,
    stats,
  };

  // A model left out by a filter is written down when the plan's exclusions are first read (most never are): until
  // then it is its ref and the filters it was judged by, and its facts and failures are worked out again on reading.
  const excluded: Pending[] = [];
  // Whether every configured model left out was refused for the request itself (and the first such one, to name).
  let everyRefused = true;
  let firstRefused: (Deferred & { refusal: Refusal }) | null = null;
  const seen = new Set<string>();
  const filterInputs = {
    head: { ...filterInput, fromRegistry: false },
    registry: {
      ...filterInput,
      needs:
        input.reasoningFromRegistry !== false && asksReasoning(request) && !needs.includes("reasoning")
          ? [...needs, "reasoning" as const]
          : needs,
      fromRegistry: true,
    },
  };
  const admit = (targets: readonly Target[], fromRegistry: boolean): Passed[] => {
    const passed: Passed[] = [];
    const filters = fromRegistry ? filterInputs.registry : filterInputs.head;
    for (const target of targets) {
      const { provider } = target.ref;
      if (seen.has(target.key)) continue;
      seen.add(target.key);
      // A provider without credentials fails the first filter: its models' facts are only worked out if the reason
      // is read (most deployments configure a few of the providers, and every request would weigh all the others).
      if (!configured(provider)) {
        excluded.push({ ref: target.ref, filters });
        continue;
      }
      const facts = factsFor(target.ref, request, promptTokens, stats);
      const verdict = applyFilters(facts, filters);
      if (verdict.failures.length > 0) {
        excluded.push({ ref: target.ref, filters });
        if (verdict.refusal === null) everyRefused = false;
        else firstRefused ??= { ref: target.ref, filters, refusal: verdict.refusal };
      } else passed.push({ target, facts, notes: verdict.notes });
    }
    return passed;
  };
  const head = admit(targets.head, false);

  const ctx = (): StrategyContext => ({
    weights: config.strategies.balanced.weights,
    explorationRate: config.strategies.latency_optimized.exploration_rate,
    random: input.random,
    defaultProvider: input.defaults.defaultProvider,
    needs,
    live: stats.taken_at > 0,
    difficulty: difficultyOf(),
  });
  // A request's own models list is tried whole (up to its ten): the plan's size bounds what routing adds, not what the
  // caller listed.
  const limit = fallback ? Math.max(config.defaults.max_candidates, targets.head.length) : 1;
  const headCandidates: Candidate[] = head.map((p, i) => listed(p, i, head.length, p.target.why));
  const deploymentInput = {
    configured: input.configured,
    envValue: input.envValue ?? (() => undefined),
    stats,
    random: input.random,
    estimate: (ref: ModelRef) => estimatedCostUsd(ref, request, promptTokens),
  };
  // A deployed model's hosts take its one place in the plan: each is tried in turn like a candidate. The head (the
  // named model, or the request's models list) is expanded now; the rest of the plan when it is read.
  const lead = expandDeployments(headCandidates.slice(0, limit), deploymentInput);

  /**
   * The rest of the plan after the head: the tail (a named model's fallbacks, a chain's models, a pool) admitted,
   * ranked and cut to the plan's size, and every exclusion in order. Worked out once, when the plan's candidates or
   * exclusions are first read: a call its head answers (src/execute/run-plan.ts walks `lead` first) never weighs its
   * fallbacks, and a named model's fallbacks are every configured model of the registry.
   */
  let rest: { candidates: Candidate[]; hostsExcluded: number } | undefined;
  const complete = (): { candidates: Candidate[]; hostsExcluded: number } => {
    if (rest !== undefined) return rest;
    const tail = admit(targets.tail, targets.tailFromRegistry);
    const candidates = [...headCandidates];
    if (!targets.rankTail) candidates.push(...tail.map((p, i) => listed(p, i, tail.length, p.target.why)));
    else {
      // A ranked plan keeps room for other providers: one provider's outage must not exhaust it (local_first would
      // otherwise fill every slot with Ollama models, and a down Ollama would leave nothing to fall back to).
      const perProvider = Math.ceil(config.defaults.max_candidates / 2);
      const count = new Map<string, number>();
      for (const c of candidates) count.set(c.ref.provider, (count.get(c.ref.provider) ?? 0) + 1);
      const capped: { c: Candidate; n: number }[] = [];
      for (const c of rankTail(tail, targets.strategy, ctx())) {
        const n = count.get(c.ref.provider) ?? 0;
        // Past the limit, the cut below gives the reason; the provider cap only speaks for models that would fit.
        if (candidates.length >= limit) candidates.push(c);
        else if (n >= perProvider) {
          capped.push({ c, n });
          continue;
        }
        count.set(c.ref.provider, n + 1);
        candidates.push(c);
      }
      // The room kept for other providers is theirs only if they fill it: slots still free (a chain of one provider's
      // models, one provider configured) take the capped models, in rank order.
      const room = Math.max(0, limit - candidates.length);
      candidates.push(...capped.slice(0, room).map(({ c }) => c));
      for (const { c, n } of capped.slice(room))
        excluded.push({
          provider: c.ref.provider,
          model: c.ref.id,
          reason: `the plan already holds ${n} ${c.ref.provider} models: the rest of it is kept for other providers, so one provider's outage cannot exhaust it`,
        });
    }
    const cut = candidates.splice(limit);
    // The head's part of what is left was expanded above.
    const hosts = expandDeployments(candidates.slice(Math.min(headCandidates.length, limit)), deploymentInput);
    excluded.push(...lead.excluded, ...hosts.excluded);
    for (const dropped of cut) {
      excluded.push({
        provider: dropped.ref.provider,
        model: dropped.ref.id,
        reason: fallback
          ? `ranked beyond the plan's ${limit} candidates (defaults.max_candidates)`
          : "fallback is off (router.fallback / LLM_ENABLE_FALLBACK): only the first candidate is tried",
      });
    }
    rest = {
      candidates: [...lead.candidates, ...hosts.candidates],
      hostsExcluded: lead.excluded.length + hosts.excluded.length,
    };
    return rest;
  };

  const order: PlanOrder = targets.tail.length === 0 ? "requested" : targets.rankTail ? "strategy" : "listed";
  let written: Exclusion[] | undefined;
  let assigned: Candidate[] | undefined;
  /** Why the filters left a model out, worked out again from the same inputs ("" when they did not). */
  const reasonOf = (ref: ModelRef, filters: FilterInput): string =>
    applyFilters(factsFor(ref, request, promptTokens, stats), filters)
      .failures.map((f) => f())
      .join("; ");
  // A plan whose head gives no candidate is worked out whole now: whether it is empty decides what it says.
  const whole = lead.candidates.length === 0 ? complete() : undefined;
  // Nothing to try, and nothing that health could change: every configured model was asked for more than it is.
  // (Set inside admit, which TypeScript's narrowing does not follow.)
  const first = firstRefused as (Deferred & { refusal: Refusal }) | null;
  const refused =
    whole !== undefined && whole.candidates.length === 0 && everyRefused && whole.hostsExcluded === 0 && first !== null
      ? {
          refusal: first.refusal,
          reason: `${first.ref.provider}/${first.ref.id}: ${reasonOf(first.ref, first.filters)}`,
        }
      : undefined;
  // A model the caller named that a filter left out while others are tried: said, since only the route headers would
  // show that another model answered (worked out only then).
  let passedOver: string | undefined;
  const empty = lead.candidates.length === 0 && whole?.candidates.length === 0;
  for (const t of empty ? [] : targets.head) {
    if (!configured(t.ref.provider) || head.some((p) => p.target === t)) continue;
    const reason = reasonOf(t.ref, filterInputs.head);
    if (reason === "") continue;
    passedOver = `${t.ref.provider}/${t.ref.id} was passed over: ${reason}`;
    break;
  }
  return {
    ...(refused === undefined ? {} : { refused }),
    ...(passedOver === undefined ? {} : { passed_over: passedOver }),
    strategy: targets.strategy,
    chain: targets.chain,
    order,
    task_type: targets.taskType,
    required_capabilities: needs,
    get difficulty(): Difficulty {
      return difficultyOf();
    },
    service_tier: pricedServiceTier(request.service_tier),
    fallback,
    budget_remaining_usd: budget?.usd ?? null,
    // The head's candidates, known before the rest is ranked (absent when the head gave none: the plan is whole).
    ...(whole === undefined ? { lead: lead.candidates } : {}),
    // Own enumerable getters that work out the rest of the plan on first read, and write the exclusions, in order (a
    // failure's route report, GET /v1/route, a budget's cut): JSON, spreads and equality see plain arrays; assigning
    // one replaces it.
    get candidates(): Candidate[] {
      assigned ??= complete().candidates;
      return assigned;
    },
    set candidates(value: Candidate[]) {
      assigned = value;
    },
    get excluded(): Exclusion[] {
      complete();
      written ??= excluded.map((e) =>
        "filters" in e ? { provider: e.ref.provider, model: e.ref.id, reason: reasonOf(e.ref, e.filters) } : e,
      );
      return written;
    },
    set excluded(value: Exclusion[]) {
      written = value;
    },
    estimated_prompt_tokens: promptTokens,
  };
}

/** An exclusion not yet written: the model and the filters it was judged by (the same inputs give the same failures). */
interface Deferred {
  ref: ModelRef;
  filters: FilterInput;
}
type Pending = Exclusion | Deferred;

/** In a listed order the score is the position: 1 for the first, falling evenly. */
function listed(p: Passed, i: number, n: number, why: string): Candidate {
  return {
    ref: p.target.ref,
    score: round3(1 - i / Math.max(n, 1)),
    estimated_cost_usd: p.facts.cost,
    reasons: [why, ...p.notes],
  };
}

function rankTail(tail: Passed[], strategy: Strategy, ctx: StrategyContext): Candidate[] {
  const byKey = new Map(tail.map((p) => [p.facts.key, p]));
  return STRATEGY_IMPLS[strategy]
    .rank(
      tail.map((p) => p.facts),
      ctx,
    )
    .map((r: Ranked) => {
      const p = byKey.get(r.facts.key);
      return {
        ref: r.facts.ref,
        score: round3(Math.min(1, Math.max(0, r.score))),
        estimated_cost_usd: r.facts.cost,
        reasons: [...(p ? [p.target.why] : []), ...r.reasons, ...(p?.notes ?? [])],
      };
    });
}

function bindingBudget(caller: number | undefined, workspace: number | null): FilterInput["budget"] {
  if (caller === undefined && workspace === null) return null;
  if (workspace === null || (caller !== undefined && caller <= workspace))
    return { usd: caller as number, source: "router.budget_remaining" };
  return { usd: workspace, source: "the workspace budget" };
}
