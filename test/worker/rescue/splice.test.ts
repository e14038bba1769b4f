// The splice below the dialects: a restarted candidate is joined on only past the text already sent, and what it
// streamed before that text (its own thinking) never reaches the client in the middle of the answer.
import { describe, expect, it } from "vitest";
import { ProviderError } from "../../../src/core/errors.ts";
import type { StreamEvent } from "../../../src/core/types.ts";
import type { CommittedStream } from "../../../src/execute/attempt.ts";
import { rescuable, type StreamLeg } from "../../../src/execute/rescue.ts";
import type { AttemptRecord } from "../../../src/ledger/record.ts";
import { candidate } from "../execute/fake-upstream.ts";

const record = (provider: AttemptRecord["provider"]): AttemptRecord => ({
  provider,
  model: "m",
  status: "ok",
  error: null,
  error_kind: null,
  http_status: 200,
  latency_ms: 0,
  ttft_ms: 0,
});

/** A committed stream: its head, then each batch in turn, then a break (if `breaks`) or its end. */
function stream(head: StreamEvent[], batches: StreamEvent[][], breaks: boolean): CommittedStream {
  const rest = [...batches];
  return {
    head,
    rest: {
      next: async () => {
        const batch = rest.shift();
        if (batch !== undefined) return batch;
        if (breaks) throw new ProviderError({ kind: "stream", provider: "openai", message: "openai cut the stream" });
        return null;
      },
    },
    ttftMs: 1,
    abort: () => undefined,
    malformedSkipped: () => 0,
  };
}

async function readAll(s: CommittedStream): Promise<StreamEvent[]> {
  const out = [...s.head];
  for (let batch = await s.rest.next(); batch !== null; batch = await s.rest.next()) out.push(...batch);
  return out;
}

describe("a spliced restart", () => {
  it("joins past the text already sent, without the thinking it streamed before that text", async () => {
    const first = candidate("openai/gpt-4o-mini");
    const restart = candidate("together/deepseek-r1");
    const leg: StreamLeg = {
      candidate: first,
      record: record("openai"),
      via: "commit",
      usage: null,
      usageEstimated: false,
    };
    let offered = false;
    const answer = rescuable(
      stream([{ type: "text", text: "10 + " }], [], true),
      leg,
      { messages: [{ role: "user", content: "What is 10 + 5?" }], stream: true },
      {
        next: async () => {
          if (offered) return null;
          offered = true;
          return restart;
        },
        open: async () => ({
          ok: true,
          record: record("together"),
          stream: stream(
            [
              { type: "reasoning", text: "Ten plus five." },
              { type: "reasoning_signature", signature: "sig" },
              { type: "text", text: "10 + 5 = 15" },
            ],
            [[{ type: "finish", finish_reason: "stop" }, { type: "end" }]],
            false,
          ),
        }),
        replaced: () => undefined,
      },
    );
    const events = await readAll(answer);
    expect(events).toEqual([
      { type: "text", text: "10 + " },
      { type: "text", text: "5 = 15" },
      { type: "finish", finish_reason: "stop" },
      { type: "end" },
    ]);
    expect(answer.legs.map((l) => `${l.candidate.ref.provider}:${l.via}`)).toEqual([
      "openai:commit",
      "together:splice",
    ]);
  });
});
