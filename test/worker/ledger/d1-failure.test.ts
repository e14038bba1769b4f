// A D1 outage loses ledger rows, never a request: the answer is the same and arrives as fast.
import { describe, expect, it, vi } from "vitest";
import { newSession } from "../gateway.ts";
import { chatDone, uniqueWorkspace } from "./ledger-helpers.ts";

/** A D1 binding whose every method throws, synchronously or not. */
function brokenD1(calls: string[]): D1Database {
  const fail = (name: string) => () => {
    calls.push(name);
    throw new Error("D1_ERROR: database unavailable");
  };
  return {
    prepare: fail("prepare"),
    batch: fail("batch"),
    exec: fail("exec"),
    dump: fail("dump"),
    withSession: fail("withSession"),
  } as unknown as D1Database;
}

describe("the ledger off the hot path", () => {
  for (const stream of [false, true]) {
    it(`answers ${stream ? "a stream" : "JSON"} normally when every D1 call throws`, async () => {
      const calls: string[] = [];
      const errors = vi.spyOn(console, "error").mockImplementation(() => {});
      try {
        const s = await newSession({}, { DB: brokenD1(calls) });
        const r = await chatDone(
          s.env,
          {
            model: "openai/gpt-4o-mini",
            messages: [{ role: "user", content: "hi" }],
            stream,
            router: { fallback: false },
          },
          { "x-router-workspace": uniqueWorkspace("d1down") },
        );
        expect(r.status, r.text).toBe(200);
        if (stream) expect(r.text.trim().endsWith("data: [DONE]")).toBe(true);
        else expect((JSON.parse(r.text) as { x_router: { cost_usd: number } }).x_router.cost_usd).toBeGreaterThan(0);
        // The sink did try, after the answer, and said so in the log (without the key or the prompt).
        expect(calls.length).toBeGreaterThan(0);
        const logged = errors.mock.calls.map((c) => c.map(String).join(" ")).join("\n");
        expect(logged).toMatch(/ledger write failed/);
        expect(logged).not.toMatch(/sk-test-openai|hi"/);
      } finally {
        errors.mockRestore();
      }
    });
  }
});
