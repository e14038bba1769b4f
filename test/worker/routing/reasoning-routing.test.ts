// A request that asks for reasoning, routed by the router itself (`model: "auto"`), goes to a model that reasons:
// DESIGN's "classed by difficulty (required capabilities, ...)" and "reasoning_effort / reasoning.effort /
// thinking.budget_tokens map to each provider's own control" — not to a model that then drops the setting.
import { describe, expect, it } from "vitest";
import { call, newSession } from "../gateway.ts";

type ModelsBody = { data: { id: string; capabilities: string[] }[] };

async function capabilitiesOf(env: Parameters<typeof call>[0], provider: string | null, model: string | null) {
  const body = (await (await call(env, "/v1/models")).json()) as ModelsBody;
  return body.data.find((m) => m.id === `${provider}/${decodeURIComponent(model ?? "")}`)?.capabilities ?? [];
}

const PROMPT = "Is 1001 a prime number?";

describe("auto with an explicit reasoning request goes to a model that reasons", () => {
  it("/v1/route: reasoning_effort high makes `reasoning` a required capability", async () => {
    const s = await newSession();
    const res = await call(s.env, "/v1/route", {
      method: "POST",
      json: { model: "auto", reasoning_effort: "high", messages: [{ role: "user", content: PROMPT }] },
    });
    const plan = (await res.json()) as {
      required_capabilities: string[];
      candidates: { provider: string; model: string }[];
    };
    const first = plan.candidates[0];
    expect(await capabilitiesOf(s.env, first?.provider ?? null, first?.model ?? null), JSON.stringify(first)).toContain(
      "reasoning",
    );
  });

  const calls: [string, string, Record<string, unknown>, Record<string, string>][] = [
    [
      "chat reasoning_effort",
      "/v1/chat/completions",
      { model: "auto", reasoning_effort: "high", messages: [{ role: "user", content: PROMPT }] },
      {},
    ],
    [
      "responses reasoning.effort",
      "/v1/responses",
      { model: "auto", reasoning: { effort: "high" }, input: PROMPT },
      {},
    ],
    [
      "messages thinking",
      "/v1/messages",
      {
        model: "auto",
        max_tokens: 4000,
        thinking: { type: "enabled", budget_tokens: 2048 },
        messages: [{ role: "user", content: PROMPT }],
      },
      { "anthropic-version": "2023-06-01" },
    ],
  ];
  for (const [name, path, json, headers] of calls) {
    it(`${name}: answered by a reasoning model, no "does not reason" warning`, async () => {
      const s = await newSession();
      const res = await call(s.env, path, { method: "POST", json, headers });
      expect(res.status, await res.clone().text()).toBe(200);
      await res.text();
      const provider = res.headers.get("x-router-provider");
      const model = res.headers.get("x-router-model");
      expect(decodeURIComponent(res.headers.get("x-router-warnings") ?? "")).not.toMatch(/does not reason/);
      expect(await capabilitiesOf(s.env, provider, model), `${provider}/${model}`).toContain("reasoning");
    });
  }
});
