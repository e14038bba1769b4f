// One finished request as OpenTelemetry spans: a server span for the request and a client span per attempt made (a
// hedge or a continuation is an attempt too, marked with switchyard.attempt.via), with OpenTelemetry's GenAI
// attributes (https://opentelemetry.io/docs/specs/semconv/gen-ai/) and Switchyard's own.
import { totalPromptTokens } from "../core/types.ts";
import type { AttemptRecord, CompletionRecord } from "../ledger/record.ts";
import type { Attributes, ExportSpan } from "./otlp.ts";
import { SPAN_KIND, STATUS_CODE } from "./otlp.ts";
import { parseTraceParent, randomHexId } from "./traceparent.ts";

/** Prompt and completion text in a span is cut to this many characters (and is there only under store_prompts). */
export const CONTENT_ATTRIBUTE_MAX = 16_000;

/** GenAI's well-known provider names where they differ from Switchyard's ids. */
const GEN_AI_PROVIDER: Record<string, string> = { mistral: "mistral_ai", together: "together_ai" };
const genAiProvider = (provider: string) => GEN_AI_PROVIDER[provider] ?? provider;

/** The spans of one request; none when the caller's traceparent says it is not sampled. */
export function requestSpans(record: CompletionRecord, ids: () => string = () => randomHexId(8)): ExportSpan[] {
  const parent = parseTraceParent(record.traceparent);
  if (parent !== null && !parent.sampled) return [];
  const traceId = parent?.traceId ?? randomHexId(16);
  const rootId = ids();
  const operation = record.dialect === "embeddings" ? "embeddings" : "chat";
  const requested = record.requested_model ?? record.model ?? "auto";
  const start = record.created_at;
  const end = start + record.latency_ms;
  const usage = record.usage;
  // GenAI semconv: input_tokens "SHOULD include all types of input tokens, including cached tokens" (the cache
  // attributes below say how many of them were read or written); Usage.input_tokens holds only the uncached ones.
  const inputTokens = usage === null ? undefined : totalPromptTokens(usage);
  const tried = record.attempts.filter((a) => a.status !== "skipped");
  const failed = record.status === "error";
  const root: ExportSpan = {
    traceId,
    spanId: rootId,
    parentSpanId: parent?.parentSpanId ?? null,
    name: `${operation} ${requested}`,
    kind: SPAN_KIND.server,
    startMs: start,
    endMs: end,
    status: failed ? { code: STATUS_CODE.error, message: truncate(record.error ?? "error", 512) } : { code: 0 },
    attributes: {
      "gen_ai.operation.name": operation,
      "gen_ai.system": record.provider === null ? undefined : genAiProvider(record.provider),
      "gen_ai.provider.name": record.provider === null ? undefined : genAiProvider(record.provider),
      "gen_ai.request.model": requested,
      "gen_ai.response.model": record.response_model ?? record.model ?? undefined,
      "gen_ai.usage.input_tokens": inputTokens,
      "gen_ai.usage.output_tokens": usage?.output_tokens,
      "gen_ai.usage.cache_read.input_tokens": usage?.cached_input_tokens || undefined,
      "gen_ai.usage.cache_creation.input_tokens": usage?.cache_write_tokens || undefined,
      "gen_ai.response.finish_reasons": record.finish_reasons?.length ? record.finish_reasons : undefined,
      "http.response.status_code": record.http_status,
      "error.type": failed ? (lastFailure(record.attempts)?.error_kind ?? "error") : undefined,
      "switchyard.request_id": record.request_id,
      "switchyard.workspace_id": record.workspace_id,
      "switchyard.dialect": record.dialect ?? "chat",
      "switchyard.strategy": record.strategy,
      "switchyard.chain": record.chain ?? undefined,
      "switchyard.status": record.status,
      "switchyard.stream": record.stream,
      "switchyard.cost_usd": record.cost_pico === null ? undefined : record.cost_pico / 1e12,
      "switchyard.usage_estimated": record.usage_estimated === true ? true : undefined,
      "switchyard.cache": record.cache ?? "bypass",
      "switchyard.attempts": tried.length,
      "switchyard.attempts.skipped": record.attempts.length - tried.length || undefined,
      "switchyard.ttft_ms": record.ttft_ms ?? undefined,
      ...contentAttributes(record),
    },
  };
  const spans = [root];
  // Without the executor's start stamps, attempts are laid end to end from the request's start (a lower bound on
  // each start: backoff waits are not in the record); a stamped attempt (hedges run side by side) keeps its own.
  let cursor = start;
  const answering = answeringAttempt(record);
  for (const attempt of tried) {
    const startMs = attempt.started_at ?? cursor;
    const endMs = startMs + attempt.latency_ms;
    cursor = Math.max(cursor, endMs);
    const ok = attempt.status === "ok";
    spans.push({
      traceId,
      spanId: ids(),
      parentSpanId: rootId,
      name: `${operation} ${attempt.model}`,
      kind: SPAN_KIND.client,
      startMs,
      endMs,
      status: ok ? { code: 0 } : { code: STATUS_CODE.error, message: truncate(attempt.error ?? "failed", 512) },
      attributes: {
        "gen_ai.operation.name": operation,
        "gen_ai.system": genAiProvider(attempt.provider),
        "gen_ai.provider.name": genAiProvider(attempt.provider),
        "gen_ai.request.model": attempt.model,
        // The model that answered is the answering attempt's alone (the provider's name for it, where it gave one).
        "gen_ai.response.model": attempt === answering ? (record.response_model ?? attempt.model) : undefined,
        "gen_ai.usage.input_tokens": attempt === answering ? inputTokens : undefined,
        "gen_ai.usage.output_tokens": attempt === answering ? usage?.output_tokens : undefined,
        "http.response.status_code": attempt.http_status ?? undefined,
        "error.type": ok ? undefined : (attempt.error_kind ?? "error"),
        "switchyard.attempt.outcome": attempt.status,
        "switchyard.attempt.via": attempt.via ?? "attempt",
        "switchyard.error.kind": attempt.error_kind ?? undefined,
        "switchyard.ttft_ms": attempt.ttft_ms ?? undefined,
      },
    });
  }
  return spans;
}

/** The attempt whose answer the caller got: the last that succeeded (a continuation's last leg), if any. */
function answeringAttempt(record: CompletionRecord): AttemptRecord | undefined {
  if (record.provider === null) return undefined;
  return record.attempts.findLast((a) => a.status === "ok");
}

function lastFailure(attempts: readonly AttemptRecord[]): AttemptRecord | undefined {
  return attempts.findLast((a) => a.status === "failed");
}

/** The conversation, present on the record only when features.store_prompts is on; otherwise spans carry no text. */
function contentAttributes(record: CompletionRecord): Attributes {
  if (record.content === undefined) return {};
  return {
    "gen_ai.input.messages": truncate(record.content.prompt, CONTENT_ATTRIBUTE_MAX),
    "gen_ai.output.messages":
      record.content.completion === null ? undefined : truncate(record.content.completion, CONTENT_ATTRIBUTE_MAX),
  };
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
