// holdBudget returns the plan to run and leaves the one it was given alone: under `downgrade` the candidates whose
// worst case does not fit the budget come back excluded, in a copy.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CONFIG } from "../../../src/config/index.ts";
import type { CanonicalRequest } from "../../../src/core/types.ts";
import { GovernanceCache } from "../../../src/keys/governance-cache.ts";
import { holdBudget } from "../../../src/ledger/budget-gate.ts";
import { ModelRegistry } from "../../../src/registry/model-registry.ts";
import { newSession } from "../gateway.ts";
import { callFull, uniqueWorkspace } from "./ledger-helpers.ts";

const registry = new ModelRegistry(CONFIG.models.models);

function refOf(name: string) {
  const ref = registry.resolve(name);
  if (ref === null) throw new Error(`${name} is not in the registry`);
  return ref;
}

describe("holdBudget", () => {
  it("under downgrade, returns a trimmed copy of the plan and leaves the given plan as it was", async () => {
    const s = await newSession();
    const ws = uniqueWorkspace("hold-plan");
    // $0.002: 1,000 output tokens of Claude Opus (worst case several cents) do not fit, GPT-4o mini's do.
    const put = await callFull(s.env, `/v1/budgets/${ws}`, {
      method: "PUT",
      json: { limit_usd: 0.002, period: "month", on_limit: "downgrade" },
    });
    expect(put.res.status, await put.done()).toBe(200);

    const dear = refOf("anthropic/claude-opus-5-5");
    const cheap = refOf("openai/gpt-4o-mini");
    const plan = { candidates: [{ ref: dear }, { ref: cheap }], excluded: [] as never[] };
    const given = structuredClone(plan);
    const request: CanonicalRequest = {
      messages: [{ role: "user", content: "hi" }],
      max_output_tokens: 1000,
      stream: false,
    };
    const hold = await holdBudget({
      env,
      governance: new GovernanceCache(() => Date.now()),
      caller: { kind: "development", workspaceId: null },
      workspaceId: ws,
      plan,
      request,
      limitTokens: () => 1010,
      newId: (prefix) => `${prefix}-${crypto.randomUUID()}`,
      now: Date.now(),
    });

    expect(hold.plan.candidates.map((c) => c.ref.id)).toEqual([cheap.id]);
    expect(hold.plan.excluded).toEqual([
      expect.objectContaining({ provider: "anthropic", model: dear.id, reason: expect.stringMatching(/budget/) }),
    ]);
    expect(hold.holds).toHaveLength(1);
    expect(hold.plan).not.toBe(plan);
    expect(plan).toEqual(given);
  });
});
