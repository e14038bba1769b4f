// The chat pipeline every transport shares (HTTP, the dry run, RPC): validate, plan, hold budget, execute, record.
import type { Timeouts } from "../config/schema.ts";
import { GatewayError } from "../core/gateway-error.ts";
import type { RouteReport } from "../core/route-report.ts";
import type { RouterControls } from "../core/router-controls.ts";
import type { CanonicalRequest, ChatResult, StreamEvent, ToolCall, Usage } from "../core/types.ts";
import { parseOrThrow } from "../core/validate.ts";
import {
  type ChatCompletionRequest,
  ChatCompletionRequestSchema,
  KNOWN_FIELDS,
  toCanonical,
} from "../dialects/chat/request.ts";
import type { Env } from "../env.ts";
import { ClientGoneError, type CommittedStream } from "../execute/attempt.ts";
import { circuitGate } from "../execute/circuit-gate.ts";
import { type AttemptRecord, type ExecutionFailure, executePlan } from "../execute/run-plan.ts";
import { outcomeOf, streamOutcome } from "../execute/stats-outcome.ts";
import type { Caller } from "../keys/caller.ts";
import { budgetRemainingHint, holdBudget } from "../ledger/budget-gate.ts";
import { costPico, picoToUsd } from "../ledger/cost.ts";
import type { CompletionRecord } from "../ledger/record.ts";
import { adapterFor } from "../providers/index.ts";
import type { ModelRegistry } from "../registry/model-registry.ts";
import { readControls } from "../routing/controls.ts";
import { buildPlan } from "../routing/plan.ts";
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
  /** Fires when the caller goes away. */
  signal: AbortSignal;
  /** x-router-* headers (empty for RPC). */
  headers: Headers;
}

export interface PreparedChat {
  body: ChatCompletionRequest;
  request: CanonicalRequest;
  controls: RouterControls;
  /** Fields the body held that Switchyard does not carry: said, never dropped silently. */
  warnings: string[];
  workspaceId: string;
  plan: Plan;
}

/** Validates a chat-completions body (400 naming the param) and plans it. No provider is called. */
export function prepareChat(raw: unknown, scope: ChatScope): PreparedChat {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    throw new GatewayError(400, "The request body must be a JSON object.", { code: "invalid_json" });
  const body = parseOrThrow(ChatCompletionRequestSchema, raw);
  const warnings = Object.keys(raw)
    .filter((k) => !KNOWN_FIELDS.has(k))
    .map((k) => `"${k}" is not supported by Switchyard; it was not sent`);
  const { config, deps, governance } = scope.services;
  const controls = readControls(body.router, scope.headers);
  const request = toCanonical(body);
  // A workspace key's own workspace wins over the one the caller names.
  const workspaceId = scope.caller.workspaceId ?? controls.workspace_id ?? "default";
  const plan = buildPlan({
    model: body.model,
    models: body.models,
    request,
    controls,
    registry: scope.registry,
    config: config.fallback,
    configured: (p) => adapterFor(p).configured(scope.env),
    defaults: settingsFrom(scope.env, config.fallback),
    stats: scope.stats,
    workspaceBudgetRemaining: budgetRemainingHint(governance, workspaceId),
    random: deps.random,
  });
  return { body, request, controls, warnings, workspaceId, plan };
}

/** What a run came to. A stream is committed (its first content event is in hand); `end` must be called once. */
export type ChatRun =
  | { kind: "client_closed" }
  | { kind: "failed"; failure: ExecutionFailure; plan: Plan }
  | { kind: "json"; result: ChatResult; route: RouteReport; headers: Record<string, string> }
  | {
      kind: "stream";
      stream: CommittedStream;
      /** The id the answering model was called by. */
      upstreamModel: string;
      headers: Record<string, string>;
      /** Records the stream's outcome and cost; returns the route report for its final chunk. */
      end: (usage: Usage | null, error: string | null | "client") => RouteReport;
    };

