// The contract held: the model grammar and the routing controls (body router.* vs x-router-* headers) as DESIGN.md states them.
import { describe, expect, it } from "vitest";
import { CONFIG } from "../../../src/config/index.ts";
import { call, chat, newSession } from "../gateway.ts";

const USER = [{ role: "user", content: "Say hello." }];
const route = (env: Parameters<typeof call>[0], body: unknown, headers: Record<string, string> = {}) =>
  call(env, "/v1/route", { method: "POST", json: body, headers });
// biome-ignore lint/suspicious/noExplicitAny: loose reads
type J = any;

async function err(res: Response, status = 400): Promise<J> {
  const body = (await res.json()) as J;
  expect(res.status, JSON.stringify(body)).toBe(status);
  expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
  return body.error;
}

describe("model field", () => {
  it("every documented form plans (200)", async () => {
    const s = await newSession();
    for (const model of ["openai/gpt-4o-mini", "gpt-4o-mini", "auto", "chain:high_quality", "openai/some-new-model"]) {
      const r = await route(s.env, { model, messages: USER });
      expect(r.status, `${model}: ${await r.clone().text()}`).toBe(200);
    }
    const list = (await (
      await route(s.env, { models: ["openai/gpt-4o-mini", "anthropic/claude-3-haiku"], messages: USER })
    ).json()) as J;
    expect(list.candidates.slice(0, 2).map((c: J) => c.provider)).toEqual(["openai", "anthropic"]);
  });

  it("an unlisted model on a named provider is answered and priced unknown (cost_usd null)", async () => {
    const s = await newSession();
    const r = await chat(s.env, { model: "openai/some-new-model", messages: USER, router: { fallback: false } });
    const body = (await r.json()) as J;
    expect(r.status, JSON.stringify(body)).toBe(200);
    expect(body.x_router.cost_usd).toBeNull();
  });

  it("invalid forms: a clear 400 naming model, never a 500", async () => {
    const s = await newSession();
    for (const model of [
      "",
      "chain:",
      "openai/",
      "nope/x",
      "gpt-17",
      42,
      null,
      "a\u0007b",
      "x".repeat(300),
      "/gpt-4o",
    ]) {
      const e = await err(await chat(s.env, { model, messages: USER }));
      expect(e.param, String(model)).toBe("model");
    }
    const e = await err(await chat(s.env, { models: ["openai/gpt-4o-mini", "nope"], messages: USER }));
    expect(e.param).toBe("models.1");
    expect(await s.requests()).toEqual([]);
  });
});

