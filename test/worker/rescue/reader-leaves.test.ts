// The reader of a committed stream leaving (its body cancelled, as an RPC caller or a client library does) while the
// answer is being rescued, or before anything broke: the upstream calls are aborted and no new leg is started.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { completionCalls, eventually } from "../failover/helpers.ts";
import { call, newSession } from "../gateway.ts";
import { uniqueWorkspace } from "../ledger/ledger-helpers.ts";

/** Clocks long enough that only the reader leaving ends a call. */
const SLOW = { headers_ms: 5000, first_token_ms: 5000, idle_ms: 5000, total_ms: 20000 };
const MODELS = ["anthropic/claude-haiku-4-5", "mistral/mistral-small-latest"];

/** A streamed chat over MODELS, its body read in the background until the test cancels it. */
async function openAnswer(session: Awaited<ReturnType<typeof newSession>>, workspace: string) {
  const res = await call(session.env, "/v1/chat/completions", {
    method: "POST",
    json: {
      model: MODELS[0],
      models: MODELS,
      stream: true,
      messages: [{ role: "user", content: "tell me a story" }],
      router: { hedge: "off", timeouts: SLOW, workspace_id: workspace },
    },
  });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  expect((await reader.read()).done).toBe(false);
  const pump = (async () => {
    for (;;) {
      const r = await reader.read().catch(() => ({ done: true }));
      if (r.done) return;
    }
  })();
  return {
    leave: async () => {
      await reader.cancel("the reader went away");
      await pump;
    },
  };
}

describe("the reader of a rescued stream leaves", () => {
  it("while the continuation is opening: its upstream call is aborted", { timeout: 20_000 }, async () => {
    const session = await newSession({
      chunk_delay_ms: 30,
      faults: [
        { provider: "anthropic", mode: "cut", after_chunks: 4 },
        { provider: "mistral", mode: "slow_first_token", delay_ms: 8000 },
      ],
    });
    const workspace = uniqueWorkspace("rescue-leaves");
    const answer = await openAnswer(session, workspace);
    await eventually(
      () => completionCalls(session, "mistral"),
      (c) => c.length === 1,
      4000,
    );
    await answer.leave();
    const calls = await eventually(
      () => completionCalls(session, "mistral"),
      (c) => c[0]?.aborted === true,
      3000,
    );
    expect(calls.map((c) => c.aborted)).toEqual([true]);
    const row = await eventually(
      () =>
        env.DB.prepare("SELECT status, http_status FROM requests WHERE workspace_id = ?")
          .bind(workspace)
          .first<{ status: string; http_status: number }>(),
      (r) => r !== null,
      3000,
    );
    expect(row).toMatchObject({ status: "client_closed" });
  });

  it("while the first leg streams: it is aborted, and no other candidate is started", { timeout: 20_000 }, async () => {
    const session = await newSession({ chunk_delay_ms: 400 });
    const answer = await openAnswer(session, uniqueWorkspace("rescue-leaves"));
    await answer.leave();
    const first = await eventually(
      () => completionCalls(session, "anthropic"),
      (c) => c[0]?.aborted === true,
      3000,
    );
    expect(first.map((c) => c.aborted)).toEqual([true]);
    // Time for a rescue to have started, had the abort been taken for a break.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await completionCalls(session, "mistral")).toEqual([]);
  });
});
