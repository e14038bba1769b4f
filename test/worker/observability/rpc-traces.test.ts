// RPC calls continue the calling Worker's trace: `traceparent` in the call's options is what HTTP reads from the
// header, for generate() and stream() alike.
import { describe, expect, it } from "vitest";
import { newSession } from "../gateway.ts";
import { readLines, rpcFor } from "../rpc/rpc-helpers.ts";
import { newReceiver, type ReceivedSpan, type Receiver, spansArrived, spansOf } from "./receiver.ts";

const CALLER_TRACE = "0af7651916cd43dd8448eb211c80319c";
const CALLER_SPAN = "b7ad6b7169203331";
const REQUEST = {
  model: "openai/gpt-4o-mini",
  messages: [{ role: "user" as const, content: "hi" }],
  router: { fallback: false },
};

function tracedEnv(receiver: Receiver) {
  return { OTEL_EXPORTER_OTLP_ENDPOINT: `${receiver.url}/`, OTEL_BSP_SCHEDULE_DELAY: "0" };
}

describe("RPC traceparent", () => {
  it("generate(): the request span continues the caller's trace, its attempt under it", async () => {
    const receiver = await newReceiver();
    const s = await newSession({}, tracedEnv(receiver));
    const { rpc, done } = rpcFor(s.env);
    const r = await rpc.generate(REQUEST, { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` });
    expect(r.ok).toBe(true);
    await done();
    const spans = await spansArrived(receiver, 2);
    const root = spans.find((sp) => sp.kind === 2) as ReceivedSpan;
    expect(root.traceId).toBe(CALLER_TRACE);
    expect(root.parentSpanId).toBe(CALLER_SPAN);
    const attempt = spans.find((sp) => sp.kind === 3) as ReceivedSpan;
    expect(attempt.traceId).toBe(CALLER_TRACE);
    expect(attempt.parentSpanId).toBe(root.spanId);
  });

  it("stream(): the same, once the stream is read", async () => {
    const receiver = await newReceiver();
    const s = await newSession({}, tracedEnv(receiver));
    const { rpc, done } = rpcFor(s.env);
    const r = await rpc.stream(REQUEST, { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` });
    if (!r.ok) throw new Error(JSON.stringify(r));
    const lines = await readLines(r.events);
    expect(lines.length).toBeGreaterThan(0);
    await done();
    const root = (await spansArrived(receiver, 2)).find((sp) => sp.kind === 2) as ReceivedSpan;
    expect(root.traceId).toBe(CALLER_TRACE);
    expect(root.parentSpanId).toBe(CALLER_SPAN);
  });

  it("a not-sampled traceparent exports nothing; none at all is a trace of its own", async () => {
    const receiver = await newReceiver();
    const s = await newSession({}, tracedEnv(receiver));
    const { rpc, done } = rpcFor(s.env);
    expect((await rpc.generate(REQUEST, { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-00` })).ok).toBe(true);
    await done();
    expect(spansOf(await receiver.received())).toHaveLength(0);
    const second = rpcFor(s.env);
    expect((await second.rpc.generate(REQUEST)).ok).toBe(true);
    await second.done();
    const root = (await spansArrived(receiver, 2)).find((sp) => sp.kind === 2) as ReceivedSpan;
    expect(root.traceId).not.toBe(CALLER_TRACE);
    expect(root.parentSpanId ?? "").toBe("");
  });
});
