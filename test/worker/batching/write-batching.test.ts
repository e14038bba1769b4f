// After-the-response writes are batched per isolate: one stats call and one D1 batch for many requests, nothing lost,
// and failures written at once.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { WriteBatcher } from "../../../src/core/write-batcher.ts";
import worker from "../../../src/index.ts";
import { newSession, type Session } from "../gateway.ts";

function waiter() {
  const promises: Promise<unknown>[] = [];
  return { ctx: { waitUntil: (p: Promise<unknown>) => void promises.push(p) }, settle: () => Promise.all(promises) };
}

describe("WriteBatcher", () => {
  it("writes many adds once after the delay, in one batch", async () => {
    const writes: number[][] = [];
    const batcher = new WriteBatcher<string, number>(async (_key, items) => void writes.push(items));
    const { ctx, settle } = waiter();
    for (let i = 0; i < 5; i++) batcher.add("k", [i], ctx, { delayMs: 30, maxItems: 100 });
    expect(writes).toEqual([]);
    expect(batcher.waiting("k")).toBe(5);
    await settle();
    expect(writes).toEqual([[0, 1, 2, 3, 4]]);
  });

  it("writes at once, with everything that waited, for an urgent item or a full batch", async () => {
    const writes: number[][] = [];
    const batcher = new WriteBatcher<string, number>(async (_key, items) => void writes.push(items));
    const { ctx } = waiter();
    batcher.add("k", [1, 2], ctx, { delayMs: 10_000, maxItems: 100 });
    batcher.add("k", [3], ctx, { delayMs: 10_000, maxItems: 100 }, true);
    batcher.add("k", [4, 5, 6], ctx, { delayMs: 10_000, maxItems: 3 });
    expect(writes).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(batcher.waiting("k")).toBe(0);
  });

  it("keeps keys apart", async () => {
    const writes: string[] = [];
    const batcher = new WriteBatcher<string, string>(async (key, items) => void writes.push(`${key}:${items.join()}`));
    const { ctx, settle } = waiter();
    batcher.add("a", ["1"], ctx, { delayMs: 5, maxItems: 10 });
    batcher.add("b", ["2"], ctx, { delayMs: 5, maxItems: 10 });
    await settle();
    expect(writes.sort()).toEqual(["a:1", "b:2"]);
  });
});

async function send(s: Session, body: Record<string, unknown>, ws: string) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request("http://127.0.0.1:8787/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json", "x-router-workspace": ws },
      body: JSON.stringify(body),
    }),
    s.env,
    ctx,
  );
  await res.text();
  return { res, ctx };
}

const rows = async (ws: string) =>
  (await env.DB.prepare("SELECT COUNT(*) AS n FROM requests WHERE workspace_id = ?").bind(ws).first<{ n: number }>())
    ?.n ?? 0;

describe("the gateway's batched writes", () => {
  it("writes the ledger rows of several requests together once the delay passed, none lost", async () => {
    const s = await newSession({}, { LEDGER_FLUSH_MS: "300", STATS_FLUSH_MS: "300" });
    const ws = `batch-${crypto.randomUUID()}`;
    const sent = [];
    for (let i = 0; i < 5; i++)
      sent.push(
        await send(
          s,
          { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }], router: { fallback: false } },
          ws,
        ),
      );
    for (const { res } of sent) expect(res.status).toBe(200);
    // Answered, but not written yet: the rows wait for company.
    expect(await rows(ws)).toBe(0);
    await Promise.all(sent.map(({ ctx }) => waitOnExecutionContext(ctx)));
    expect(await rows(ws)).toBe(5);
  });

  it("writes a failure's outcome to the stats object at once, so circuits react without the batching delay", async () => {
    const s = await newSession(
      { faults: [{ provider: "mistral", mode: "status", status: 503 }] },
      { STATS_FLUSH_MS: "60000", LEDGER_FLUSH_MS: "0" },
    );
    await send(
      s,
      {
        model: "mistral/mistral-large-latest",
        messages: [{ role: "user", content: "hi" }],
        router: { fallback: false },
      },
      "batch-fail",
    );
    // Not waitOnExecutionContext: the request's non-urgent writes (its metric increments) rightly wait the 60 s
    // delay. The failure must reach the stats object long before that.
    const lastError = async () => {
      const health = (await (
        await worker.fetch(new Request("http://127.0.0.1:8787/v1/health/providers"), s.env, createExecutionContext())
      ).json()) as { providers: { provider: string; last_error: string | null }[] };
      return health.providers.find((p) => p.provider === "mistral")?.last_error ?? null;
    };
    const until = Date.now() + 3000;
    let seen = await lastError();
    while (seen === null && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
      seen = await lastError();
    }
    expect(seen).not.toBeNull();
  });
});