/** Holds the budget (402 when it cannot), walks the plan and hands every outcome to the stats and the ledger. */
export async function runChat(prepared: PreparedChat, scope: ChatScope, startedAt: number): Promise<ChatRun> {
  const { deps, config, sinks, live, governance } = scope.services;
  const { plan, request, controls, workspaceId, warnings } = prepared;
  const timeouts: Timeouts = {
    ...config.fallback.timeouts,
    ...tighterOnly(config.fallback.timeouts, controls.timeouts),
  };
  // Budgets: the worst case is held before the call; the budget sink settles it after.
  const budget = await holdBudget({
    env: scope.env,
    governance,
    caller: scope.caller,
    workspaceId,
    plan,
    request,
    newId: deps.newId,
    now: startedAt,
  });

  const outcome = await executePlan({
    plan,
    request,
    timeouts,
    retry: config.fallback.retry,
    env: scope.env,
    clientSignal: scope.signal,
    deps,
    startedAt,
    // Live stats: outcomes go to the stats object through waitUntil, never awaited; circuits come from the cached snapshot.
    onAttempt: (record) => {
      const o = outcomeOf(record, deps.now());
      if (o !== null) live?.cache.record(scope.env, { waitUntil: scope.waitUntil }, [o]);
    },
    gate: live
      ? circuitGate({
          snapshot: scope.stats,
          claims: live.claims,
          now: deps.now,
          random: deps.random,
          probeTtlMs: timeouts.total_ms,
        })
      : undefined,
  }).catch((err: unknown) => {
    if (err instanceof ClientGoneError) return null;
    throw err;
  });

  const base = {
    request_id: scope.requestId,
    created_at: startedAt,
    workspace_id: workspaceId,
    execution_id: controls.execution_id ?? null,
    strategy: plan.strategy,
    chain: plan.chain,
    stream: request.stream,
    key_id: scope.caller.kind === "workspace" ? scope.caller.key.id : null,
    budget_holds: budget.holds,
  };
  // Prompts and completions are stored only when the operator turned features.store_prompts on.
  const transcript = config.fallback.features.store_prompts ? new Transcript(JSON.stringify(request.messages)) : null;
  const record = (r: CompletionRecord) => {
    const full = transcript === null ? r : { ...r, content: transcript.content() };
    for (const sink of sinks(scope.env, { waitUntil: scope.waitUntil }))
      scope.waitUntil(sink.complete(full).catch((err: unknown) => console.error("sink failed", err)));
  };
  const unanswered = { provider: null, model: null, usage: null, cost_pico: null, ttft_ms: null };

  if (outcome === null) {
    record({
      ...base,
      ...unanswered,
      status: "client_closed",
      http_status: 499,
      attempts: [],
      latency_ms: deps.now() - startedAt,
      error: "client closed the connection",
    });
    return { kind: "client_closed" };
  }
  if (!outcome.ok) {
    record({
      ...base,
      ...unanswered,
      status: "error",
      http_status: outcome.failure.status,
      attempts: outcome.failure.attempts,
      latency_ms: deps.now() - startedAt,
      error: outcome.failure.message,
    });
    return { kind: "failed", failure: outcome.failure, plan };
  }

  const { candidate, attempts } = outcome;
  const allWarnings = [...warnings, ...outcome.warnings];
  const headers = {
    ...routeHeaders(scope.requestId, plan, candidate.ref.provider, candidate.ref.id, attempts, allWarnings),
    ...budget.headers,
  };
  const route = (usage: Usage | null, ttft: number | null): RouteReport => ({
    provider: candidate.ref.provider,
    model: candidate.ref.id,
    strategy: plan.strategy,
    chain: plan.chain,
    attempts: publicAttempts(attempts),
    cost_usd: usage === null ? null : nullablePicoToUsd(costPico(usage, candidate.ref.entry)),
    latency_ms: deps.now() - startedAt,
    ttft_ms: ttft,
    warnings: allWarnings,
  });
  const answered = (
    usage: Usage | null,
    ttft: number | null,
    status: CompletionRecord["status"],
    error: string | null,
  ): CompletionRecord => ({
    ...base,
    provider: candidate.ref.provider,
    model: candidate.ref.id,
    status,
    http_status: 200,
    attempts,
    usage,
    cost_pico: usage === null ? null : costPico(usage, candidate.ref.entry),
    latency_ms: deps.now() - startedAt,
    ttft_ms: ttft,
    error,
  });

  if (outcome.kind === "json") {
    transcript?.answer(outcome.result);
    const latency = deps.now() - startedAt;
    record(answered(outcome.result.usage, latency, "ok", null));
    return { kind: "json", result: outcome.result, route: route(outcome.result.usage, latency), headers };
  }

  const ttft = deps.now() - startedAt;
  const committedAt = deps.now();
  const committed = attempts[attempts.length - 1];
  let ended = false;
  return {
    kind: "stream",
    stream: transcript === null ? outcome.stream : transcript.follow(outcome.stream),
    upstreamModel: candidate.ref.upstreamId,
    headers,
    end: (usage, error) => {
      if (!ended) {
        ended = true;
        // The stream's own outcome is known only now; a caller leaving says nothing about the provider's health.
        if (committed !== undefined && error !== "client") {
          live?.cache.record(scope.env, { waitUntil: scope.waitUntil }, [
            streamOutcome(committed, deps.now(), committed.latency_ms + deps.now() - committedAt, error),
          ]);
        }
        record(
          answered(
            usage,
            ttft,
            error === null ? "ok" : error === "client" ? "client_closed" : "error",
            error === "client" ? "client closed the connection" : error,
          ),
        );
      }
      return route(usage, ttft);
    },
  };
}

