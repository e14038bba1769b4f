// What each call's usage says and costs, held to "logs every call's tokens and exact cost": a stream cut after
// Anthropic's message_start is billed for the prompt Anthropic counted; every dialect's usage is what the ledger bills;
// reasoning tokens are reported where the provider gives no breakdown; a call is priced at the tier it was served at;
// /v1/usage refuses impossible dates. Figures are worked by hand from configs/models.yml and test/fixtures/.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CONFIG } from "../../../src/config/index.ts";
import { answerCostPico } from "../../../src/gateway/report.ts";
import { ModelRegistry } from "../../../src/registry/model-registry.ts";
import { parseSse } from "../dialects/fixtures.ts";
import { newSession, type Session } from "../gateway.ts";
import { callFull, uniqueWorkspace, xRouterOf } from "../ledger/ledger-helpers.ts";

interface Row {
  status: string;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  cache_write_tokens: number;
  cost_pico: number | null;
  usage_estimated: number;
}

async function rowOf(id: string): Promise<Row | null> {
  return env.DB.prepare(
    "SELECT status, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, cost_pico, usage_estimated FROM requests WHERE id = ?",
  )
    .bind(id)
    .first<Row>();
}

async function post(s: Session, path: string, json: unknown, headers: Record<string, string> = {}) {
  const { res, done } = await callFull(s.env, path, { method: "POST", json, headers });
  const text = await done();
  return { status: res.status, text, row: await rowOf(res.headers.get("x-request-id") ?? "") };
}

// A cache_control breakpoint makes the emulator replay anthropic/messages-stream-prompt-cache-read.sse, whose
// message_start reports input_tokens 11 and cache_read_input_tokens 1031 (claude-sonnet-4-5: $3 in, $0.30 cache read,
// $15 out per 1M).
const cachedSystem = [{ type: "text", text: "A long guide.", cache_control: { type: "ephemeral" } }];

describe("a stream cut after Anthropic's message_start is billed for the prompt Anthropic counted", () => {
  it("Messages dialect: the row keeps Anthropic's 11 input + 1031 cache-read tokens, not the estimator's guess", async () => {
    // 6 events: message_start, content_block_start, ping and three deltas; then the connection drops.
    const s = await newSession({ faults: [{ provider: "anthropic", mode: "cut", after_chunks: 6 }] });
    const r = await post(
      s,
      "/v1/messages",
      {
        model: "anthropic/claude-sonnet-4-5",
        stream: true,
        max_tokens: 200,
        system: cachedSystem,
        messages: [{ role: "user", content: "hi" }],
      },
      { "x-router-fallback": "false" },
    );
    expect(r.status).toBe(200);
    expect(r.row?.status).toBe("error");
    // Anthropic already billed these prompt tokens (it said so in message_start): the ledger must not replace them.
    expect(r.row).toMatchObject({ input_tokens: 11, cached_input_tokens: 1031 });
    // At least the prompt part of the cost: 11 × 3,000,000 + 1031 × 300,000 pico.
    expect(r.row?.cost_pico ?? 0).toBeGreaterThanOrEqual(11 * 3_000_000 + 1031 * 300_000);
  });

  it("chat dialect: messages-stream-text.sse reported 17 input tokens in message_start; the row says 17", async () => {
    const s = await newSession({ faults: [{ provider: "anthropic", mode: "cut", after_chunks: 6 }] });
    const r = await post(s, "/v1/chat/completions", {
      model: "anthropic/claude-haiku-4-5",
      stream: true,
      messages: [{ role: "user", content: "hi" }],
      router: { fallback: false },
    });
    expect(r.status).toBe(200);
    expect(r.row?.status).toBe("error");
    expect(r.row?.input_tokens).toBe(17);
  });
});

describe("the Messages stream's usage", () => {
  it("message_start carries the input and cache counts Anthropic sent in its own message_start", async () => {
    const s = await newSession();
    const r = await post(s, "/v1/messages", {
      model: "anthropic/claude-sonnet-4-5",
      stream: true,
      max_tokens: 200,
      system: cachedSystem,
      messages: [{ role: "user", content: "hi" }],
    });
    const events = parseSse(r.text);
    const start = events.find((e) => e.event === "message_start")?.data;
    // Anthropic's message_start has input_tokens 11 and cache_read_input_tokens 1031; clients that take input tokens
    // from message_start (as Anthropic streams them) see 0 from Switchyard.
    expect(start?.message.usage).toMatchObject({ input_tokens: 11, cache_read_input_tokens: 1031 });
  });
});

