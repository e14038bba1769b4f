// The tier a call is billed at is the one of the provider that served it: an OpenAI model deployed on Together (which
// takes no service_tier) bills standard, in the answer, the ledger and /v1/route's estimate; a stream continued on
// OpenAI bills its last leg at the tier OpenAI's answer says it served, as an answer in one leg does.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CONFIG } from "../../../src/config/index.ts";
import { type ModelEntry, ModelEntrySchema } from "../../../src/config/schema.ts";
import type { Env } from "../../../src/env.ts";
import { SERVICES } from "../../../src/gateway/services.ts";
import { createApp } from "../../../src/http/app.ts";
import { ModelRegistry } from "../../../src/registry/model-registry.ts";
import { FAST, USER } from "../failover/helpers.ts";
import { newSession } from "../gateway.ts";
import { callFull } from "./ledger-helpers.ts";

// gpt-6.1-sol: $2 input, $10 output per 1M (2,000,000 and 10,000,000 pico-dollars a token); flex 0.5x, priority 2x.
const base = CONFIG.models.models.find((m) => m.id === "gpt-6.1-sol") as ModelEntry;
const deployed: ModelEntry = ModelEntrySchema.parse({
  ...base,
  id: "sol-deployed",
  aliases: [],
  upstream_id: "gpt-6.1-sol",
  deployments: [{ name: "tog", provider: "together", upstream_id: "openai/gpt-6.1-sol", weight: 1 }],
});
const app = createApp({ ...SERVICES, registry: () => new ModelRegistry([...CONFIG.models.models, deployed]) });

async function appCall(e: Env, path: string, body: unknown) {
  const ctx = createExecutionContext();
  const res = await app.fetch(
    new Request(`http://127.0.0.1:8787${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
    e,
    ctx,
  );
  const text = await res.text();
  await waitOnExecutionContext(ctx);
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, any> };
}

const costOf = async (id: string | null) =>
  (
    await env.DB.prepare("SELECT cost_pico FROM requests WHERE id = ?")
      .bind(id ?? "")
      .first<{ cost_pico: number | null }>()
  )?.cost_pico;

describe("a model deployed on a provider without service tiers", () => {
  const answer = {
    id: "x",
    object: "chat.completion",
    created: 1,
    model: "openai/gpt-6.1-sol",
    choices: [{ index: 0, message: { role: "assistant", content: "Hi." }, finish_reason: "stop" }],
    usage: { prompt_tokens: 1000, completion_tokens: 100, total_tokens: 1100 },
  };
  const standard = 1000 * 2_000_000 + 100 * 10_000_000;

  for (const tier of ["flex", "priority"]) {
    it(`${tier} asked, served by Together: not sent, and billed standard in the answer and the ledger`, async () => {
      const s = await newSession({
        faults: [
          {
            provider: "together",
            mode: "raw",
            content_type: "application/json",
            pieces: [btoa(JSON.stringify(answer))],
          },
        ],
      });
      const r = await appCall(s.env, "/v1/chat/completions", {
        model: "openai/sol-deployed",
        messages: USER,
        service_tier: tier,
        router: { fallback: false },
      });
      expect(r.status, r.text).toBe(200);
      expect(r.json().x_router.deployment).toBe("tog");
      const upstream = (await s.requests()).filter((q) => q.path.endsWith("/chat/completions"));
      expect(upstream.map((q) => q.provider)).toEqual(["together"]);
      expect(upstream[0]?.body).not.toHaveProperty("service_tier");
      expect(JSON.stringify(r.json().x_router.warnings)).toContain("billed at standard prices");
      expect(Math.round(r.json().x_router.cost_usd * 1e12)).toBe(standard);
      expect(await costOf(r.headers.get("x-request-id"))).toBe(standard);
    });
  }

  it("/v1/route estimates it at standard prices", async () => {
    const s = await newSession();
    const r = await appCall(s.env, "/v1/route", {
      model: "openai/sol-deployed",
      messages: USER,
      service_tier: "flex",
      max_tokens: 100,
      router: { fallback: false },
    });
    expect(r.status, r.text).toBe(200);
    const [candidate] = r.json().candidates;
    expect(candidate.provider).toBe("together");
    const prompt = r.json().estimated_prompt_tokens;
    expect(Math.round(candidate.estimated_cost_usd * 1e12)).toBe(prompt * 2_000_000 + 100 * 10_000_000);
  });
});

describe("a stream continued on OpenAI", () => {
  const MODELS = ["together/meta-llama/Llama-3.3-70B-Instruct-Turbo", "openai/gpt-6.1-sol"];
  const chunk = (rest: string) =>
    `data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-6.1-sol","service_tier":"default",${rest}}\n\n`;
  // OpenAI's restart says it served the call at `default`, whatever was asked.
  const servedAtDefault = [
    chunk(`"choices":[{"index":0,"delta":{"role":"assistant","content":"Hello!"},"finish_reason":null}]`),
    chunk(`"choices":[{"index":0,"delta":{"content":" It is 15."},"finish_reason":null}]`),
    chunk(`"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]`),
    chunk(`"choices":[],"usage":{"prompt_tokens":23,"completion_tokens":8,"total_tokens":31}`),
    "data: [DONE]\n\n",
  ].join("");

  async function continued(serviceTier?: string) {
    const s = await newSession({
      faults: [
        { provider: "together", mode: "cut", after_chunks: 2 },
        { provider: "openai", mode: "raw", content_type: "text/event-stream", pieces: [btoa(servedAtDefault)] },
      ],
    });
    const { res, done } = await callFull(s.env, "/v1/chat/completions", {
      method: "POST",
      json: {
        model: MODELS[0],
        models: MODELS,
        messages: USER,
        stream: true,
        stream_options: { include_usage: true },
        max_tokens: 100,
        ...(serviceTier === undefined ? {} : { service_tier: serviceTier }),
        router: { timeouts: FAST },
      },
    });
    const text = await done();
    expect(res.status, text).toBe(200);
    const upstream = (await s.requests()).filter((q) => q.path.endsWith("/chat/completions"));
    expect(upstream.map((q) => q.provider)).toEqual(["together", "openai"]);
    return { cost: await costOf(res.headers.get("x-request-id")), upstream };
  }

  it("asked for priority, served at default: the last leg bills standard, as without a tier", async () => {
    const plain = await continued();
    const priority = await continued("priority");
    expect(priority.upstream[1]?.body?.service_tier).toBe("priority");
    expect(plain.cost).toBeGreaterThan(23 * 2_000_000 + 8 * 10_000_000);
    expect(priority.cost).toBe(plain.cost);
  });
});
