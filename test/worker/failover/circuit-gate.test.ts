// The executor's circuit gate over a snapshot: skip open circuits, one probe when half-open, defer while ramping back.
import { describe, expect, it } from "vitest";
import { CONFIG } from "../../../src/config/index.ts";
import { circuitGate, ProbeClaims } from "../../../src/execute/circuit-gate.ts";
import { ModelRegistry } from "../../../src/registry/model-registry.ts";
import type { Candidate } from "../../../src/routing/plan-types.ts";
import { emptySnapshot, type ModelStats, type ProviderStats, type StatsSnapshot } from "../../../src/stats/snapshot.ts";

const registry = new ModelRegistry(CONFIG.models.models);
const candidate = (name: string): Candidate => ({
  ref: registry.resolve(name)!,
  score: 1,
  estimated_cost_usd: null,
  reasons: [],
});
const NOW = 1_000_000;

const model = (over: Partial<ModelStats>): ModelStats => ({
  provider: "openai",
  model: "gpt-4o-mini",
  circuit: "closed",
  success_rate: 1,
  requests: 1,
  latency_ms: null,
  ttft_ms: null,
  last_error: null,
  last_measured_at: null,
  open_until: null,
  ramp_share: 1,
  ...over,
});
const provider = (over: Partial<ProviderStats>): ProviderStats => ({
  provider: "openai",
  circuit: "closed",
  status: "healthy",
  misconfigured: false,
  success_rate: 1,
  latency_ms: null,
  ttft_ms: null,
  last_error: null,
  last_probe_at: null,
  ...over,
});
const snap = (models: Record<string, ModelStats>, providers: StatsSnapshot["providers"] = {}): StatsSnapshot => ({
  ...emptySnapshot(),
  taken_at: NOW,
  models,
  providers,
});
const gate = (s: StatsSnapshot, random = () => 0.99, claims = new ProbeClaims()) =>
  circuitGate({ snapshot: s, claims, now: () => NOW, random, probeTtlMs: 5000 });

describe("circuit gate", () => {
  it("tries everything on an empty snapshot (no live data)", () => {
    expect(gate(emptySnapshot()).admit(candidate("openai/gpt-4o-mini"))).toEqual({ kind: "try" });
  });

  it("skips an open model circuit and says until when; its sibling is tried", () => {
    const g = gate(snap({ "openai/gpt-4o-mini": model({ circuit: "open", open_until: NOW + 30_000 }) }));
    expect(g.admit(candidate("openai/gpt-4o-mini"))).toMatchObject({ kind: "skip", until: NOW + 30_000 });
    expect(g.admit(candidate("openai/gpt-4.1-mini"))).toEqual({ kind: "try" });
    expect(g.reopensAt("openai", "gpt-4o-mini")).toBe(NOW + 30_000);
  });

  it("skips every model of a misconfigured provider or one whose provider circuit is open", () => {
    expect(
      gate(snap({}, { openai: provider({ misconfigured: true }) })).admit(candidate("openai/gpt-4.1-mini")).kind,
    ).toBe("skip");
    expect(
      gate(snap({}, { openai: provider({ circuit: "open", open_until: NOW + 1 }) })).admit(
        candidate("openai/gpt-4.1-mini"),
      ).kind,
    ).toBe("skip");
  });

  it("admits one probe per half-open circuit until its outcome is in", () => {
    const claims = new ProbeClaims();
    const s = snap({ "openai/gpt-4o-mini": model({ circuit: "open", open_until: NOW - 1 }) });
    expect(gate(s, undefined, claims).admit(candidate("openai/gpt-4o-mini"))).toEqual({
      kind: "probe",
      key: "model:openai/gpt-4o-mini",
    });
    expect(gate(s, undefined, claims).admit(candidate("openai/gpt-4o-mini")).kind).toBe("skip");
    claims.release("model:openai/gpt-4o-mini");
    expect(gate(s, undefined, claims).admit(candidate("openai/gpt-4o-mini")).kind).toBe("probe");
  });

  it("defers a ramping circuit for the share of requests it does not take yet", () => {
    const s = snap({ "openai/gpt-4o-mini": model({ ramp_share: 0.5 }) });
    expect(gate(s, () => 0.2).admit(candidate("openai/gpt-4o-mini"))).toEqual({ kind: "try" });
    expect(gate(s, () => 0.7).admit(candidate("openai/gpt-4o-mini")).kind).toBe("defer");
  });
});
