// Exact cost per provider, streamed and not: tokens × configs/models.yml prices, in the answer, in D1 and in /v1/usage.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newSession } from "../gateway.ts";
import { callFull, chatDone, uniqueWorkspace, xRouterOf } from "./ledger-helpers.ts";

/**
 * Worked by hand from configs/models.yml prices (USD per 1M tokens → pico-dollars per token: × 1e6) and the usage
 * the emulator's recorded fixtures report (test/fixtures/<provider>/…).
 */
const CASES = [
  // gpt-4o-mini: input $0.15, output $0.60. chat-completion-text.json: 40 prompt, 13 completion.
  { model: "openai/gpt-4o-mini", stream: false, input: 40, output: 13, pico: 40 * 150_000 + 13 * 600_000 },
  // chat-completion-stream-text-include-usage.sse: 23 prompt, 8 completion.
  { model: "openai/gpt-4o-mini", stream: true, input: 23, output: 8, pico: 23 * 150_000 + 8 * 600_000 },
  // claude-haiku-4-5: input $1, output $5. messages-text.json: 22 in, 15 out.
  { model: "anthropic/claude-haiku-4-5", stream: false, input: 22, output: 15, pico: 22 * 1_000_000 + 15 * 5_000_000 },
  // messages-stream-text.sse: 17 in (message_start), 171 out (message_delta carries the final count).
  { model: "anthropic/claude-haiku-4-5", stream: true, input: 17, output: 171, pico: 17 * 1_000_000 + 171 * 5_000_000 },
  // mistral-large-latest: input $0.50, output $1.50. chat-completion.json and .sse: 9 prompt, 100 completion.
  { model: "mistral/mistral-large-latest", stream: false, input: 9, output: 100, pico: 9 * 500_000 + 100 * 1_500_000 },
  { model: "mistral/mistral-large-latest", stream: true, input: 9, output: 100, pico: 9 * 500_000 + 100 * 1_500_000 },
  // Llama-3.3-70B-Instruct-Turbo: $1.04 in and out (Together's catalog, 2026-10-07). chat-completion.json: 18 + 35;
  // stream: 45 + 3.
  {
    model: "together/meta-llama/Llama-3.3-70B-Instruct-Turbo",
    stream: false,
    input: 18,
    output: 35,
    pico: (18 + 35) * 1_040_000,
  },
  {
    model: "together/meta-llama/Llama-3.3-70B-Instruct-Turbo",
    stream: true,
    input: 45,
    output: 3,
    pico: (45 + 3) * 1_040_000,
  },
  // Ollama is local and free: the tokens are counted, the cost is exactly 0 (not unknown).
  { model: "ollama/llama3.2", stream: false, input: 19, output: 104, pico: 0 },
  { model: "ollama/llama3.2", stream: true, input: 17, output: 50, pico: 0 },
] as const;

interface RequestRow {
  cost_pico: number | null;
  input_tokens: number;
  output_tokens: number;
  unpriced: number;
  provider: string;
  workspace_id: string;
}

async function rowOf(id: string): Promise<RequestRow | null> {
  return env.DB.prepare(
    "SELECT cost_pico, input_tokens, output_tokens, unpriced, provider, workspace_id FROM requests WHERE id = ?",
  )
    .bind(id)
    .first<RequestRow>();
}

describe("cost of a call", () => {
  for (const c of CASES) {
    it(`${c.model} ${c.stream ? "streamed" : "JSON"}: tokens × price, in the answer and in D1`, async () => {
      const s = await newSession();
      const ws = uniqueWorkspace("cost");
      const r = await chatDone(
        s.env,
        {
          model: c.model,
          messages: [{ role: "user", content: "What is the weather in San Francisco?" }],
          stream: c.stream,
          router: { fallback: false },
        },
        { "x-router-workspace": ws },
      );
      const requestId = r.headers.get("x-request-id") ?? "";
      expect(r.status, r.text).toBe(200);
      const x = xRouterOf(r.text, c.stream);
      expect(x.cost_usd).not.toBeNull();
      expect(Math.round((x.cost_usd as number) * 1e12)).toBe(c.pico);
      const row = await rowOf(requestId);
      expect(row).toMatchObject({
        cost_pico: c.pico,
        input_tokens: c.input,
        output_tokens: c.output,
        unpriced: 0,
        workspace_id: ws,
      });
    });
  }

  it("costs cached input at its own price (gpt-4o-mini: $0.075 cached, $0.15 fresh)", async () => {
    const { costPico } = await import("../../../src/ledger/cost.ts");
    const { ModelRegistry } = await import("../../../src/registry/model-registry.ts");
    const { CONFIG } = await import("../../../src/config/index.ts");
    const entry = new ModelRegistry(CONFIG.models.models).find("openai", "gpt-4o-mini") ?? null;
    // 1,000 fresh + 3,000 cached input, 500 output.
    expect(
      costPico({ input_tokens: 1000, cached_input_tokens: 3000, cache_write_tokens: 0, output_tokens: 500 }, entry),
    ).toBe(1000 * 150_000 + 3000 * 75_000 + 500 * 600_000);
    const haiku = new ModelRegistry(CONFIG.models.models).find("anthropic", "claude-haiku-4-5") ?? null;
    // Anthropic: cache reads $0.10, cache writes $1.25.
    expect(
      costPico({ input_tokens: 10, cached_input_tokens: 100, cache_write_tokens: 1000, output_tokens: 1 }, haiku),
    ).toBe(10 * 1_000_000 + 100 * 100_000 + 1000 * 1_250_000 + 5_000_000);
  });

  it("an unlisted model is priced as unknown: null in the answer and in D1, flagged, never invented", async () => {
    const s = await newSession();
    const ws = uniqueWorkspace("unpriced");
    const r = await chatDone(
      s.env,
      { model: "openai/some-new-model", messages: [{ role: "user", content: "hi" }], router: { fallback: false } },
      { "x-router-workspace": ws },
    );
    const requestId = r.headers.get("x-request-id") ?? "";
    expect(r.status, r.text).toBe(200);
    expect(xRouterOf(r.text, false).cost_usd).toBeNull();
    expect(await rowOf(requestId)).toMatchObject({ cost_pico: null, unpriced: 1, input_tokens: 40 });
    const usage = (await (await callFull(s.env, `/v1/usage?workspace_id=${ws}`)).res.json()) as {
      totals: { unpriced_requests: number; cost_pico: number; requests: number };
    };
    expect(usage.totals).toMatchObject({ requests: 1, unpriced_requests: 1, cost_pico: 0 });
  });

  it("streams ask the provider for usage even when the client did not, and pass it on only when asked", async () => {
    const s = await newSession();
    const ws = uniqueWorkspace("stream-usage");
    const body = {
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
      router: { fallback: false },
    };
    const without = await chatDone(s.env, body, { "x-router-workspace": ws });
    const withUsage = await chatDone(
      s.env,
      { ...body, stream_options: { include_usage: true } },
      { "x-router-workspace": ws },
    );
    const upstream = (await s.requests()).filter((r) => r.path.endsWith("/chat/completions"));
    expect(upstream).toHaveLength(2);
    for (const r of upstream) expect(r.body?.stream_options).toEqual({ include_usage: true });
    const usageChunks = (text: string) =>
      text
        .split("\n\n")
        .filter((b) => b.startsWith("data: {") && (JSON.parse(b.slice(6)) as { usage?: unknown }).usage != null);
    expect(usageChunks(without.text)).toHaveLength(0);
    expect(usageChunks(withUsage.text)).toHaveLength(1);
    // Both are costed from the provider's final usage all the same.
    expect((await rowOf(without.headers.get("x-request-id") ?? ""))?.cost_pico).toBe(23 * 150_000 + 8 * 600_000);
    expect((await rowOf(withUsage.headers.get("x-request-id") ?? ""))?.cost_pico).toBe(23 * 150_000 + 8 * 600_000);
  });
});

