// A thinking answer rescued after its commit point: the broken leg's streamed thinking is output it is billed for
// (DESIGN: usage and cost add both legs; reasoning tokens are billed as output), and a continuation on Claude is a
// prefill without thinking, which Anthropic refuses together ("Prefilling is only available for non-extended
// thinking modes", docs.claude.com, prefill-claudes-response; the emulator does not refuse it, so the body is read).
import { describe, expect, it } from "vitest";
import { parseSse } from "../dialects/fixtures.ts";
import { type Fault, newSession } from "../gateway.ts";
import { callFull } from "../ledger/ledger-helpers.ts";

const T = { headers_ms: 1000, idle_ms: 300, total_ms: 8000 };
const THINKING = { type: "enabled", budget_tokens: 1024 };

async function messages(models: string[], faults: Fault[], extra: Record<string, unknown> = {}) {
  const s = await newSession({ faults });
  const { res, done } = await callFull(s.env, "/v1/messages", {
    method: "POST",
    json: {
      model: models[0],
      models,
      max_tokens: 2000,
      stream: true,
      messages: [{ role: "user", content: "What is 10 + 5?" }],
      router: { timeouts: T },
      ...extra,
    },
  });
  const events = parseSse(await done());
  const row = await s.env.DB.prepare("SELECT output_tokens FROM requests WHERE id = ?")
    .bind(res.headers.get("x-request-id"))
    .first<{ output_tokens: number }>();
  return { s, events, row };
}

describe("a thinking answer rescued", () => {
  // Haiku's thinking stream is cut during its thinking and restarted on Mistral: the client was streamed that thinking.
  it("a broken leg's streamed thinking is billed as its output (Messages, cut during thinking, restarted on Mistral)", async () => {
    const alone = await messages(["mistral/mistral-small-latest"], []);
    const aloneOut = alone.events.find((e) => e.event === "message_delta")?.data.usage.output_tokens as number;
    expect(aloneOut).toBe(100);

    const { events, row } = await messages(
      ["anthropic/claude-haiku-4-5-20251001", "mistral/mistral-small-latest"],
      [{ provider: "anthropic", mode: "cut", after_chunks: 5 }],
      { thinking: THINKING },
    );
    const delta = events.find((e) => e.event === "message_delta")?.data;
    if (delta === undefined) throw new Error("no message_delta");
    expect(events.at(-1)?.event).toBe("message_stop");
    expect(delta.x_router.attempts.map((a: { provider: string }) => a.provider)).toEqual(["anthropic", "mistral"]);
    const thinking = delta.usage.output_tokens_details?.thinking_tokens as number;
    expect(thinking).toBeGreaterThan(0);
    // What the client reads and what the ledger bills.
    expect(delta.usage.output_tokens).toBeGreaterThanOrEqual(aloneOut + thinking);
    expect(row?.output_tokens).toBeGreaterThanOrEqual(aloneOut + thinking);
  });

  // A Messages request with thinking whose OpenAI stream is cut is continued on Claude.
  it("a continuation on Claude never pairs an assistant prefill with extended thinking (Anthropic refuses it)", async () => {
    const { s } = await messages(
      ["openai/gpt-4o-mini", "anthropic/claude-haiku-4-5-20251001"],
      [{ provider: "openai", model: "gpt-4o-mini", mode: "cut", after_chunks: 4 }],
      { thinking: THINKING },
    );
    const sent = (await s.requests()).filter((r) => r.provider === "anthropic" && r.method === "POST");
    expect(sent.length).toBeGreaterThan(0);
    for (const r of sent) {
      const body = r.body as { thinking?: unknown; messages: { role: string }[] };
      const prefilled = body.messages.at(-1)?.role === "assistant";
      expect(prefilled && body.thinking !== undefined).toBe(false);
    }
  });
});