function routeHeaders(
  requestId: string,
  plan: Plan,
  provider: string,
  model: string,
  attempts: AttemptRecord[],
  warnings: string[],
): Record<string, string> {
  const headers: Record<string, string> = {
    "x-request-id": requestId,
    "x-router-provider": provider,
    "x-router-model": model,
    "x-router-strategy": plan.strategy,
    "x-router-attempts": String(attempts.filter((a) => a.status !== "skipped").length),
  };
  if (plan.chain !== null) headers["x-router-chain"] = plan.chain;
  if (warnings.length > 0) headers["x-router-warnings"] = encodeURIComponent(warnings.join("; ")).slice(0, 4000);
  return headers;
}

export function publicAttempts(attempts: AttemptRecord[]): RouteReport["attempts"] {
  return attempts.map((a) => ({
    provider: a.provider,
    model: a.model,
    status: a.status,
    error: a.error,
    latency_ms: a.latency_ms,
  }));
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

function nullablePicoToUsd(pico: number | null): number | null {
  return pico === null ? null : picoToUsd(pico);
}

/** The conversation of one request, kept only when features.store_prompts is on. */
class Transcript {
  readonly #prompt: string;
  #text = "";
  readonly #calls: ToolCall[] = [];

  constructor(prompt: string) {
    this.#prompt = prompt;
  }

  answer(result: ChatResult): void {
    this.#text = result.content ?? "";
    this.#calls.push(...result.tool_calls);
  }

  /** The same stream, noting its text and tool calls as they pass. */
  follow(stream: CommittedStream): CommittedStream {
    const note = (e: StreamEvent) => {
      if (e.type === "text") this.#text += e.text;
      else if (e.type === "tool_call_start") this.#calls[e.index] = { id: e.id, name: e.name, arguments: "" };
      else if (e.type === "tool_call_delta") {
        const call = this.#calls[e.index];
        if (call !== undefined) call.arguments += e.arguments;
      }
    };
    stream.head.forEach(note);
    const rest = stream.rest;
    async function* noted(): AsyncGenerator<StreamEvent> {
      for await (const e of rest) {
        note(e);
        yield e;
      }
    }
    return { ...stream, rest: noted() };
  }

  content(): { prompt: string; completion: string | null } {
    const answered = this.#text !== "" || this.#calls.length > 0;
    return {
      prompt: this.#prompt,
      completion: answered ? JSON.stringify({ content: this.#text, tool_calls: this.#calls.filter(Boolean) }) : null,
    };
  }
}
