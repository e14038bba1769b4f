// A caller's service_tier through the real Worker: carried upstream to OpenAI (and only there), priced with the
// registry's multiplier, and the answer's x_router.cost_usd and the ledger's row agree to the pico-dollar.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newSession } from "../gateway.ts";
import { chatDone, uniqueWorkspace, xRouterOf } from "./ledger-helpers.ts";

async function costOf(id: string): Promise<number | null> {
  const row = await env.DB.prepare("SELECT cost_pico FROM requests WHERE id = ?")
    .bind(id)
    .first<{ cost_pico: number | null }>();
  return row?.cost_pico ?? null;
}

// The emulator replays openai/chat-completion-text.json: 40 prompt tokens, 13 completion tokens, none cached.
// gpt-6.1-sol: $2 input, $10 output per 1M -> 2,000,000 and 10,000,000 pico-dollars per token.
const STANDARD = 40 * 2_000_000 + 13 * 10_000_000;

describe("service tiers", () => {
  for (const [tier, pico] of [
    ["flex", STANDARD / 2],
    ["priority", STANDARD * 2],
    // OpenAI's newer name for priority (Fast mode): the same price.
    ["fast", STANDARD * 2],
    ["default", STANDARD],
  ] as const) {
    it(`service_tier ${tier}: sent to OpenAI, billed at ${pico / STANDARD}x, answer and ledger agree`, async () => {
      const s = await newSession();
      const ws = uniqueWorkspace(`tier-${tier}`);
      const r = await chatDone(
        s.env,
        {
          model: "openai/gpt-6.1-sol",
          messages: [{ role: "user", content: "hi" }],
          service_tier: tier,
          router: { fallback: false },
        },
        { "x-router-workspace": ws },
      );
      expect(r.status, r.text).toBe(200);
      const upstream = (await s.requests()).filter((q) => q.path.endsWith("/chat/completions"));
      expect(upstream.map((q) => q.body?.service_tier)).toEqual([tier]);
      const x = xRouterOf(r.text, false);
      expect(Math.round((x.cost_usd as number) * 1e12)).toBe(pico);
      expect(await costOf(r.headers.get("x-request-id") ?? "")).toBe(pico);
    });
  }

  it("a provider without service tiers is not sent the field, says so, and bills standard", async () => {
    const s = await newSession();
    const r = await chatDone(s.env, {
      model: "mistral/mistral-large-latest",
      messages: [{ role: "user", content: "hi" }],
      service_tier: "flex",
      router: { fallback: false },
    });
    expect(r.status, r.text).toBe(200);
    const upstream = (await s.requests()).filter((q) => q.path.endsWith("/chat/completions"));
    expect(upstream[0]?.body).not.toHaveProperty("service_tier");
    expect(r.text).toContain('mistral does not take \\"service_tier\\"');
    // mistral-chat-completion: 9 prompt, 100 completion at $0.50 / $1.50.
    expect(Math.round((xRouterOf(r.text, false).cost_usd as number) * 1e12)).toBe(9 * 500_000 + 100 * 1_500_000);
  });

  it("Anthropic is not sent OpenAI's flex or priority either, and says so", async () => {
    const s = await newSession();
    const r = await chatDone(s.env, {
      model: "anthropic/claude-haiku-4-5",
      messages: [{ role: "user", content: "hi" }],
      service_tier: "priority",
      router: { fallback: false },
    });
    expect(r.status, r.text).toBe(200);
    const upstream = (await s.requests()).filter((q) => q.path.endsWith("/messages"));
    expect(upstream[0]?.body).not.toHaveProperty("service_tier");
    expect(r.text).toContain('anthropic does not take service_tier \\"priority\\"');
  });

  it("an unknown service tier is a 400 naming the param", async () => {
    const s = await newSession();
    const r = await chatDone(s.env, {
      model: "openai/gpt-6.1-sol",
      messages: [{ role: "user", content: "hi" }],
      service_tier: "turbo",
    });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text).error.param).toBe("service_tier");
  });
});
