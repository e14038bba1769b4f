// RPC generate() and stream() write their ledger rows, attributed by router.workspace_id and
// router.execution_id, at the cost the route report says.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newSession } from "../gateway.ts";
import { uniqueWorkspace } from "../ledger/ledger-helpers.ts";
import { readLines, rpcFor } from "../rpc/rpc-helpers.ts";

describe("RPC and the ledger", () => {
  it("generate and stream: one row each, workspace and execution kept, cost = route.cost_usd", async () => {
    const s = await newSession();
    const ws = uniqueWorkspace("rpc");
    const { rpc, done } = rpcFor(s.env);
    const req = {
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user" as const, content: "hi" }],
      router: { workspace_id: ws, execution_id: "exec-9", fallback: false },
    };
    const g = await rpc.generate(req as never);
    expect(g.ok).toBe(true);
    const st = await rpc.stream({ ...req, stream_options: { include_usage: true } } as never);
    expect(st.ok).toBe(true);
    const lines = await readLines((st as { events: ReadableStream<Uint8Array> }).events);
    await done();
    const route = lines.findLast((l) => l.type === "route") as { route: { cost_usd: number } };
    const rows = (
      await env.DB.prepare(
        "SELECT id, execution_id, stream, cost_pico, attempt_count FROM requests WHERE workspace_id = ? ORDER BY stream",
      )
        .bind(ws)
        .all<{ id: string; execution_id: string; stream: number; cost_pico: number; attempt_count: number }>()
    ).results;
    expect(rows).toMatchObject([
      { execution_id: "exec-9", stream: 0, attempt_count: 1 },
      { execution_id: "exec-9", stream: 1, attempt_count: 1 },
    ]);
    expect(rows[0]!.id).toBe((g as { id: string }).id);
    expect(rows[0]!.cost_pico / 1e12).toBe((g as { route: { cost_usd: number } }).route.cost_usd);
    expect(rows[1]!.cost_pico / 1e12).toBe(route.route.cost_usd);
  });
});
