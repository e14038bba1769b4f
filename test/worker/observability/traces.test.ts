// OTLP/HTTP (JSON) traces: a server span per request continuing the caller's traceparent, a client span per attempt,
// GenAI and Switchyard attributes, the configured headers; a collector that fails or hangs changes no answer.
import { describe, expect, it } from "vitest";
import type { Env } from "../../../src/env.ts";
import { traces } from "../../../src/gateway/services.ts";
import { body, streamedText } from "../failover/helpers.ts";
import { call, chat, newSession, sseData } from "../gateway.ts";
import { parseExposition, sampleValue } from "./exposition.ts";
import { newReceiver, type ReceivedSpan, type Receiver, spansArrived, spansOf } from "./receiver.ts";

const TWO = ["openai/gpt-4o-mini", "mistral/mistral-small-latest"];
const CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN = "00f067aa0ba902b7";

function tracedEnv(receiver: Receiver, extra: Record<string, string> = {}) {
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: `${receiver.url}/`,
    OTEL_EXPORTER_OTLP_HEADERS: "authorization=Bearer%20otlp-secret, x-team = llm-ops",
    OTEL_BSP_SCHEDULE_DELAY: "0",
    OTEL_EXPORTER_OTLP_TIMEOUT: "400",
    ...extra,
  };
}

const rootOf = (spans: ReceivedSpan[]) => spans.find((s) => s.kind === 2) as ReceivedSpan;
const attemptsOf = (spans: ReceivedSpan[]) => spans.filter((s) => s.kind === 3);

