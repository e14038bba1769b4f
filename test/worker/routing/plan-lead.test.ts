// The plan's head (Plan.lead): the models a caller named are known before their fallbacks are weighed, and the rest of
// the plan is worked out only when it is read, the same as if it had been worked out at once.
import { describe, expect, it } from "vitest";
import type { ProviderId } from "../../../src/config/schema.ts";
import { order, plan } from "./fixture.ts";

const keys = (cs: { ref: { provider: string; id: string } }[] | undefined) =>
  cs?.map((c) => `${c.ref.provider}/${c.ref.id}`);

/** `configured`, remembering which providers the planner asked about. */
function asking(): { configured: (p: ProviderId) => boolean; asked: Set<ProviderId> } {
  const asked = new Set<ProviderId>();
  return {
    asked,
    configured: (p) => {
      asked.add(p);
      return true;
    },
  };
}

describe("planner: the head of a plan before its fallbacks", () => {
  it("a named model leads the plan, and its fallbacks are weighed only when the plan's candidates are read", () => {
    const { configured, asked } = asking();
    const p = plan({ model: "mistral/small", configured });
    expect(keys(p.lead)).toEqual(["mistral/small"]);
    // Only the named model's provider was looked at: no fallback has been weighed yet.
    expect([...asked]).toEqual(["mistral"]);
    const all = order(p);
    expect(all[0]).toBe("mistral/small");
    expect(all.length).toBeGreaterThan(1);
    expect(asked.size).toBeGreaterThan(1);
    // Read again: the same list, not worked out twice.
    expect(p.candidates).toBe(p.candidates);
  });

  it("the rest, once read, is what a plan read at once gives: candidates, exclusions and their order", () => {
    const inputs = { model: "openai/mini", controls: { strategy: "quality_optimized" as const } };
    const early = plan(inputs);
    const late = plan(inputs);
    const candidates = early.candidates;
    const excluded = early.excluded;
    expect(keys(late.lead)).toEqual(["openai/mini"]);
    expect(late.excluded).toEqual(excluded);
    expect(late.candidates).toEqual(candidates);
    // Plain data to JSON and spreads (the route report, GET /v1/route, the budget gate's trimmed copy).
    expect(JSON.parse(JSON.stringify(plan(inputs))).candidates).toEqual(JSON.parse(JSON.stringify(candidates)));
    expect({ ...plan(inputs) }.candidates).toEqual(candidates);
  });

  it("with fallback off, the head is the whole plan", () => {
    const p = plan({ model: "mistral/small", controls: { fallback: false } });
    expect(keys(p.lead)).toEqual(["mistral/small"]);
    expect(order(p)).toEqual(["mistral/small"]);
  });

  it("a pool ranked by its strategy has no head: the ranking decides who goes first, so the plan is whole", () => {
    const p = plan({ model: "auto", controls: { strategy: "quality_optimized" } });
    expect(p.lead).toBeUndefined();
    expect(order(p).length).toBeGreaterThan(1);
  });

  it("a named model a filter leaves out gives no head: the plan is whole, made of its fallbacks", () => {
    const p = plan({ model: "mistral/small", configured: (provider) => provider !== "mistral" });
    expect(p.lead).toBeUndefined();
    expect(order(p)).not.toContain("mistral/small");
    expect(order(p).length).toBeGreaterThan(0);
  });
});
