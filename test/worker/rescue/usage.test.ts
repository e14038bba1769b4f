// A finished stream whose provider reported no usage still ends with a usage event: the gateway's estimate, which
// the ledger bills, marked usage_estimated in the route (failoverbench S16's usage check through such a provider).
import { describe, expect, it } from "vitest";
import type { RouteReport } from "../../../src/core/route-report.ts";
import type { StreamEvent, Usage } from "../../../src/core/types.ts";
import { committedAnswer } from "../../../src/gateway/committed-body.ts";
import { minusUsage } from "../../../src/gateway/run.ts";

const ROUTE: RouteReport = {
  provider: "mistral",
  model: "m",
  strategy: "balanced",
  chain: null,
  attempts: [],
  cost_usd: null,
  latency_ms: 1,
  ttft_ms: 1,
  warnings: [],
};

function stream(events: StreamEvent[]) {
  const [first, ...rest] = events;
  return {
    head: [first!],
    // One provider read per event.
    rest: { next: async () => (rest.length === 0 ? null : [rest.shift()!]) },
    ttftMs: 1,
    abort: () => undefined,
    malformedSkipped: () => 0,
  };
}

const ESTIMATE: Usage = { input_tokens: 12, output_tokens: 3, cached_input_tokens: 0, cache_write_tokens: 0 };

describe("usage at the end of a finished stream", () => {
  it("without the provider's usage: a usage event with the estimate, and the end is recorded as estimated", async () => {
    const ended: { usage: Usage | null; estimated: boolean | undefined }[] = [];
    const answer = committedAnswer(
      stream([{ type: "text", text: "Hi" }, { type: "finish", finish_reason: "stop" }, { type: "end" }]),
      (usage, _error, estimated) => {
        ended.push({ usage, estimated });
        return ROUTE;
      },
      undefined,
      () => ESTIMATE,
    );
    const types: (string | null)[] = [];
    for (;;) {
      const item = await answer.next();
      if (item === null || item.type !== "events") {
        types.push(item?.type ?? null);
        break;
      }
      types.push(...item.events.map((e) => e.type));
    }
    expect(types).toEqual(["finish", "usage", "done"]);
    expect(ended).toEqual([{ usage: ESTIMATE, estimated: true }]);
  });

  it("with the provider's usage: that usage, not an estimate", async () => {
    const reported: Usage = { ...ESTIMATE, output_tokens: 9 };
    const ended: (boolean | undefined)[] = [];
    const answer = committedAnswer(
      stream([
        { type: "text", text: "Hi" },
        { type: "finish", finish_reason: "stop" },
        { type: "usage", usage: reported },
        { type: "end" },
      ]),
      (_usage, _error, estimated) => {
        ended.push(estimated);
        return ROUTE;
      },
      undefined,
      () => ESTIMATE,
    );
    const types: string[] = [];
    for (;;) {
      const item = await answer.next();
      if (item === null) break;
      if (item.type !== "events") {
        types.push(item.type);
        break;
      }
      types.push(...item.events.map((e) => e.type));
    }
    expect(types).toEqual(["finish", "usage", "done"]);
    expect(ended).toEqual([false]);
  });
});

describe("a continued answer's last leg", () => {
  it("keeps its share of the breakdowns: 1-hour cache writes (their own price) and reasoning", () => {
    const total: Usage = {
      input_tokens: 30,
      output_tokens: 50,
      cached_input_tokens: 0,
      cache_write_tokens: 2000,
      cache_write_1h_tokens: 2000,
      reasoning_tokens: 20,
    };
    const first: Usage = { input_tokens: 10, output_tokens: 5, cached_input_tokens: 0, cache_write_tokens: 0 };
    expect(minusUsage(total, first)).toEqual({
      input_tokens: 20,
      output_tokens: 45,
      cached_input_tokens: 0,
      cache_write_tokens: 2000,
      cache_write_1h_tokens: 2000,
      reasoning_tokens: 20,
    });
  });
});
