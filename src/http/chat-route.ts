// POST /v1/chat/completions: validate, plan, execute, encode; report the route; hand the record to the sinks.
import type { Context } from "hono";
import type { Timeouts } from "../config/schema.ts";
import type { Usage } from "../core/types.ts";
import { toCanonical } from "../core/types.ts";
import type { CommittedStream } from "../execute/attempt.ts";
import { ClientGoneError } from "../execute/attempt.ts";
import { circuitGate } from "../execute/circuit-gate.ts";
import { executePlan, type AttemptRecord, type ExecuteOutcome, type ExecutionFailure } from "../execute/run-plan.ts";
import { outcomeOf, streamOutcome } from "../execute/stats-outcome.ts";
import { budgetRemainingHint, holdBudget } from "../ledger/budget-gate.ts";
import { costPico, picoToUsd } from "../ledger/cost.ts";
import type { CompletionRecord } from "../ledger/record.ts";
import { adapterFor } from "../providers/index.ts";
import { readControls } from "../routing/controls.ts";
import { buildPlan } from "../routing/plan.ts";
import type { Plan } from "../routing/plan-types.ts";
import { settingsFrom } from "../settings.ts";
import type { AppEnv } from "./app-env.ts";
import { HttpError } from "./errors.ts";
import { ChunkWriter, encodeCompletion, encodeStreamError, type XRouter } from "./openai-encoder.ts";
import { ChatCompletionRequestSchema, KNOWN_FIELDS, type ChatCompletionRequest } from "./openai-request.ts";
import { parseOrThrow, readJsonBody } from "./read-body.ts";

export async function chatCompletions(c: Context<AppEnv>): Promise<Response> {
  const { deps, config, sinks, live } = c.get("app");
  const startedAt = deps.now();
  const requestId = c.get("requestId");
  const raw = await readJsonBody(c.req.raw);
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new HttpError(400, "The request body must be a JSON object.", { code: "invalid_json" });
  const body = parseOrThrow(ChatCompletionRequestSchema, raw);
  const warnings = Object.keys(raw).filter((k) => !KNOWN_FIELDS.has(k)).map((k) => `"${k}" is not supported by Switchyard; it was not sent`);

  const controls = readControls(body.router, c.req.raw.headers);
  const settings = settingsFrom(c.env, config.fallback);
  const request = toCanonical(body);
  // A workspace key's own workspace wins over the one the caller names.
  const workspaceId = c.get("caller").workspaceId ?? controls.workspace_id ?? "default";
  const { governance } = c.get("app");
  const plan = buildPlan({
    model: body.model,
    models: body.models,
    request,
    controls,
    registry: c.get("registry"),
    config: config.fallback,
    configured: (p) => adapterFor(p).configured(c.env),
    defaults: settings,
    stats: c.get("stats"),
    workspaceBudgetRemaining: budgetRemainingHint(governance, workspaceId),
    random: deps.random,
  });
  const timeouts: Timeouts = { ...config.fallback.timeouts, ...tighterOnly(config.fallback.timeouts, controls.timeouts) };
  // Budgets: the worst case is held before the call (402 when it cannot be); settled by the budget sink after.
  const caller = c.get("caller");
  const budget = await holdBudget({ env: c.env, governance, caller, workspaceId, plan, request, newId: deps.newId, now: startedAt });

  const outcome = await executePlan({
    plan,
    request,
    timeouts,
    retry: config.fallback.retry,
    env: c.env,
    clientSignal: c.req.raw.signal,
    deps,
    startedAt,
    // Live stats: outcomes go to the stats object through waitUntil, never awaited; circuits come from the cached snapshot.
    onAttempt: (record) => {
      const o = outcomeOf(record, deps.now());
      if (o !== null) live?.cache.record(c.env, c.executionCtx, [o]);
    },
    gate: live ? circuitGate({ snapshot: c.get("stats"), claims: live.claims, now: deps.now, random: deps.random, probeTtlMs: timeouts.total_ms }) : undefined,
  }).catch((err: unknown) => {
    if (err instanceof ClientGoneError) return null;
    throw err;
  });

  const base = {
    request_id: requestId,
    created_at: startedAt,
    workspace_id: workspaceId,
    execution_id: controls.execution_id ?? null,
    strategy: plan.strategy,
    chain: plan.chain,
    stream: request.stream,
    key_id: caller.kind === "workspace" ? caller.key.id : null,
    budget_holds: budget.holds,
  };
  const finish = (record: CompletionRecord) => {
    for (const sink of sinks(c.env)) c.executionCtx.waitUntil(sink.complete(record).catch((err: unknown) => console.error("sink failed", err)));
  };

  if (outcome === null) {
    finish({ ...base, provider: null, model: null, status: "client_closed", http_status: 499, attempts: [], usage: null, cost_pico: null, latency_ms: deps.now() - startedAt, ttft_ms: null, error: "client closed the connection" });
    return new Response(null, { status: 499 });
  }
  if (!outcome.ok) {
    finish({ ...base, provider: null, model: null, status: "error", http_status: outcome.failure.status, attempts: outcome.failure.attempts, usage: null, cost_pico: null, latency_ms: deps.now() - startedAt, ttft_ms: null, error: outcome.failure.message });
    return failureResponse(requestId, plan, outcome.failure);
  }

  const allWarnings = [...warnings, ...outcome.warnings];
  const headers = { ...routeHeaders(requestId, plan, outcome, allWarnings), ...budget.headers };
  const xRouter = (usage: Usage | null, ttft: number | null): XRouter => ({
    provider: outcome.candidate.ref.provider,
    model: outcome.candidate.ref.id,
    strategy: plan.strategy,
    chain: plan.chain,
    attempts: publicAttempts(outcome.attempts),
    cost_usd: usage === null ? null : nullablePicoToUsd(costPico(usage, outcome.candidate.ref.entry)),
    latency_ms: deps.now() - startedAt,
    ttft_ms: ttft,
    warnings: allWarnings,
  });
  const recordOf = (usage: Usage | null, ttft: number | null, status: CompletionRecord["status"], error: string | null): CompletionRecord => ({
    ...base,
    provider: outcome.candidate.ref.provider,
    model: outcome.candidate.ref.id,
    status,
    http_status: 200,
    attempts: outcome.attempts,
    usage,
    cost_pico: usage === null ? null : costPico(usage, outcome.candidate.ref.entry),
    latency_ms: deps.now() - startedAt,
    ttft_ms: ttft,
    error,
  });

  if (outcome.kind === "json") {
    const x = xRouter(outcome.result.usage, null);
    x.ttft_ms = x.latency_ms;
    finish(recordOf(outcome.result.usage, x.latency_ms, "ok", null));
    const json = encodeCompletion(`chatcmpl-${requestId}`, Math.floor(startedAt / 1000), outcome.result, x);
    return new Response(JSON.stringify(json), { headers: { ...headers, "content-type": "application/json" } });
  }

  const includeUsage = body.stream_options?.include_usage === true;
  const ttft = deps.now() - startedAt;
  const committedAt = deps.now();
  const committed = outcome.attempts[outcome.attempts.length - 1];
  const stream = streamBody(requestId, startedAt, outcome.candidate.ref.upstreamId, outcome.stream, includeUsage, (usage, error) => {
    // The stream's own outcome is known only now; a client leaving says nothing about the provider's health.
    if (committed !== undefined && error !== "client") {
      live?.cache.record(c.env, c.executionCtx, [streamOutcome(committed, deps.now(), committed.latency_ms + deps.now() - committedAt, error)]);
    }
    finish(recordOf(usage, ttft, error === null ? "ok" : error === "client" ? "client_closed" : "error", error === "client" ? "client closed the connection" : error));
    return xRouter(usage, ttft);
  });
  return new Response(stream, {
    headers: { ...headers, "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-accel-buffering": "no" },
  });
}

