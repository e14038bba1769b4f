// The Messages dialect's prompt-cache pricing end to end: the row, x_router.cost_usd and the registry's
// prices agree (claude-sonnet-4-5: $3 in, $15 out, $0.30 cache read, $6 1-hour write per 1M).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newSession } from "../gateway.ts";
import { callFull } from "../ledger/ledger-helpers.ts";

async function rowOf(id: string) {
  return env.DB.prepare(
    "SELECT dialect, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, cost_pico FROM requests WHERE id = ?",
  )
    .bind(id)
    .first<Record<string, number | string>>();
}

describe("Messages with cache_control", () => {
  for (const stream of [false, true]) {
    it(`${stream ? "streamed (cache read)" : "JSON (1-hour write)"}: row = x_router = tokens x price`, async () => {
      const s = await newSession();
      const { res, done } = await callFull(s.env, "/v1/messages", {
        method: "POST",
        json: {
          model: "anthropic/claude-sonnet-4-5",
          max_tokens: 200,
          stream,
          system: [{ type: "text", text: "A long guide.", cache_control: { type: "ephemeral", ttl: "1h" } }],
          messages: [{ role: "user", content: "hi" }],
        },
        headers: { "x-router-fallback": "false" },
      });
      const text = await done();
      expect(res.status, text).toBe(200);
      let cost: number;
      if (!stream) cost = (JSON.parse(text) as { x_router: { cost_usd: number } }).x_router.cost_usd;
      else {
        const delta = text
          .split("\n")
          .filter((l) => l.startsWith("data: ") && l.includes("x_router"))
          .map((l) => JSON.parse(l.slice(6)) as { x_router: { cost_usd: number } })
          .at(-1)!;
        cost = delta.x_router.cost_usd;
      }
      const row = await rowOf(res.headers.get("x-request-id")!);
      const expected = stream
        ? 11 * 3_000_000 + 1031 * 300_000 + 100 * 15_000_000
        : 17 * 3_000_000 + 2056 * 6_000_000 + 100 * 15_000_000;
      expect(row).toMatchObject({ dialect: "messages", cost_pico: expected });
      expect(Math.round(cost * 1e12)).toBe(expected);
    });
  }
});
