// Spans of requests finishing together go out in one OTLP export ("batched after the response").
import { describe, expect, it } from "vitest";
import { body } from "../failover/helpers.ts";
import { chat, newSession } from "../gateway.ts";
import { newReceiver, spansOf } from "./receiver.ts";

describe("OTLP batching", () => {
  it("three concurrent requests' spans reach the collector in one export, after the answers", async () => {
    const receiver = await newReceiver();
    const s = await newSession({}, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: "300" });
    const answers = await Promise.all([1, 2, 3].map(() => chat(s.env, body(["openai/gpt-4o-mini"]))));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    const received = await receiver.received();
    expect(received).toHaveLength(1);
    expect(spansOf(received)).toHaveLength(6);
  });
});