describe("routing controls", () => {
  it("header wins over body for strategy, chain and fallback", async () => {
    const s = await newSession();
    const r = (await (
      await route(
        s.env,
        {
          model: "auto",
          messages: USER,
          router: { strategy: "quality_optimized", chain: "HIGH_QUALITY", fallback: true },
        },
        { "x-router-strategy": "cost_optimized", "x-router-chain": "COST_OPTIMIZED", "x-router-fallback": "false" },
      )
    ).json()) as J;
    expect(r.strategy).toBe("cost_optimized");
    expect(r.chain).toBe("COST_OPTIMIZED");
    expect(r.fallback).toBe(false);
    expect(r.candidates).toHaveLength(1);
  });

  it("header capabilities (comma list) and task type are read", async () => {
    const s = await newSession();
    const r = (await (
      await route(
        s.env,
        { model: "auto", messages: USER },
        { "x-router-capabilities": "code, vision", "x-router-task-type": "analysis" },
      )
    ).json()) as J;
    expect(r.required_capabilities).toEqual(expect.arrayContaining(["code", "vision", "analysis"]));
    expect(r.task_type).toBe("analysis");
  });

  const badHeaders: [string, string][] = [
    ["x-router-strategy", "fastest"],
    ["x-router-capabilities", "code,telepathy"],
    ["x-router-budget-remaining", "-1"],
    ["x-router-budget-remaining", "abc"],
    ["x-router-max-latency-ms", "0"],
    ["x-router-fallback", "maybe"],
    ["x-router-chain", "NO_SUCH_CHAIN"],
    ["x-router-task-type", "no_such_task"],
  ];
  for (const [name, value] of badHeaders) {
    it(`bad header ${name}: ${value} is a 400 naming the header`, async () => {
      const s = await newSession();
      const e = await err(await chat(s.env, { model: "auto", messages: USER }, { [name]: value }));
      expect(e.param).toBe(name);
    });
  }

  const badBody: [string, unknown][] = [
    ["strategy", "fastest"],
    ["capabilities", ["telepathy"]],
    ["budget_remaining", -1],
    ["max_latency_ms", 0],
    ["fallback", "yes"],
    ["chain", "NO_SUCH_CHAIN"],
    ["task_type", "no_such_task"],
  ];
  for (const [field, value] of badBody) {
    it(`bad body router.${field} is a 400 naming router.${field}`, async () => {
      const s = await newSession();
      const e = await err(await chat(s.env, { model: "auto", messages: USER, router: { [field]: value } }));
      expect(e.param).toMatch(new RegExp(`^router\\.${field}(\\.|$)`));
    });
  }

  it("a bad body value is refused even when a header gives the same control", async () => {
    const s = await newSession();
    await err(
      await chat(
        s.env,
        { model: "auto", messages: USER, router: { strategy: "fastest" } },
        { "x-router-strategy": "balanced" },
      ),
    );
  });

  it("LLM_ROUTING_STRATEGY and LLM_ENABLE_FALLBACK set the defaults", async () => {
    const s = await newSession({}, { LLM_ROUTING_STRATEGY: "cost_optimized", LLM_ENABLE_FALLBACK: "false" });
    const r = (await (await route(s.env, { model: "auto", messages: USER })).json()) as J;
    expect(r.strategy).toBe("cost_optimized");
    expect(r.fallback).toBe(false);
  });

  it("execution_id / workspace_id: header over body, visible in /v1/usage group_by=execution_id", async () => {
    const s = await newSession();
    const ws = `ws-contract-${Math.random().toString(36).slice(2)}`;
    const res = await chat(
      s.env,
      {
        model: "openai/gpt-4o-mini",
        messages: USER,
        router: { fallback: false, workspace_id: "body-ws", execution_id: "body-exec" },
      },
      { "x-router-workspace": ws, "x-router-execution": "hdr-exec" },
    );
    expect(res.status).toBe(200);
    await res.text();
    const u = await call(s.env, `/v1/usage?workspace_id=${ws}&group_by=execution_id`);
    const body = (await u.json()) as J;
    expect(u.status, JSON.stringify(body)).toBe(200);
    expect(body.totals.requests).toBe(1);
    expect(body.groups.map((g: J) => g.key)).toEqual(["hdr-exec"]);
    for (const k of ["requests", "input_tokens", "output_tokens", "cost_usd"]) expect(body.totals).toHaveProperty(k);
    for (const k of ["key", "requests", "input_tokens", "output_tokens", "cost_usd"])
      expect(body.groups[0]).toHaveProperty(k);
  });
});

describe("balanced", () => {
  it("first candidate is the cheapest whose quality meets the class floor, and /v1/route names class and floor", async () => {
    const s = await newSession();
    const models = (await (await call(s.env, "/v1/models")).json()) as J;
    const quality = new Map<string, number>(models.data.map((m: J) => [m.id, m.quality]));
    const prompts = [
      "Say hello.",
      "Fix this function:\n```ts\nfunction add(a: number, b: number) { return a - b; }\n```",
      "Prove step by step that the square root of 2 is irrational, then integrate x^2 from 0 to 1.",
    ];
    for (const content of prompts) {
      const r = (await (
        await route(s.env, {
          model: "auto",
          messages: [{ role: "user", content }],
          max_tokens: 100,
          router: { strategy: "balanced" },
        })
      ).json()) as J;
      const floor = r.difficulty.quality_floor;
      expect(
        CONFIG.fallback.difficulty.classes[r.difficulty.class as keyof typeof CONFIG.fallback.difficulty.classes]
          .quality_floor,
      ).toBe(floor);
      const meets = r.candidates.filter((c: J) => (quality.get(`${c.provider}/${c.model}`) ?? 0) >= floor);
      expect(meets.length, content).toBeGreaterThan(0);
      const first = r.candidates[0];
      expect(quality.get(`${first.provider}/${first.model}`)).toBeGreaterThanOrEqual(floor);
      const cheapest = Math.min(...meets.map((c: J) => c.estimated_cost_usd ?? Infinity));
      expect(first.estimated_cost_usd, content).toBe(cheapest);
    }
  });
});
