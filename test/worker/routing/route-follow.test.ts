// Real calls follow the plan: for each strategy (and a chain, a models list, a named model), `model: "auto"` answers
// from the candidate POST /v1/route put first, and the emulator saw that model requested.
import { describe, expect, it } from "vitest";
import { STRATEGIES } from "../../../src/config/schema.ts";
import { call, chat, type LoggedRequest, newSession } from "../gateway.ts";

const USER = [{ role: "user", content: "Say hello." }];
type Candidate = { provider: string; model: string; upstream_model: string };

const isChat = (r: LoggedRequest) => r.method === "POST" && /chat|messages/.test(r.path);

/**
 * Plans with /v1/route, then calls chat completions with the same body on a fresh emulator session. Live stats
 * refresh in the background and latency_optimized explores on 5% of requests, so the plan may legitimately change
 * between the two calls; a pair is tried up to three times and one must agree. Every answer must come from the plan.
 */
async function routeThenChat(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const seen: string[] = [];
  for (let i = 0; i < 3; i++) {
    const s = await newSession();
    const planned = (await (await call(s.env, "/v1/route", { method: "POST", json: body, headers })).json()) as {
      candidates: Candidate[];
    };
    const first = planned.candidates[0];
    expect(first, JSON.stringify(planned)).toBeDefined();
    const res = await chat(s.env, body, headers);
    expect(res.status, await res.clone().text()).toBe(200);
    const answered = `${res.headers.get("x-router-provider")}/${res.headers.get("x-router-model")}`;
    expect(planned.candidates.map((c) => `${c.provider}/${c.model}`)).toContain(answered);
    const upstream = (await s.requests()).filter(isChat);
    if (first && answered === `${first.provider}/${first.model}`) {
      expect(upstream).toHaveLength(1);
      expect(upstream[0]?.provider).toBe(first.provider);
      expect(upstream[0]?.body?.model).toBe(first.upstream_model);
      expect(res.headers.get("x-router-attempts")).toBe("1");
      return { first, res, planned };
    }
    seen.push(`planned ${first?.provider}/${first?.model}, answered ${answered}`);
  }
  throw new Error(`the call never followed the plan: ${seen.join("; ")}`);
}

describe("a real call follows the plan", () => {
  for (const strategy of STRATEGIES) {
    it(`model "auto" with ${strategy}`, async () => {
      const { first, res } = await routeThenChat({
        model: "auto",
        messages: USER,
        max_tokens: 64,
        router: { strategy },
      });
      expect(res.headers.get("x-router-strategy")).toBe(strategy);
      const body = (await res.json()) as { x_router: { provider: string; model: string } };
      expect(body.x_router).toMatchObject({ provider: first.provider, model: first.model });
    });
  }

  it("the strategy from the x-router-strategy header, streaming", async () => {
    const { first, res } = await routeThenChat(
      { model: "auto", messages: USER, stream: true },
      { "x-router-strategy": "quality_optimized" },
    );
    expect(first).toMatchObject({ provider: "anthropic", model: "claude-fable-5-1" });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    await res.text();
  });

  it("chain:cost_optimized, a models list, and a task type", async () => {
    expect((await routeThenChat({ model: "chain:cost_optimized", messages: USER })).first).toMatchObject({
      provider: "openai",
      model: "gpt-6-luna",
    });
    expect(
      (await routeThenChat({ model: "auto", models: ["mistral/codestral-latest", "openai/gpt-4o"], messages: USER }))
        .first,
    ).toMatchObject({ provider: "mistral", model: "codestral-latest" });
    expect(
      (await routeThenChat({ model: "auto", messages: USER, router: { task_type: "analysis" } })).first,
    ).toMatchObject({ provider: "anthropic", model: "claude-sonnet-5-5" });
  });

  it("moves to the plan's second candidate when the first fails", async () => {
    // Only the first candidate's model fails, so every later candidate (another OpenAI model too) could answer.
    const s = await newSession({ faults: [{ provider: "openai", model: "gpt-4o-mini", mode: "status", status: 400 }] });
    const body = { model: "openai/gpt-4o-mini", messages: USER, router: { strategy: "quality_optimized" } };
    const planned = (await (await call(s.env, "/v1/route", { method: "POST", json: body })).json()) as {
      candidates: Candidate[];
    };
    const [first, second] = planned.candidates;
    expect(first, JSON.stringify(planned)).toMatchObject({ provider: "openai", model: "gpt-4o-mini" });
    expect(second, JSON.stringify(planned)).toBeDefined();
    const res = await chat(s.env, body);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(`${res.headers.get("x-router-provider")}/${res.headers.get("x-router-model")}`).toBe(
      `${second?.provider}/${second?.model}`,
    );
    expect(res.headers.get("x-router-attempts")).toBe("2");
    const upstream = (await s.requests()).filter(isChat);
    expect(upstream.map((r) => `${r.provider}/${r.body?.model}`)).toEqual([
      "openai/gpt-4o-mini",
      `${second?.provider}/${second?.upstream_model}`,
    ]);
  });
});
