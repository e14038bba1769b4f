// Observability as an operator meets it: a request refused before its plan, and a stream cut after its commit point,
// in the spans, /metrics and the ledger.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { body } from "../failover/helpers.ts";
import { call, chat, newSession, sseData } from "../gateway.ts";
import { parseExposition, sampleValue } from "./exposition.ts";
import { newReceiver, type ReceivedSpan, type Receiver, spansArrived } from "./receiver.ts";

const CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN = "00f067aa0ba902b7";

function tracedEnv(receiver: Receiver) {
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_BSP_SCHEDULE_DELAY: "0",
    OTEL_EXPORTER_OTLP_TIMEOUT: "400",
    // A stats object of its own, so /metrics holds this test's requests only.
    STATS_INSTANCE: `refusals-${crypto.randomUUID()}`,
  };
}

const rootOf = (spans: ReceivedSpan[]) => spans.find((s) => s.kind === 2);
const attemptsOf = (spans: ReceivedSpan[]) => spans.filter((s) => s.kind === 3);

describe("refusals and cuts, observed", () => {
  // DESIGN, Observability: "every request is exported as OTLP ... a span per request", and /metrics has "requests by
  // provider, model and status". A request refused for its model (400 model_not_found, a client left on a retired
  // id) is a request the operator must see: today it gets no span and no switchyard_requests_total sample, while a
  // 429 or 402 refusal gets both.
  it("a request refused with 400 (unknown model) gets its server span and is counted in switchyard_requests_total", async () => {
    const receiver = await newReceiver();
    const s = await newSession({}, tracedEnv(receiver));
    const res = await chat(
      s.env,
      { model: "no-such-model", messages: [{ role: "user", content: "hi" }] },
      { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` },
    );
    expect(res.status).toBe(400);
    const spans = await spansArrived(receiver, 1, 40);
    const m = parseExposition(await (await call(s.env, "/metrics")).text());
    expect({
      server_spans: spans.filter((x) => x.kind === 2 && x.traceId === CALLER_TRACE).length,
      counted: sampleValue(m, "switchyard_requests_total", { code: "400" }) ?? 0,
    }).toEqual({ server_spans: 1, counted: 1 });
  });

  // DESIGN, Observability: "a span per request and one per attempt ... Switchyard's (strategy, attempt outcome,
  // cost)"; Failure semantics: "failed attempts are logged as attempts". GenAI semconv: error.type "SHOULD be set
  // when the operation ended in an error". A stream cut after its commit, with no candidate to continue on: the
  // client's x_router.attempts says the attempt failed (stream_interrupted), but the attempt span, the
  // switchyard_attempts_total counter and the ledger's attempt row all say "ok", and the request span's error.type is
  // the catch-all "error" instead of the kind.
  it("a stream cut after commit: its attempt is 'failed' in the span, the metrics and the ledger, as x_router says", async () => {
    const receiver = await newReceiver();
    const s = await newSession({ faults: [{ provider: "openai", mode: "cut", after_chunks: 3 }] }, tracedEnv(receiver));
    const res = await chat(s.env, body(["openai/gpt-4o-mini"], { stream: true, router: { fallback: false } }));
    const events = await sseData(res);
    const last = events.at(-1) as { error?: { code: string }; x_router?: { attempts: { status: string }[] } };
    expect(last.error?.code).toBe("stream_interrupted");
    // What the client is told.
    expect(last.x_router?.attempts.map((a) => a.status)).toEqual(["failed"]);
    const requestId = res.headers.get("x-request-id");

    const spans = await spansArrived(receiver, 2, 40);
    const root = rootOf(spans);
    const [attempt] = attemptsOf(spans);
    expect(root?.status.code).toBe(2);
    const m = parseExposition(await (await call(s.env, "/metrics")).text());
    let ledger: string[] = [];
    for (let i = 0; i < 40 && ledger.length === 0; i++) {
      const rows = await env.DB.prepare("SELECT status FROM attempts WHERE request_id = ? ORDER BY seq")
        .bind(requestId)
        .all<{ status: string }>();
      ledger = rows.results.map((r) => r.status);
      if (ledger.length === 0) await new Promise((r) => setTimeout(r, 25));
    }
    expect({
      attempt_span_outcome: attempt?.attributes["switchyard.attempt.outcome"],
      attempt_span_status: attempt?.status.code,
      attempt_span_error_type: attempt?.attributes["error.type"],
      request_span_error_type: root?.attributes["error.type"],
      metrics_failed: sampleValue(m, "switchyard_attempts_total", { provider: "openai", outcome: "failed" }) ?? 0,
      metrics_ok: sampleValue(m, "switchyard_attempts_total", { provider: "openai", outcome: "ok" }) ?? 0,
      ledger,
    }).toEqual({
      attempt_span_outcome: "failed",
      attempt_span_status: 2,
      attempt_span_error_type: "stream",
      request_span_error_type: "stream",
      metrics_failed: 1,
      metrics_ok: 0,
      ledger: ["failed"],
    });
  });
});