describe("OTLP traces", () => {
  it("exports a request span continuing the caller's trace and an attempt span under it, with the headers", async () => {
    const receiver = await newReceiver();
    const s = await newSession({}, tracedEnv(receiver));
    const res = await chat(s.env, body(["openai/gpt-4o-mini"]), {
      traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01`,
    });
    expect(res.status).toBe(200);
    const received = await receiver.received();
    expect(received).toHaveLength(1);
    expect(received[0]?.path).toBe("/v1/traces");
    expect(received[0]?.headers.authorization).toBe("Bearer otlp-secret");
    expect(received[0]?.headers["x-team"]).toBe("llm-ops");
    expect(received[0]?.headers["content-type"]).toBe("application/json");

    const spans = spansOf(received);
    expect(spans).toHaveLength(2);
    const root = rootOf(spans);
    const [attempt] = attemptsOf(spans);
    expect(root.traceId).toBe(CALLER_TRACE);
    expect(root.parentSpanId).toBe(CALLER_SPAN);
    expect(root.name).toBe("chat openai/gpt-4o-mini");
    expect(root.resource["service.name"]).toBe("switchyard");
    expect(attempt?.traceId).toBe(CALLER_TRACE);
    expect(attempt?.parentSpanId).toBe(root.spanId);
    expect(attempt?.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(attempt?.spanId).not.toBe(root.spanId);
    expect(BigInt(root.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(root.startTimeUnixNano));

    expect(root.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.system": "openai",
      "gen_ai.provider.name": "openai",
      "gen_ai.request.model": "openai/gpt-4o-mini",
      "gen_ai.response.finish_reasons": ["stop"],
      "switchyard.strategy": expect.any(String),
      "switchyard.dialect": "chat",
      "switchyard.cache": "bypass",
      "switchyard.status": "ok",
      "switchyard.attempts": 1,
      "http.response.status_code": 200,
    });
    const json = (await res.json()) as { model: string; usage: { prompt_tokens: number; completion_tokens: number } };
    // The model the provider said answered (the recording's), as the JSON answer reports it.
    expect(root.attributes["gen_ai.response.model"]).toBe(json.model);
    expect(root.attributes["gen_ai.usage.input_tokens"]).toBe(json.usage.prompt_tokens);
    expect(root.attributes["gen_ai.usage.output_tokens"]).toBe(json.usage.completion_tokens);
    expect(root.attributes["switchyard.cost_usd"]).toBeGreaterThan(0);
    expect(attempt?.attributes).toMatchObject({
      "gen_ai.provider.name": "openai",
      "gen_ai.request.model": "gpt-4o-mini",
      "gen_ai.response.model": json.model,
      "gen_ai.usage.input_tokens": json.usage.prompt_tokens,
      "gen_ai.usage.output_tokens": json.usage.completion_tokens,
      "switchyard.attempt.outcome": "ok",
      "switchyard.attempt.via": "attempt",
    });
    // No prompt or completion text unless features.store_prompts is on (it is off in the test config).
    expect(received[0]?.body).not.toContain("10 + 5");
    expect(root.attributes["gen_ai.input.messages"]).toBeUndefined();
  });

  it("gives a failed attempt its own span with its outcome and error kind, and the fallback a second one", async () => {
    const receiver = await newReceiver();
    const s = await newSession({ faults: [{ provider: "openai", mode: "status", status: 500 }] }, tracedEnv(receiver));
    const res = await chat(s.env, body(TWO));
    expect(res.status).toBe(200);
    const spans = spansOf(await receiver.received());
    const root = rootOf(spans);
    const attempts = attemptsOf(spans);
    expect(root.parentSpanId).toBeUndefined();
    expect(root.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    for (const a of attempts) expect(a.parentSpanId).toBe(root.spanId);
    const failed = attempts.filter((a) => a.attributes["switchyard.attempt.outcome"] === "failed");
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(failed[0]?.attributes).toMatchObject({
      "gen_ai.provider.name": "openai",
      "switchyard.error.kind": "server",
      "error.type": "server",
      "http.response.status_code": 500,
    });
    expect(failed[0]?.status.code).toBe(2);
    // Only the attempt that answered names a response model.
    expect(failed[0]?.attributes["gen_ai.response.model"]).toBeUndefined();
    const answered = attempts.at(-1);
    expect(answered?.attributes).toMatchObject({
      "gen_ai.provider.name": "mistral_ai",
      "gen_ai.response.model": root.attributes["gen_ai.response.model"],
      "switchyard.attempt.outcome": "ok",
    });
    expect(answered?.attributes["gen_ai.response.model"]).toEqual(expect.any(String));
    expect(root.attributes["gen_ai.provider.name"]).toBe("mistral_ai");
    // Laid out in order: the fallback starts no earlier than the failed attempt.
    expect(BigInt(answered?.startTimeUnixNano ?? "0")).toBeGreaterThanOrEqual(
      BigInt(failed[0]?.startTimeUnixNano ?? "0"),
    );
  });

  it("exports a streamed request once the stream is over, with its finish reason", async () => {
    const receiver = await newReceiver();
    const s = await newSession({}, tracedEnv(receiver));
    const res = await chat(s.env, body(["openai/gpt-4o-mini"], { stream: true }));
    expect(res.status).toBe(200);
    expect((await sseData(res)).at(-1)).toBe("[DONE]");
    const spans = await spansArrived(receiver, 2);
    const root = rootOf(spans);
    expect(root.attributes).toMatchObject({ "switchyard.stream": true, "gen_ai.response.finish_reasons": ["stop"] });
    expect(root.attributes["gen_ai.usage.output_tokens"]).toBeGreaterThan(0);
  });

  it("exports nothing for a caller whose traceparent says not sampled, and ignores an invalid one", async () => {
    const receiver = await newReceiver();
    const s = await newSession({}, tracedEnv(receiver));
    await chat(s.env, body(["openai/gpt-4o-mini"]), { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-00` });
    expect(spansOf(await receiver.received())).toHaveLength(0);
    await chat(s.env, body(["openai/gpt-4o-mini"]), { traceparent: `00-${"0".repeat(32)}-${CALLER_SPAN}-01` });
    const spans = spansOf(await receiver.received());
    expect(spans).toHaveLength(2);
    expect(rootOf(spans).traceId).not.toBe("0".repeat(32));
    expect(rootOf(spans).parentSpanId).toBeUndefined();
  });

  it("answers the same whether the collector refuses, hangs or is not there, and counts the dropped batches", async () => {
    const healthy = await newReceiver();
    const first = await newSession({}, tracedEnv(healthy));
    const baseline = await chat(first.env, body(["openai/gpt-4o-mini"]));
    const expected = (await baseline.json()) as { choices: unknown };
    // A scrape counts what this isolate's exporter did so far into that session's stats object.
    await call(first.env, "/metrics");

    // One stats object for the three, so /metrics adds up what they dropped.
    const stats = { STATS_INSTANCE: `otlp-drops-${crypto.randomUUID()}` };
    const refusing = await newReceiver({ status: 503 });
    const hanging = await newReceiver({ hang: true });
    const targets = [
      { ...tracedEnv(refusing), ...stats },
      { ...tracedEnv(hanging), ...stats },
      // Nothing listens on port 9 of 127.0.0.1: the connection is refused.
      { ...tracedEnv(healthy), OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9", ...stats },
    ];
    let last: Env | null = null;
    for (const target of targets) {
      const s = await newSession({}, target);
      last = s.env;
      const res = await chat(s.env, body(["openai/gpt-4o-mini"]));
      expect(res.status).toBe(200);
      const json = (await res.json()) as { choices: unknown };
      expect(json.choices).toEqual(expected.choices);
    }
    expect(await refusing.received()).toHaveLength(1);
    expect(await hanging.received()).toHaveLength(1);
    const metrics = parseExposition(await (await call(last as Env, "/metrics")).text());
    expect(sampleValue(metrics, "switchyard_otlp_batches_dropped_total")).toBe(3);
    expect(sampleValue(metrics, "switchyard_otlp_spans_dropped_total")).toBe(6);
    expect(sampleValue(metrics, "switchyard_otlp_spans_exported_total")).toBeUndefined();
  });

  it("marks a hedge's attempt span and starts it at its own time, beside the slow first try", async () => {
    const receiver = await newReceiver();
    const s = await newSession(
      { faults: [{ provider: "openai", model: "gpt-4o-mini", mode: "slow_first_token", delay_ms: 3000 }] },
      tracedEnv(receiver),
    );
    const res = await chat(
      s.env,
      body(TWO, { stream: true, router: { timeouts: { headers_ms: 2000, first_token_ms: 5000, idle_ms: 2000 } } }),
      { "x-router-hedge": "200" },
    );
    expect(res.status).toBe(200);
    expect(streamedText(await sseData(res))).not.toBe("");
    const spans = await spansArrived(receiver, 3);
    const [first, hedge] = attemptsOf(spans).sort((a, b) =>
      Number(BigInt(a.startTimeUnixNano) - BigInt(b.startTimeUnixNano)),
    );
    expect(first?.attributes).toMatchObject({ "gen_ai.provider.name": "openai", "switchyard.attempt.via": "attempt" });
    expect(hedge?.attributes).toMatchObject({
      "gen_ai.provider.name": "mistral_ai",
      "switchyard.attempt.via": "hedge",
    });
    // The hedge ran beside the first try: it started ~200 ms in, before the first try's span ended.
    const startGapMs = Number(BigInt(hedge!.startTimeUnixNano) - BigInt(first!.startTimeUnixNano)) / 1e6;
    expect(startGapMs).toBeGreaterThanOrEqual(150);
    expect(BigInt(hedge!.startTimeUnixNano)).toBeLessThan(BigInt(first!.endTimeUnixNano));
  });

  it("counts cached prompt tokens in gen_ai.usage.input_tokens, as the answer's prompt_tokens does", async () => {
    // GenAI semconv: input_tokens "SHOULD include all types of input tokens, including cached tokens". A
    // cache_control breakpoint makes the emulator replay Anthropic's cache read (11 fresh, 2055 read, 100 out).
    const receiver = await newReceiver();
    const s = await newSession({}, tracedEnv(receiver));
    const res = await chat(s.env, {
      model: "anthropic/claude-sonnet-4-5",
      messages: [
        { role: "user", content: [{ type: "text", text: "What is a system?", cache_control: { type: "ephemeral" } }] },
      ],
      max_tokens: 100,
      router: { fallback: false },
    });
    expect(res.status).toBe(200);
    const json = (await res.json()) as { usage: { prompt_tokens: number } };
    expect(json.usage.prompt_tokens).toBe(11 + 2055);
    const spans = await spansArrived(receiver, 2);
    const root = rootOf(spans);
    expect(root.attributes["gen_ai.usage.cache_read.input_tokens"]).toBe(2055);
    expect(root.attributes["gen_ai.usage.input_tokens"]).toBe(json.usage.prompt_tokens);
    expect(attemptsOf(spans)[0]?.attributes["gen_ai.usage.input_tokens"]).toBe(json.usage.prompt_tokens);
  });

  it("exports nothing and sends nothing when no endpoint is set", async () => {
    const receiver = await newReceiver();
    const s = await newSession();
    traces.drain();
    const res = await chat(s.env, body(["openai/gpt-4o-mini"]));
    expect(res.status).toBe(200);
    expect(traces.drain()).toEqual({ exported_spans: 0, exported_batches: 0, dropped_spans: 0, dropped_batches: 0 });
    expect(await receiver.received()).toHaveLength(0);
  });
});
