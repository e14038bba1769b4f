// Budgets hold in every dialect as in chat: a workspace at its limit is refused before any provider is called, in
// the dialect's own error shape (Anthropic: billing_error), and the spend of each dialect settles into one budget.
import { describe, expect, it } from "vitest";
import { call, newSession } from "../gateway.ts";
import { uniqueWorkspace } from "../ledger/ledger-helpers.ts";

describe("budgets in every dialect", () => {
  it("a workspace at its limit gets 402 from messages (Anthropic's shape), responses and embeddings", async () => {
    const s = await newSession();
    const ws = uniqueWorkspace("dialect-budget");
    const put = await call(s.env, `/v1/budgets/${ws}`, {
      method: "PUT",
      json: { limit_usd: 1e-9, on_limit: "reject" },
    });
    expect(put.status).toBe(200);
    const headers = { "x-router-workspace": ws };

    const messages = await call(s.env, "/v1/messages", {
      method: "POST",
      headers,
      json: { model: "anthropic/claude-haiku-4-5", max_tokens: 100, messages: [{ role: "user", content: "hi" }] },
    });
    expect(messages.status).toBe(402);
    expect(await messages.json()).toMatchObject({ type: "error", error: { type: "billing_error" } });

    const responses = await call(s.env, "/v1/responses", {
      method: "POST",
      headers,
      json: { model: "openai/gpt-4o-mini", input: "hi", max_output_tokens: 100 },
    });
    expect(responses.status).toBe(402);
    expect(((await responses.json()) as { error: { code: string } }).error.code).toBe("budget_exceeded");

    const embeddings = await call(s.env, "/v1/embeddings", {
      method: "POST",
      headers,
      json: { model: "openai/text-embedding-3-large", input: "x".repeat(20_000) },
    });
    expect(embeddings.status).toBe(402);
    expect((await s.requests()).filter((r) => r.method === "POST")).toHaveLength(0);
  });
});
