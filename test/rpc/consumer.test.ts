// Another Worker (docs/examples/consumer-worker) calls Switchyard over a service binding: generate() and stream(),
// with the same routing, fallback, budgets and cost logging as HTTP.
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { STRATEGIES } from "../../src/config/schema.ts";

interface Consumed {
  text: string;
  provider: string;
  model: string;
  cost_usd?: number | null;
  usage?: { input_tokens: number; output_tokens: number };
  route?: { provider: string; cost_usd: number | null; attempts: { status: string }[] } | null;
  error?: unknown;
}

/** The providers this project's Worker has keys for (vitest.config.ts): OpenAI and Anthropic only. */
const CONFIGURED = ["openai", "anthropic"];

async function consume(path: string): Promise<{ status: number; body: Consumed & Record<string, unknown> }> {
  const res = await env.CONSUMER.fetch(`http://consumer${path}`);
  return { status: res.status, body: (await res.json()) as Consumed & Record<string, unknown> };
}

async function ledgerRow(workspace: string) {
  // The ledger is written after the answer (waitUntil); give it a moment.
  for (let i = 0; i < 50; i++) {
    const row = await env.DB.prepare(
      "SELECT provider, model, cost_pico, execution_id FROM requests WHERE workspace_id = ?",
    )
      .bind(workspace)
      .first<{ provider: string; model: string; cost_pico: number; execution_id: string }>();
    if (row) return row;
    await new Promise((r) => setTimeout(r, 20));
  }
  return null;
}

describe("Switchyard over RPC from another Worker", () => {
  it("generate(): a whole answer in canonical types, costed and logged", async () => {
    const { status, body } = await consume("/generate?model=openai/gpt-4o-mini&workspace=rpc-generate");
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.provider).toBe("openai");
    expect(body.text).toMatch(/^The current weather in San Francisco/);
    // Canonical usage: cached input split out; the recorded answer: 40 prompt, 13 completion tokens.
    expect(body.usage).toMatchObject({ input_tokens: 40, output_tokens: 13 });
    // gpt-4o-mini: $0.15 / $0.60 per 1M tokens.
    expect(body.cost_usd).toBeCloseTo((40 * 0.15 + 13 * 0.6) / 1e6, 15);
    expect(await ledgerRow("rpc-generate")).toMatchObject({
      provider: "openai",
      model: "gpt-4o-mini",
      cost_pico: 40 * 150_000 + 13 * 600_000,
      execution_id: "example-run",
    });
  });

  it("stream(): canonical events, then the route report with the cost", async () => {
    const { status, body } = await consume("/stream?model=anthropic/claude-sonnet-4-5&workspace=rpc-stream");
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.provider).toBe("anthropic");
    expect(body.text.startsWith("Here's an OpenTelemetry-themed joke for you:")).toBe(true);
    expect(body.error).toBeNull();
    expect(body.route).toMatchObject({ provider: "anthropic", attempts: [{ status: "ok" }] });
    // claude-sonnet-4-5: $3 / $15 per 1M tokens; the recording: 17 input, 171 output tokens.
    expect(body.route?.cost_usd).toBeCloseTo((17 * 3 + 171 * 15) / 1e6, 15);
    expect((await ledgerRow("rpc-stream"))?.cost_pico).toBe(17 * 3_000_000 + 171 * 15_000_000);
  });

  it("routes like HTTP: model auto picks from the configured providers only", async () => {
    const { status, body } = await consume("/generate?model=auto&workspace=rpc-auto");
    expect(status, JSON.stringify(body)).toBe(200);
    expect(CONFIGURED).toContain(body.provider);
    // An unconfigured provider tried first and fallen back from would still end in a configured answer. Under every
    // strategy (cost and local first would rank Ollama or Mistral ahead), the route report lists each candidate the
    // walk reached, tried or skipped: none may be another provider.
    for (const strategy of STRATEGIES) {
      const answer = await exports.SwitchyardRpc.generate({
        model: "auto",
        messages: [{ role: "user", content: "Say hi" }],
        router: { workspace_id: "rpc-auto", strategy },
      });
      expect(answer.ok, `${strategy}: ${JSON.stringify(answer)}`).toBe(true);
      const attempts = answer.ok ? answer.route.attempts : [];
      expect(attempts.length, strategy).toBeGreaterThan(0);
      expect(
        attempts.filter((a) => !CONFIGURED.includes(a.provider)),
        strategy,
      ).toEqual([]);
    }
  });

  it("failures come back as values with the HTTP status, not as thrown errors", async () => {
    const answer = await exports.SwitchyardRpc.generate({
      model: "no-such-model",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(answer).toMatchObject({ ok: false, status: 400, error: { param: "model", code: "model_not_found" } });
    const none = await exports.SwitchyardRpc.stream({
      model: "mistral/mistral-large-latest",
      messages: [{ role: "user", content: "hi" }],
      router: { fallback: false },
    });
    // Mistral has no key in this Worker's configuration: nothing can serve it.
    expect(none).toMatchObject({ ok: false, status: 503 });
  });

  it("holds budgets like HTTP: a workspace out of budget is refused with 402", async () => {
    const put = await exports.default.fetch(
      new Request("http://127.0.0.1/v1/budgets/rpc-broke", {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ limit_usd: 0.000001, period: "day", on_limit: "reject" }),
      }),
    );
    expect(put.status, await put.clone().text()).toBe(200);
    const answer = await exports.SwitchyardRpc.generate({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "hi" }],
      router: { workspace_id: "rpc-broke" },
    });
    // What HTTP says in x-budget-remaining-usd, the value says in `budget`.
    expect(answer).toMatchObject({
      ok: false,
      status: 402,
      error: { code: "budget_exceeded" },
      budget: { remaining_usd: 0.000001 },
      retry_after_ms: null,
    });
  });
});
