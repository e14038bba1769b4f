// The client closing its connection aborts the upstream call in every dialect, not only chat's: a non-streaming
// Embeddings, Messages or Responses call waiting on its provider is aborted, and logged as the client's (499).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { completionCalls, eventually } from "../failover/helpers.ts";
import { call, newSession } from "../gateway.ts";
import { uniqueWorkspace } from "../ledger/ledger-helpers.ts";

/** Clocks long enough that only the client leaving ends the call. */
const SLOW = { headers_ms: 5000, first_token_ms: 5000, idle_ms: 5000, total_ms: 20000 };

const BODIES: [path: string, body: Record<string, unknown>][] = [
  ["/v1/embeddings", { model: "openai/text-embedding-3-small", input: "hi" }],
  ["/v1/messages", { model: "openai/gpt-4o-mini", max_tokens: 20, messages: [{ role: "user", content: "hi" }] }],
  ["/v1/responses", { model: "openai/gpt-4o-mini", input: "hi" }],
];

describe("the client leaves a call waiting on its provider", () => {
  for (const [path, body] of BODIES) {
    it(`${path}: the upstream call is aborted and the request logged client_closed`, { timeout: 20_000 }, async () => {
      const session = await newSession({ faults: [{ provider: "openai", mode: "slow_headers", delay_ms: 6000 }] });
      const workspace = uniqueWorkspace("client-leaves");
      const controller = new AbortController();
      const pending = call(session.env, path, {
        method: "POST",
        json: { ...body, router: { workspace_id: workspace, fallback: false, timeouts: SLOW } },
        signal: controller.signal,
      }).catch(() => null);
      await eventually(
        () => completionCalls(session, "openai"),
        (c) => c.length === 1,
      );
      controller.abort();
      await pending;
      const calls = await eventually(
        () => completionCalls(session, "openai"),
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
      expect(row).toMatchObject({ status: "client_closed", http_status: 499 });
    });
  }
});
