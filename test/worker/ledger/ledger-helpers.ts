// Helpers for ledger tests: a Worker call that lets a stream finish before its waitUntil work is awaited, and D1 reads.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import type { Env } from "../../../src/env.ts";
import worker from "../../../src/index.ts";

export interface Called {
  res: Response;
  /** Reads the body fully, then waits for the request's waitUntil work (ledger, budget settle). */
  done(): Promise<string>;
}

export async function callFull(
  sessionEnv: Env,
  path: string,
  init: RequestInit & { json?: unknown } = {},
): Promise<Called> {
  const { json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (json !== undefined) headers.set("content-type", "application/json");
  const request = new Request(`http://127.0.0.1:8787${path}`, {
    ...rest,
    headers,
    body: json !== undefined ? JSON.stringify(json) : rest.body,
  });
  const ctx = createExecutionContext();
  const res = await worker.fetch(request, sessionEnv, ctx);
  return {
    res,
    async done() {
      const text = await res.text();
      await waitOnExecutionContext(ctx);
      return text;
    },
  };
}

/** Chat, read to the end, ledger written. */
export async function chatDone(
  sessionEnv: Env,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; text: string }> {
  const { res, done } = await callFull(sessionEnv, "/v1/chat/completions", { method: "POST", json: body, headers });
  const text = await done();
  return { status: res.status, headers: res.headers, text };
}

/** The x_router of a JSON answer or of the final chunk of a stream. */
export function xRouterOf(text: string, stream: boolean): { cost_usd: number | null; provider: string; model: string } {
  if (!stream)
    return (JSON.parse(text) as { x_router: { cost_usd: number | null; provider: string; model: string } }).x_router;
  const chunks = text
    .split("\n\n")
    .map((b) => b.trim())
    .filter((b) => b.startsWith("data: ") && b !== "data: [DONE]")
    .map((b) => JSON.parse(b.slice(6)) as { x_router?: { cost_usd: number | null; provider: string; model: string } });
  const last = chunks.findLast((c) => c.x_router !== undefined);
  if (last?.x_router === undefined) throw new Error(`no x_router in stream: ${text.slice(-500)}`);
  return last.x_router;
}

let counter = 0;
/** A workspace id no other test uses (isolates keep caches across tests). */
export function uniqueWorkspace(label: string): string {
  counter++;
  return `${label}-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}
