// The RPC entrypoint as another Worker sees it, constructed over a session's env, and its NDJSON stream read whole.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import type { Env } from "../../../src/env.ts";
import { SwitchyardRpc } from "../../../src/rpc/entrypoint.ts";
import type { RpcStreamLine } from "../../../src/rpc/types.ts";

/** `done` waits for the calls' waitUntil work (the ledger, the stats). */
export function rpcFor(env: Env) {
  const ctx = createExecutionContext();
  const rpc = new SwitchyardRpc(ctx as never, env);
  return { rpc, done: () => waitOnExecutionContext(ctx) };
}

export async function readLines(stream: ReadableStream<Uint8Array>): Promise<RpcStreamLine[]> {
  const text = await new Response(stream).text();
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as RpcStreamLine);
}