describe("the ledger adds up", () => {
  it("a workspace's /v1/usage equals, to the micro-dollar, the sum of the costs its answers reported", async () => {
    const s = await newSession();
    const ws = uniqueWorkspace("sum");
    let reportedUsd = 0;
    let pico = 0;
    for (const c of CASES) {
      const r = await chatDone(
        s.env,
        {
          model: c.model,
          messages: [{ role: "user", content: "hello" }],
          stream: c.stream,
          router: { fallback: false, execution_id: c.stream ? "run-s" : "run-j" },
        },
        { "x-router-workspace": ws },
      );
      expect(r.status, r.text).toBe(200);
      reportedUsd += xRouterOf(r.text, c.stream).cost_usd ?? 0;
      pico += c.pico;
    }
    // A failed request is logged but costs nothing; its attempts are in D1.
    await s.setFaults([{ provider: "mistral", mode: "status", status: 500 }]);
    const failed = await chatDone(
      s.env,
      {
        model: "mistral/mistral-large-latest",
        messages: [{ role: "user", content: "x" }],
        router: { fallback: false },
      },
      { "x-router-workspace": ws },
    );
    expect(failed.status).toBe(502);
    const attempts = await env.DB.prepare("SELECT status FROM attempts WHERE request_id = ?")
      .bind(failed.headers.get("x-request-id"))
      .all<{ status: string }>();
    expect(attempts.results.map((a) => a.status)).toEqual(["failed", "failed"]);

    for (const groupBy of ["provider", "model", "day", "execution_id"]) {
      const { res } = await callFull(s.env, `/v1/usage?workspace_id=${ws}&group_by=${groupBy}`);
      expect(res.status).toBe(200);
      const usage = (await res.json()) as {
        workspace_id: string;
        totals: { requests: number; errors: number; cost_usd: number; cost_pico: number };
        groups: { key: string | null; cost_pico: number; requests: number }[];
      };
      expect(usage.workspace_id).toBe(ws);
      expect(usage.totals).toMatchObject({ requests: CASES.length + 1, errors: 1, cost_pico: pico });
      expect(Math.round(usage.totals.cost_usd * 1e6)).toBe(Math.round(reportedUsd * 1e6));
      expect(usage.groups.reduce((a, g) => a + g.cost_pico, 0)).toBe(pico);
      expect(usage.groups.reduce((a, g) => a + g.requests, 0)).toBe(CASES.length + 1);
      if (groupBy === "provider") {
        expect(usage.groups.find((g) => g.key === "openai")?.cost_pico).toBe(
          CASES.filter((c) => c.model.startsWith("openai/")).reduce((a, c) => a + c.pico, 0),
        );
        expect(usage.groups.find((g) => g.key === null)?.requests).toBe(1);
      }
      if (groupBy === "execution_id") expect(usage.groups.map((g) => g.key)).toEqual([null, "run-j", "run-s"]);
    }
  });

  it("validates the query and names the bad parameter", async () => {
    const s = await newSession();
    for (const [query, param] of [
      ["group_by=week", "group_by"],
      ["from=yesterday", "from"],
      ["to=2026-13-45T99", "to"],
      // Past what a Date holds: a 400 naming it, never a 500.
      ["to=9999999999999999", "to"],
      ["from=2026-11-02&to=2026-11-01", "from"],
    ] as const) {
      const { res } = await callFull(s.env, `/v1/usage?workspace_id=w&${query}`);
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as { error: { param: string } }).error.param).toBe(param);
    }
  });
});