describe("reasoning tokens are reported where the provider gives no breakdown", () => {
  for (const stream of [false, true]) {
    it(`Responses (${stream ? "stream" : "JSON"}): Claude's thinking is counted, at most the whole output`, async () => {
      const s = await newSession();
      const r = await post(s, "/v1/responses", {
        model: "anthropic/claude-haiku-4-5",
        stream,
        reasoning: { effort: "low" },
        input: "Two names for a pet pelican?",
      });
      expect(r.status).toBe(200);
      const response = stream
        ? parseSse(r.text).find((e) => e.event === "response.completed")?.data.response
        : JSON.parse(r.text);
      // The answer has a reasoning item (the recorded thinking, several dozen tokens of the 133 output tokens)...
      expect(response.output.some((o: { type: string }) => o.type === "reasoning")).toBe(true);
      // ...so part of the output went to reasoning: the estimator's count of its text, never more than the output.
      expect(response.usage.output_tokens_details.reasoning_tokens).toBeGreaterThan(0);
      expect(response.usage.output_tokens_details.reasoning_tokens).toBeLessThanOrEqual(response.usage.output_tokens);
    });
  }

  it("Responses: Magistral's thinking parts are counted", async () => {
    const s = await newSession();
    const r = await post(s, "/v1/responses", { model: "mistral/magistral-medium-latest", input: "hi" });
    expect(r.status).toBe(200);
    const response = JSON.parse(r.text);
    expect(response.output.some((o: { type: string }) => o.type === "reasoning")).toBe(true);
    expect(response.usage.output_tokens_details.reasoning_tokens).toBeGreaterThan(0);
  });
});

describe("a call is priced at the tier it was served at", () => {
  // gpt-6.1-sol: $2 / $10 per 1M; openai/chat-completion-text.json: 40 prompt, 13 completion tokens.
  const STANDARD = 40 * 2_000_000 + 13 * 10_000_000;
  const ref = new ModelRegistry(CONFIG.models.models).resolve("openai/gpt-6.1-sol")!;
  const candidate = { ref, score: 1, estimated_cost_usd: null, reasons: [] };
  const usage = { input_tokens: 40, output_tokens: 13, cached_input_tokens: 0, cache_write_tokens: 0 };

  it("priority asked but served at default (OpenAI's answer names the tier): billed at standard, not 2x", () => {
    expect(answerCostPico({ ...usage, service_tier: "default" }, candidate, undefined, "priority")).toBe(STANDARD);
    expect(answerCostPico({ ...usage, service_tier: "priority" }, candidate, undefined, "priority")).toBe(2 * STANDARD);
    // auto asked, served at flex: the cheaper price.
    expect(answerCostPico({ ...usage, service_tier: "flex" }, candidate, undefined, null)).toBe(STANDARD / 2);
    // No tier named in the answer: the one asked for.
    expect(answerCostPico(usage, candidate, undefined, "priority")).toBe(2 * STANDARD);
  });

  it("OpenAI's answer is read for its tier, JSON and streamed", async () => {
    const s = await newSession();
    const costAt = async (service_tier: string, stream: boolean) => {
      const r = await post(s, "/v1/chat/completions", {
        model: "openai/gpt-6.1-sol",
        service_tier,
        stream,
        messages: [{ role: "user", content: "hi" }],
        router: { fallback: false },
      });
      expect(r.status).toBe(200);
      return r.row?.cost_pico as number;
    };
    // The emulator answers at the tier asked for, naming it as OpenAI does in every chunk and answer.
    expect(await costAt("flex", false)).toBe(STANDARD / 2);
    expect(await costAt("flex", true)).toBe((await costAt("default", true)) / 2);
    expect(await costAt("priority", true)).toBe((await costAt("default", true)) * 2);
  });
});

describe("GET /v1/usage", () => {
  it("an impossible calendar date is a 400 naming the parameter, not a silently shifted window", async () => {
    const s = await newSession();
    for (const [query, param] of [
      ["from=2026-02-30", "from"],
      ["from=2026-11-01&to=2026-11-31", "to"],
    ] as const) {
      const { res, done } = await callFull(s.env, `/v1/usage?workspace_id=w&${query}`);
      const text = await done();
      expect(res.status, `${query}: ${text}`).toBe(400);
      expect((JSON.parse(text) as { error: { param: string } }).error.param).toBe(param);
    }
  });
});

describe("the Messages JSON answer's usage", () => {
  it("without the provider's usage, is the estimate the ledger bills (never 0 tokens)", async () => {
    // no_usage: the OpenAI emulator answers chat-completion-text.json with usage: null; the gateway bills an estimate.
    const s = await newSession({ faults: [{ provider: "openai", mode: "no_usage" }] });
    const r = await post(
      s,
      "/v1/messages",
      {
        model: "openai/gpt-4o-mini",
        max_tokens: 100,
        messages: [{ role: "user", content: "What is the weather in San Francisco?" }],
      },
      { "x-router-fallback": "false" },
    );
    expect(r.status).toBe(200);
    const body = JSON.parse(r.text) as {
      usage: { input_tokens: number; output_tokens: number };
      x_router: { cost_usd: number; usage_estimated?: boolean };
    };
    expect(r.row?.usage_estimated).toBe(1);
    expect(body.x_router.cost_usd).toBeGreaterThan(0);
    // The row bills 15 input / 12 output tokens (the estimate); the body says 0 / 0 (Anthropic's usage is not nullable,
    // so the honest answer is the billed estimate, as the Messages stream already sends it).
    expect(body.usage).toMatchObject({ input_tokens: r.row?.input_tokens, output_tokens: r.row?.output_tokens });
  });
});
