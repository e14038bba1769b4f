// The ledger's attempt rows for a client that leaves before an answer, and for a stream cut after
// its commit point.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../../src/index.ts";
import { completionCalls, eventually } from "../failover/helpers.ts";
import { newSession } from "../gateway.ts";
import { callFull, uniqueWorkspace } from "../ledger/ledger-helpers.ts";

interface ReqRow {
  id: string;
  status: string;
  attempt_count: number;
  provider: string | null;
}
interface AttemptRow {
  seq: number;
  provider: string;
  model: string;
  status: string;
  error: string | null;
}

async function rowsOf(ws: string): Promise<ReqRow[]> {
  return (
    await env.DB.prepare("SELECT id, status, attempt_count, provider FROM requests WHERE workspace_id = ?")
      .bind(ws)
      .all<ReqRow>()
  ).results;
}
async function attemptsOf(id: string): Promise<AttemptRow[]> {
  return (
    await env.DB.prepare("SELECT seq, provider, model, status, error FROM attempts WHERE request_id = ? ORDER BY seq")
      .bind(id)
      .all<AttemptRow>()
  ).results;
}

describe("a client that leaves before any answer", () => {
  // DESIGN (Storage): "one row per request (... status, attempts, ...) and one per attempt"; (Failure semantics):
  // "failed attempts are logged as attempts". A first candidate that failed with a 500, then a second one in flight
  // when the client leaves: both were called (the emulator saw both), the ledger should keep both attempts.
  it("keeps the attempts that were made (one failed, one aborted in flight)", async () => {
    const s = await newSession({
      faults: [
        { provider: "openai", mode: "status", status: 401 },
        { provider: "anthropic", mode: "hang" },
      ],
    });
    const ws = uniqueWorkspace("left-early");
    const controller = new AbortController();
    const ctx = createExecutionContext();
    const request = new Request("http://127.0.0.1:8787/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json", "x-router-workspace": ws },
      body: JSON.stringify({
        model: "openai/gpt-4o-mini",
        models: ["openai/gpt-4o-mini", "anthropic/claude-haiku-4-5"],
        messages: [{ role: "user", content: "What is 10 + 5?" }],
      }),
      signal: controller.signal,
    });
    const pending = Promise.resolve(worker.fetch(request, s.env, ctx)).catch(() => null);
    void pending;
    await eventually(
      () => completionCalls(s, "anthropic"),
      (c) => c.length === 1,
      4000,
    );
    controller.abort();
    await pending;
    await waitOnExecutionContext(ctx);
    const rows = await eventually(
      () => rowsOf(ws),
      (r) => r.length === 1,
    );
    expect(rows[0]).toMatchObject({ status: "client_closed" });
    const attempts = await attemptsOf(rows[0]!.id);
    // Both upstream calls happened:
    expect((await completionCalls(s, "openai")).length).toBe(1);
    expect(rows[0]!.attempt_count).toBe(2);
    expect(attempts.map((a) => [a.provider, a.status])).toEqual([
      ["openai", "failed"],
      ["anthropic", "failed"],
    ]);
  });
});

describe("a stream cut after its commit point", () => {
  // DESIGN (Failure semantics): "only the successful attempt is billed as a completion; failed attempts are logged as
  // attempts". The answer's own x_router.attempts says the cut attempt failed; the ledger's attempt row should too.
  it("its attempt row says failed, as x_router.attempts does", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "cut", after_chunks: 3 }] });
    const ws = uniqueWorkspace("cut-attempt");
    const { res, done } = await callFull(s.env, "/v1/chat/completions", {
      method: "POST",
      json: {
        model: "openai/gpt-4o-mini",
        messages: [{ role: "user", content: "What is the weather in San Francisco?" }],
        stream: true,
        router: { fallback: false },
      },
      headers: { "x-router-workspace": ws },
    });
    const text = await done();
    expect(res.status).toBe(200);
    expect(text).toContain("stream_interrupted");
    const reported = text
      .split("\n")
      .filter((l) => l.startsWith("data: ") && l.includes("x_router"))
      .map((l) => JSON.parse(l.slice(6)) as { x_router: { attempts: { status: string }[] } })
      .at(-1)!.x_router.attempts;
    expect(reported.map((a) => a.status)).toEqual(["failed"]);
    const [row] = await rowsOf(ws);
    expect(row).toMatchObject({ status: "error" });
    const attempts = await attemptsOf(row!.id);
    expect(attempts.map((a) => a.status)).toEqual(["failed"]);
  });
});

describe("a hedged stream", () => {
  // DESIGN (Rescue): "the first to commit wins, the other is aborted. Both are attempts in the ledger."
  it("both attempts are rows, as x_router.attempts lists them", async () => {
    const s = await newSession({
      faults: [{ provider: "openai", model: "gpt-4o-mini", mode: "slow_first_token", delay_ms: 600 }],
    });
    const ws = uniqueWorkspace("hedge");
    const { res, done } = await callFull(s.env, "/v1/chat/completions", {
      method: "POST",
      json: {
        model: "openai/gpt-4o-mini",
        models: ["openai/gpt-4o-mini", "mistral/mistral-small-latest"],
        messages: [{ role: "user", content: "hi" }],
        stream: true,
      },
      headers: { "x-router-workspace": ws, "x-router-hedge": "100" },
    });
    const text = await done();
    expect(res.status).toBe(200);
    const reported = text
      .split("\n")
      .filter((l) => l.startsWith("data: ") && l.includes("x_router"))
      .map((l) => JSON.parse(l.slice(6)) as { x_router: { attempts: { provider: string; status: string }[] } })
      .at(-1)!.x_router.attempts;
    const [row] = await rowsOf(ws);
    const attempts = await attemptsOf(row!.id);
    expect(attempts.map((a) => `${a.provider}:${a.status}`)).toEqual(reported.map((a) => `${a.provider}:${a.status}`));
    expect(row!.attempt_count).toBe(2);
  });
});
