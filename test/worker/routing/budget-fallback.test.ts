// Budgets are checked on every fallback target, not only the first: when the first candidate fails, the executor
// moves only to candidates whose cost fits what is left (the workspace's downgrade budget, router.budget_remaining).
import { describe, expect, it } from "vitest";
import { CONFIG } from "../../../src/config/index.ts";
import { type ChatCompletionRequest, toCanonical } from "../../../src/dialects/chat/request.ts";
import { worstCasePico, worstCasePromptTokens } from "../../../src/ledger/worst-case.ts";
import { ModelRegistry } from "../../../src/registry/model-registry.ts";
import { chat, newSession } from "../gateway.ts";
import { callFull, uniqueWorkspace } from "../ledger/ledger-helpers.ts";

const registry = new ModelRegistry(CONFIG.models.models);
const MODELS = ["openai/gpt-4o-mini", "anthropic/claude-haiku-4-5", "mistral/ministral-8b-latest"];
const BODY = {
  model: "auto",
  models: MODELS,
  messages: [{ role: "user", content: "What is the weather in San Francisco?" }],
  max_tokens: 100,
};

function worstOf(model: string): number {
  const req = toCanonical(BODY as unknown as ChatCompletionRequest);
  const ref = registry.resolve(model);
  if (ref === null) throw new Error(model);
  return worstCasePico(ref, worstCasePromptTokens(req), req);
}

interface Answer {
  x_router: { provider: string; attempts: { provider: string; status: string }[] };
}

describe("budget re-check on fallback", () => {
  it("a downgrade budget: the first candidate fails, the dear second is skipped, the cheap third answers", async () => {
    const s = await newSession({ faults: [{ provider: "openai", model: "gpt-4o-mini", mode: "status", status: 400 }] });
    const ws = uniqueWorkspace("fallback-budget");
    const cheap = Math.max(worstOf("openai/gpt-4o-mini"), worstOf("mistral/ministral-8b-latest"));
    const dear = worstOf("anthropic/claude-haiku-4-5");
    expect(dear).toBeGreaterThan(cheap);
    const put = await callFull(s.env, `/v1/budgets/${ws}`, {
      method: "PUT",
      json: { limit_usd: (cheap + 1) / 1e12, on_limit: "downgrade" },
    });
    expect(put.res.status, await put.done()).toBe(200);

    const res = await chat(s.env, BODY, { "x-router-workspace": ws });
    const text = await res.text();
    expect(res.status, text).toBe(200);
    const answer = JSON.parse(text) as Answer;
    expect(answer.x_router.provider).toBe("mistral");
    expect(answer.x_router.attempts.map((a) => a.provider)).toEqual(["openai", "mistral"]);
    const upstream = (await s.requests()).filter(
      (r) => r.path.endsWith("/chat/completions") || r.path.endsWith("/messages"),
    );
    expect(upstream.map((r) => r.provider)).toEqual(["openai", "mistral"]);

    // The plan says why the second is out.
    const planned = await callFull(s.env, "/v1/route", {
      method: "POST",
      json: BODY,
      headers: { "x-router-workspace": ws },
    });
    const plan = JSON.parse(await planned.done()) as { excluded: { model: string; reason: string }[] };
    expect(planned.res.status).toBe(200);
    expect(plan.excluded.find((e) => e.model === "claude-haiku-4-5-20251001")?.reason ?? "").toMatch(/exceeds/);
  });

  it("router.budget_remaining: every target's estimate is checked, so the fallback skips what does not fit", async () => {
    const s = await newSession({ faults: [{ provider: "openai", model: "gpt-4o-mini", mode: "status", status: 400 }] });
    // ~14 prompt tokens + 100 output: gpt-4o-mini ~$0.000062, ministral ~$0.000017, Haiku 4.5 ~$0.000514.
    const res = await chat(s.env, { ...BODY, router: { budget_remaining: 0.0002 } });
    const text = await res.text();
    expect(res.status, text).toBe(200);
    const answer = JSON.parse(text) as Answer;
    expect(answer.x_router.attempts.map((a) => a.provider)).toEqual(["openai", "mistral"]);
    expect((await s.requests()).filter((r) => r.provider === "anthropic")).toEqual([]);
  });
});
