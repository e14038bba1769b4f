// Record: every finished request becomes one CompletionRecord for the sinks (ledger, budget settlement), after the
// response, through waitUntil; never awaited by the caller.
import type { ProviderId } from "../config/schema.ts";
import type { Dialect } from "../core/dialect.ts";
import type { GatewayError } from "../core/gateway-error.ts";
import type { Usage } from "../core/types.ts";
import { pricedServiceTier } from "../ledger/cost.ts";
import type { AttemptRecord, BudgetHoldRef, CompletionRecord, RequestSink } from "../ledger/record.ts";
import type { Candidate } from "../routing/plan-types.ts";
import type { ChatScope, PreparedChat } from "./prepare.ts";
import { answerCostPico } from "./report.ts";
import type { Transcript } from "./transcript.ts";

export interface Recorder {
  /** Answered from the response cache: no attempt, $0; `saved_pico` is what the answer cost when it was made. */
  hit(answer: {
    provider: ProviderId;
    model: string;
    upstream_model: string;
    finish_reason: string;
    saved_pico: number | null;
    ttft_ms: number;
  }): void;
  /** Nothing answered: the caller left before an answer, or every candidate failed. */
  unanswered(outcome: {
    status: "client_closed" | "error";
    http_status: number;
    attempts: AttemptRecord[];
    error: string;
  }): void;
  /** Refused by the gateway itself before any call (a rate limit, a budget): observed like any request, never billed. */
  refused(err: GatewayError): void;
  /** A candidate answered; `status` says how the answer ended. */
  answered(
    candidate: Candidate,
    attempts: AttemptRecord[],
    outcome: {
      usage: Usage | null;
      /** Why the answer ended, where known (a stream's finish event, a JSON answer's finish_reason). */
      finish_reasons?: string[];
      /** The model name the provider reported (a JSON answer's); absent: the id it was called by. */
      response_model?: string;
      /** `usage` is the gateway's estimate: the provider never reported it (src/gateway/estimated-usage.ts). */
      usage_estimated?: boolean;
      ttft_ms: number | null;
      status: CompletionRecord["status"];
      error: string | null;
      /** A stream continued on other candidates: each leg's usage, priced at its own model's price. */
      legs?: { candidate: Candidate; usage: Usage | null }[];
    },
  ): void;
}

export function recorder(
  scope: ChatScope,
  prepared: PreparedChat,
  holds: BudgetHoldRef[],
  startedAt: number,
  transcript: Transcript | null,
): Recorder {
  const { deps } = scope.services;
  const base = {
    request_id: scope.requestId,
    created_at: startedAt,
    workspace_id: prepared.workspaceId,
    execution_id: prepared.controls.execution_id ?? null,
    dialect: prepared.dialect ?? "chat",
    strategy: prepared.plan.strategy,
    chain: prepared.plan.chain,
    stream: prepared.request.stream,
    key_id: scope.caller.kind === "workspace" ? scope.caller.key.id : null,
    budget_holds: holds,
    traceparent: scope.traceparent ?? null,
    requested_model: prepared.model,
    cache: prepared.cacheStatus ?? "bypass",
  };
  const handOver = (send: (sink: RequestSink) => Promise<void> | undefined) => handOverTo(scope, send);
  const record = (r: CompletionRecord) => {
    const full = transcript === null ? r : { ...r, content: transcript.content() };
    handOver((sink) => sink.complete(full));
  };
  const withoutAnswer = (
    outcome: Pick<CompletionRecord, "status" | "http_status" | "attempts" | "error">,
  ): CompletionRecord => ({
    ...base,
    provider: null,
    model: null,
    usage: null,
    cost_pico: null,
    ttft_ms: null,
    ...outcome,
    latency_ms: deps.now() - startedAt,
  });
  return {
    hit: ({ provider, model, upstream_model, finish_reason, saved_pico, ttft_ms }) =>
      record({
        ...base,
        provider,
        model,
        response_model: upstream_model,
        finish_reasons: [finish_reason],
        status: "ok",
        http_status: 200,
        attempts: [],
        usage: null,
        cost_pico: 0,
        latency_ms: deps.now() - startedAt,
        ttft_ms,
        error: null,
        cache: "hit",
        saved_pico,
      }),
    unanswered: (outcome) => record(withoutAnswer(outcome)),
    refused: (err) => {
      const refusal = withoutAnswer({ status: "error", http_status: err.status, attempts: [], error: err.message });
      handOver((sink) => sink.refused?.(refusal));
    },
    answered: (
      candidate,
      attempts,
      { usage, usage_estimated, ttft_ms, status, error, finish_reasons, response_model, legs },
    ) =>
      record({
        ...base,
        provider: candidate.ref.provider,
        model: candidate.ref.id,
        response_model: response_model ?? candidate.ref.upstreamId,
        ...(finish_reasons === undefined ? {} : { finish_reasons }),
        status,
        http_status: 200,
        attempts,
        usage,
        cost_pico:
          usage === null
            ? null
            : answerCostPico(usage, candidate, legs, pricedServiceTier(prepared.request.service_tier)),
        ...(usage_estimated === true ? { usage_estimated } : {}),
        latency_ms: deps.now() - startedAt,
        ttft_ms,
        error,
      }),
  };
}

/** Refusals a sink has already been given (by the run, which knows the plan): the HTTP layer gives the others. */
const observed = new WeakSet<GatewayError>();

/** Gives the sinks a refusal of a request that reached routing (its plan known). */
export function refusedAfterPlan(rec: Recorder, err: GatewayError): void {
  observed.add(err);
  rec.refused(err);
}

/**
 * A model call refused before it had a plan (a 400 of its body, a model the registry cannot resolve) is a request too:
 * its span and its `requests_total` series say so, by its status, with no provider and the default strategy.
 */
export function refusedBeforePlan(scope: ChatScope, dialect: Dialect, err: GatewayError, startedAt: number): void {
  if (observed.has(err)) return;
  observed.add(err);
  const { deps, config } = scope.services;
  const record: CompletionRecord = {
    request_id: scope.requestId,
    created_at: startedAt,
    workspace_id: scope.caller.workspaceId ?? "default",
    execution_id: null,
    dialect,
    strategy: config.fallback.defaults.strategy,
    chain: null,
    provider: null,
    model: null,
    status: "error",
    http_status: err.status,
    stream: false,
    attempts: [],
    usage: null,
    cost_pico: null,
    latency_ms: deps.now() - startedAt,
    ttft_ms: null,
    error: err.message,
    key_id: scope.caller.kind === "workspace" ? scope.caller.key.id : null,
    traceparent: scope.traceparent ?? null,
  };
  handOverTo(scope, (sink) => sink.refused?.(record));
}

/** One waitUntil for all the sinks: each still runs on its own, and one's failure is logged, never the others'. */
function handOverTo(scope: ChatScope, send: (sink: RequestSink) => Promise<void> | undefined): void {
  scope.waitUntil(
    Promise.all(
      scope.services
        .sinks(scope.env, { waitUntil: scope.waitUntil })
        .map((sink) => send(sink)?.catch((err: unknown) => console.error("sink failed", err))),
    ),
  );
}