/**
 * The client-facing stream of a committed answer. After the commit point a failure is an error event with no
 * [DONE]; a stream that ended without its terminator is finalised at once if it had finished, else it is an error.
 */
function streamBody(
  requestId: string,
  startedAt: number,
  model: string,
  committed: CommittedStream,
  includeUsage: boolean,
  done: (usage: Usage | null, error: string | null | "client") => XRouter,
): ReadableStream<Uint8Array> {
  const writer = new ChunkWriter(`chatcmpl-${requestId}`, Math.floor(startedAt / 1000), model);
  let ended = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        for (const event of committed.head) {
          const bytes = writer.event(event);
          if (bytes) controller.enqueue(bytes);
        }
      },
      async pull(controller) {
        try {
          for (;;) {
            const next = await committed.rest.next();
            if (next.done) {
              if (writer.finishReason === null) throw new StreamCut("the provider ended the stream before finishing the answer");
              controller.enqueue(writer.finish(includeUsage, done(writer.usage, null)));
              controller.close();
              return;
            }
            if (next.value.type === "end") {
              ended = true;
              continue;
            }
            const bytes = writer.event(next.value);
            if (bytes) {
              controller.enqueue(bytes);
              return;
            }
          }
        } catch (err) {
          if (err instanceof ClientGoneError) return;
          const message = err instanceof Error ? err.message : String(err);
          const x = done(writer.usage, message);
          controller.enqueue(encodeStreamError(`The answer was cut off: ${message}`, "upstream_error", "stream_interrupted", x));
          controller.close();
        }
      },
      cancel(reason) {
        // The client went away: abort the upstream call so nobody pays for tokens no one reads.
        if (!ended) done(writer.usage, "client");
        committed.abort(new ClientGoneError(String(reason ?? "client closed the stream")));
      },
    },
    { highWaterMark: 0 },
  );
}

class StreamCut extends Error {}

function routeHeaders(requestId: string, plan: Plan, outcome: Extract<ExecuteOutcome, { ok: true }>, warnings: string[]): Record<string, string> {
  const headers: Record<string, string> = {
    "x-request-id": requestId,
    "x-router-provider": outcome.candidate.ref.provider,
    "x-router-model": outcome.candidate.ref.id,
    "x-router-strategy": plan.strategy,
    "x-router-attempts": String(outcome.attempts.filter((a) => a.status !== "skipped").length),
  };
  if (plan.chain !== null) headers["x-router-chain"] = plan.chain;
  if (warnings.length > 0) headers["x-router-warnings"] = encodeURIComponent(warnings.join("; ")).slice(0, 4000);
  return headers;
}

function failureResponse(requestId: string, plan: Plan, failure: ExecutionFailure): Response {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-request-id": requestId,
    "x-router-strategy": plan.strategy,
    "x-router-attempts": String(failure.attempts.filter((a) => a.status !== "skipped").length),
  };
  if (failure.retryAfterMs !== null) headers["retry-after"] = String(Math.max(1, Math.ceil(failure.retryAfterMs / 1000)));
  const body = {
    error: { message: failure.message, type: failure.type, param: null, code: failure.code },
    x_router: { strategy: plan.strategy, chain: plan.chain, attempts: publicAttempts(failure.attempts), excluded: plan.excluded },
  };
  return new Response(JSON.stringify(body), { status: failure.status, headers });
}

function publicAttempts(attempts: AttemptRecord[]): XRouter["attempts"] {
  return attempts.map((a) => ({ provider: a.provider, model: a.model, status: a.status, error: a.error, latency_ms: a.latency_ms }));
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

export type { ChatCompletionRequest };
