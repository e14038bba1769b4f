// What the caller hears when no candidate answered: the status, code and message of a walk that ended without an
// answer, from the failures it met.
import type { ProviderError } from "../core/errors.ts";
import type { AttemptRecord } from "../ledger/record.ts";
import type { Plan } from "../routing/plan-types.ts";

export interface ExecutionFailure {
  status: number;
  code: string;
  type: string;
  message: string;
  /** The request field the failure is about (OpenAI's `param`), where one is; else null. */
  param: string | null;
  attempts: AttemptRecord[];
  retryAfterMs: number | null;
}

const REFUSAL_CODES = {
  context_length_exceeded: "context_length_exceeded",
  max_tokens: "invalid_value",
  capability: "model_not_capable",
  embedding_model: "invalid_model",
  dimensions: "invalid_value",
} as const;

/** An empty plan that no health could fill: the request asks more than every configured model is (a 400, no retry). */
export function refusedFailure(refused: NonNullable<Plan["refused"]>, attempts: AttemptRecord[]): ExecutionFailure {
  return {
    attempts,
    retryAfterMs: null,
    status: 400,
    code: REFUSAL_CODES[refused.refusal],
    // The one refusal whose field is the same in every dialect that can ask it (embeddings).
    param: refused.refusal === "dimensions" ? "dimensions" : null,
    type: "invalid_request_error",
    message: `No model can serve this request as sent: ${refused.reason}.`,
  };
}

/** What a 429 tells its client to wait when no rate-limited provider named a wait of its own. */
const UNNAMED_RATE_LIMIT_WAIT_MS = 1_000;

/** The status a client sees when nothing answered: 429 if all were rate limited, 400 if all refused the request. */
export function failure(
  errors: ProviderError[],
  attempts: AttemptRecord[],
  why: "none" | "exhausted" | "deadline" | "caller",
): ExecutionFailure {
  const last = errors[errors.length - 1];
  const base = { attempts, retryAfterMs: null as number | null, param: null as string | null };
  if (why === "none") {
    return {
      ...base,
      status: 503,
      code: "no_available_provider",
      type: "service_unavailable",
      message: "No configured and healthy model can serve this request.",
    };
  }
  if (why === "caller" && last) {
    return {
      ...base,
      status: 400,
      code: last.code ?? "content_policy_violation",
      type: "invalid_request_error",
      message: last.message,
    };
  }
  if (errors.length > 0 && errors.every((e) => e.kind === "rate_limited")) {
    const waits = errors.map((e) => e.retryAfterMs).filter((w): w is number => w !== null);
    return {
      ...base,
      // A 429 always says when to come back: the shortest wait a provider named, else a second.
      retryAfterMs: waits.length > 0 ? Math.min(...waits) : UNNAMED_RATE_LIMIT_WAIT_MS,
      status: 429,
      code: "rate_limit_exceeded",
      type: "rate_limit_error",
      message: `Every candidate was rate limited. Last: ${last?.message ?? ""}`,
    };
  }
  if (errors.length > 0 && errors.every((e) => e.kind === "invalid_request" || e.kind === "context_length")) {
    // Every provider said the model is not there (404), or the body too large (413): the caller hears the same status,
    // as from the provider itself (the openai client's NotFoundError); any other refusal of the request is a 400.
    const shared = errors.every((e) => e.status === last?.status) ? last?.status : undefined;
    return {
      ...base,
      status: shared === 404 || shared === 413 ? shared : 400,
      code: last?.code ?? "invalid_request",
      type: "invalid_request_error",
      message: last?.message ?? "invalid request",
      param: last?.param ?? null,
    };
  }
  const summary =
    why === "deadline" ? "The request deadline passed before any candidate answered." : "Every candidate failed.";
  return {
    ...base,
    status: 502,
    code: why === "deadline" ? "deadline_exceeded" : "upstream_failed",
    type: "upstream_error",
    message: `${summary} Last: ${last?.message ?? "none tried"}`,
  };
}
