// Prepare and plan: what a dialect read from the caller becomes a plan (which models to try, in which order).
// No provider is called here; the dry run (POST /v1/route) stops after this step.
import type { ProviderId } from "../config/schema.ts";
import type { Dialect } from "../core/dialect.ts";
import { GatewayError } from "../core/gateway-error.ts";
import type { RouterControls } from "../core/router-controls.ts";
import type { CanonicalRequest } from "../core/types.ts";
import type { Env } from "../env.ts";
import type { Caller } from "../keys/caller.ts";
import { budgetRemainingHint } from "../ledger/budget-gate.ts";
import type { ProviderAdapter } from "../providers/adapter.ts";
import { adapterFor } from "../providers/index.ts";
import { envValue } from "../providers/spec.ts";
import type { ModelRegistry } from "../registry/model-registry.ts";
import { asksReasoning, buildPlan } from "../routing/plan.ts";
import type { Plan } from "../routing/plan-types.ts";
import { settingsFrom } from "../routing/settings.ts";
import type { StatsSnapshot } from "../stats/snapshot.ts";
import type { AppServices } from "./services.ts";

/** One request's world, whatever transport it came by. */
export interface ChatScope {
  services: AppServices;
  env: Env;
  waitUntil: (promise: Promise<unknown>) => void;
  requestId: string;
  caller: Caller;
  registry: ModelRegistry;
  stats: StatsSnapshot;
  /** Fires when the caller goes away: the upstream call is aborted. */
  signal: AbortSignal;
  /** The caller's W3C traceparent, continued by the request's spans; absent: a trace of its own. */
  traceparent?: string | null;
}

/** What a dialect hands the gateway: the canonical request, the model(s) asked for and the routing controls. */
export interface ChatInput {
  model: string;
  models: string[] | undefined;
  request: CanonicalRequest;
  /** Validated controls, merged from wherever the transport carries them. */
  controls: RouterControls;
  /** Said to the caller in the route report (e.g. body fields that were not sent). */
  warnings: string[];
  /** The API the caller spoke, recorded in the ledger; chat when absent. */
  dialect?: Dialect;
  /** How each provider is called; absent: its chat adapter (the embeddings dialect brings its own call). */
  adapterFor?: (provider: ProviderId) => ProviderAdapter;
  /**
   * The prompt's tokens where the dialect counts them better than the chat estimator (embeddings: texts without a
   * chat template around each): the estimate billed when the provider reports none, and the upper bound budgets and
   * rate limits hold. Absent: worked out from `request`.
   */
  promptTokens?: { estimate: number; bound: number };
}

export interface PreparedChat extends ChatInput {
  workspaceId: string;
  plan: Plan;
  /** The response cache's verdict for this request, set by the cache step (src/gateway/cache-step.ts). */
  cacheStatus?: "hit" | "miss" | "bypass";
}

/** Plans a request: the workspace it is billed to and its candidates. No provider is called. */
export function prepareChat(input: ChatInput, scope: ChatScope): PreparedChat {
  const { config, deps, governance } = scope.services;
  const { controls, request } = input;
  checkToolChoice(request);
  // A workspace key's own workspace wins over the one the caller names.
  const workspaceId = scope.caller.workspaceId ?? controls.workspace_id ?? "default";
  const planWith = (workspaceBudgetRemaining: number | null, reasoningFromRegistry = true) =>
    buildPlan({
      model: input.model,
      models: input.models,
      request,
      controls,
      registry: scope.registry,
      config: config.fallback,
      configured: (p) => adapterFor(p).configured(scope.env),
      defaults: settingsFrom(scope.env, config.fallback),
      stats: scope.stats,
      workspaceBudgetRemaining,
      random: deps.random,
      envValue: (name) => envValue(scope.env, name),
      reasoningFromRegistry,
    });
  let hint = budgetRemainingHint(governance, workspaceId);
  let plan = planWith(hint);
  // A downgrade budget's remaining amount is only this isolate's last reading of it: when that leaves no candidate,
  // the plan is made without it, and the hold (exact, in the workspace's object) trims what does not fit, or refuses
  // the request with the budget's 402.
  if (hint !== null && empty(plan)) {
    hint = null;
    plan = planWith(hint);
  }
  // A request for reasoning that no reasoning model can serve goes to the others, which ignore it with a warning.
  if (asksReasoning(request) && empty(plan)) plan = planWith(hint, false);
  const warnings = plan.passed_over === undefined ? input.warnings : [...input.warnings, plan.passed_over];
  return { ...input, warnings, workspaceId, plan };
}

/**
 * A tool_choice that asks for a tool call must have the tool to call: "required" (Anthropic's "any") needs tools, and a
 * named tool must be one of them. Caught here, in every dialect, as a 400 naming tool_choice, instead of a refusal by
 * each provider in turn.
 */
function checkToolChoice(request: CanonicalRequest): void {
  const choice = request.tool_choice;
  if (choice === undefined || choice === "auto" || choice === "none") return;
  const tools = request.tools ?? [];
  if (choice === "required" && tools.length === 0)
    throw new GatewayError(400, "'tool_choice': a tool call is required, but the request has no tools", {
      param: "tool_choice",
      code: "invalid_value",
    });
  if (typeof choice === "object" && !tools.some((t) => t.function.name === choice.function.name))
    throw new GatewayError(400, `'tool_choice': the tool "${choice.function.name}" is not in tools`, {
      param: "tool_choice",
      code: "invalid_value",
    });
}

/** A plan with no candidate at all (its head, worked out at once, is looked at first: the rest is then not needed). */
function empty(plan: Plan): boolean {
  return (plan.lead?.length ?? 0) === 0 && plan.candidates.length === 0;
}
