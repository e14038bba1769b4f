// GET /metrics: Prometheus text, parsed strictly; counts aggregated in the stats object for the whole deployment
// (another isolate's requests show), gauges for circuits and budgets, the admin key required outside development.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { requestIncrements } from "../../../src/observability/metrics.ts";
import { StatsCache } from "../../../src/stats/stats-cache.ts";
import { body } from "../failover/helpers.ts";
import { call, chat, newSession } from "../gateway.ts";
import { uniqueWorkspace } from "../ledger/ledger-helpers.ts";
import { parseExposition, sampleValue } from "./exposition.ts";

async function scrape(env: Parameters<typeof call>[0], headers: Record<string, string> = {}) {
  const res = await call(env, "/metrics", { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
  return parseExposition(await res.text());
}

describe("GET /metrics", () => {
  it("counts requests, attempts, fallbacks, tokens, cost and latency, in the exposition format", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "status", status: 500 }] });
    const before = await scrape(s.env);
    expect(sampleValue(before, "switchyard_requests_total", { provider: "mistral" })).toBeUndefined();

    const ok = await chat(s.env, body(["mistral/mistral-small-latest"]));
    expect(ok.status).toBe(200);
    const fellBack = await chat(s.env, body(["openai/gpt-4o-mini", "mistral/mistral-small-latest"]));
    expect(fellBack.status).toBe(200);
    const usage = ((await fellBack.json()) as { usage: { prompt_tokens: number } }).usage;

    const m = await scrape(s.env);
    const labels = { provider: "mistral", model: "mistral-small-latest", dialect: "chat", status: "ok" };
    expect(sampleValue(m, "switchyard_requests_total", { ...labels, code: "200" })).toBe(2);
    expect(
      sampleValue(m, "switchyard_attempts_total", { provider: "openai", outcome: "failed", error_kind: "server" }),
    ).toBeGreaterThanOrEqual(1);
    expect(sampleValue(m, "switchyard_attempts_total", { provider: "mistral", outcome: "ok", via: "attempt" })).toBe(2);
    expect(sampleValue(m, "switchyard_fallbacks_total", { dialect: "chat" })).toBe(1);
    expect(sampleValue(m, "switchyard_tokens_total", { provider: "mistral", type: "input" })).toBe(
      2 * usage.prompt_tokens,
    );
    expect(sampleValue(m, "switchyard_cost_usd_total", { provider: "mistral" })).toBeGreaterThan(0);
    expect(
      sampleValue(m, "switchyard_request_duration_seconds_count", {
        provider: "mistral",
        dialect: "chat",
        stream: "false",
      }),
    ).toBe(2);
    expect(sampleValue(m, "switchyard_time_to_first_token_seconds_count", { provider: "mistral" })).toBe(2);
    expect(sampleValue(m, "switchyard_cache_requests_total", { result: "bypass" })).toBe(2);
    expect(m.get("switchyard_requests_total")?.type).toBe("counter");
    expect(m.get("switchyard_request_duration_seconds")?.type).toBe("histogram");
    expect(m.get("switchyard_requests_total")?.help).toContain("Requests finished");
    // The failures opened nothing yet (one failure), so the circuit gauges say closed.
    expect(sampleValue(m, "switchyard_provider_circuit_state", { provider: "mistral", state: "closed" })).toBe(1);
  });

  it("shows every isolate's counts: the series live in the stats object, not in the isolate that is scraped", async () => {
    const s = await newSession();
    // Another isolate: its own stats cache (own batcher) writing to the same stats object.
    const other = new StatsCache(Date.now);
    const ctx = createExecutionContext();
    other.recordMetrics(s.env, ctx, [
      ...requestIncrements({
        request_id: "req_other",
        created_at: Date.now(),
        workspace_id: "default",
        execution_id: null,
        strategy: "cost_optimized",
        chain: null,
        provider: "anthropic",
        model: "claude-haiku-4-5",
        status: "ok",
        http_status: 200,
        stream: false,
        attempts: [],
        usage: { input_tokens: 10, output_tokens: 5, cached_input_tokens: 0, cache_write_tokens: 0 },
        cost_pico: 2_000_000_000,
        latency_ms: 800,
        ttft_ms: 800,
        error: null,
      }),
    ]);
    await waitOnExecutionContext(ctx);
    const m = await scrape(s.env);
    expect(sampleValue(m, "switchyard_requests_total", { provider: "anthropic", status: "ok" })).toBe(1);
    expect(sampleValue(m, "switchyard_cost_usd_total", { provider: "anthropic" })).toBeCloseTo(0.002, 12);
    expect(sampleValue(m, "switchyard_request_duration_seconds_bucket", { provider: "anthropic", le: "0.5" })).toBe(0);
    expect(sampleValue(m, "switchyard_request_duration_seconds_bucket", { provider: "anthropic", le: "1" })).toBe(1);
  });

  it("folds model names outside the registry into one label and refuses malformed increments", async () => {
    const s = await newSession();
    const other = new StatsCache(Date.now);
    const ctx = createExecutionContext();
    other.recordMetrics(s.env, ctx, [
      ["switchyard_requests_total", ["openai", "made-up-1", "chat", "ok", "200"], 1],
      ["switchyard_requests_total", ["openai", "made-up-2", "chat", "ok", "200"], 1],
      // Wrong label count, unknown name, negative value: dropped, never thrown.
      ["switchyard_requests_total", ["openai"], 1],
      ["switchyard_unknown_total" as never, [], 1],
      ["switchyard_cache_saved_usd_total", [], -1],
    ]);
    await waitOnExecutionContext(ctx);
    const m = await scrape(s.env);
    expect(sampleValue(m, "switchyard_requests_total", { provider: "openai", model: "unlisted" })).toBe(2);
    expect(m.has("switchyard_unknown_total")).toBe(false);
    expect(sampleValue(m, "switchyard_cache_saved_usd_total")).toBeUndefined();
  });

  it("counts a batch whose counters were folded per series exactly as the increments one by one", async () => {
    const s = await newSession();
    const other = new StatsCache(Date.now);
    const ctx = createExecutionContext();
    // One batch (STATS_FLUSH_MS holds it): three requests' worth of one counter series, and three observations.
    const env = { ...s.env, STATS_FLUSH_MS: "200" };
    for (const seconds of [0.2, 0.7, 3])
      other.recordMetrics(env, ctx, [
        ["switchyard_hedges_total", ["mistral"], 1],
        ["switchyard_request_duration_seconds", ["mistral", "chat", "false"], seconds],
      ]);
    await waitOnExecutionContext(ctx);
    const m = await scrape(s.env);
    expect(sampleValue(m, "switchyard_hedges_total", { provider: "mistral" })).toBe(3);
    expect(sampleValue(m, "switchyard_request_duration_seconds_count", { provider: "mistral" })).toBe(3);
    expect(sampleValue(m, "switchyard_request_duration_seconds_bucket", { provider: "mistral", le: "0.25" })).toBe(1);
    expect(sampleValue(m, "switchyard_request_duration_seconds_bucket", { provider: "mistral", le: "1" })).toBe(2);
    expect(sampleValue(m, "switchyard_request_duration_seconds_bucket", { provider: "mistral", le: "5" })).toBe(3);
  });

  it("reports budget spend and limit for budgeted workspaces", async () => {
    const s = await newSession();
    const put = await call(s.env, "/v1/budgets/metrics-ws", {
      method: "PUT",
      json: { limit_usd: 5, period: "month", alert_threshold: 0.8 },
    });
    expect(put.status).toBe(200);
    const res = await chat(s.env, body(["openai/gpt-4o-mini"], { router: { workspace_id: "metrics-ws" } }));
    expect(res.status).toBe(200);
    const m = await scrape(s.env);
    expect(sampleValue(m, "switchyard_budget_limit_usd", { workspace: "metrics-ws", period: "month" })).toBe(5);
    expect(sampleValue(m, "switchyard_budget_spent_usd", { workspace: "metrics-ws" })).toBeGreaterThan(0);
    expect(m.get("switchyard_budget_used_ratio")?.type).toBe("gauge");
  });

  it("reports a rate-limited key's own use and limit by its id, never by the key", async () => {
    // DESIGN: /metrics has "budget and limit use"; a key's rpm_limit is counted in its workspace's object.
    const admin = { authorization: "Bearer admin-secret-metrics" };
    const s = await newSession({}, { SWITCHYARD_ENV: "production", ADMIN_KEY: "admin-secret-metrics" });
    const workspace = uniqueWorkspace("metrics-key");
    const created = await call(s.env, "/v1/keys", {
      method: "POST",
      json: { workspace_id: workspace, name: "limited", rpm_limit: 3 },
      headers: admin,
    });
    expect(created.status).toBe(201);
    const { id, key } = (await created.json()) as { id: string; key: string };
    expect((await chat(s.env, body(["openai/gpt-4o-mini"]), { authorization: `Bearer ${key}` })).status).toBe(200);
    const res = await call(s.env, "/metrics", { headers: admin });
    const text = await res.text();
    const m = parseExposition(text);
    const labels = { workspace, key_id: id, dimension: "requests" };
    expect(sampleValue(m, "switchyard_key_rate_limit_used", labels)).toBe(1);
    expect(sampleValue(m, "switchyard_key_rate_limit_limit", labels)).toBe(3);
    expect(m.get("switchyard_key_rate_limit_used")?.type).toBe("gauge");
    // The workspace has no limits of its own, so no workspace-scoped series; and the key is nowhere in the text.
    expect(sampleValue(m, "switchyard_rate_limit_used", { workspace })).toBeUndefined();
    expect(text).not.toContain(key);
  });

  it("needs the admin key outside development mode", async () => {
    const s = await newSession({}, { SWITCHYARD_ENV: "production", ADMIN_KEY: "admin-secret-metrics" });
    expect((await call(s.env, "/metrics")).status).toBe(401);
    expect((await call(s.env, "/metrics", { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    const m = await scrape(s.env, { authorization: "Bearer admin-secret-metrics" });
    expect(m.get("switchyard_requests_total")?.type).toBe("counter");
  });
});

describe("the exposition parser", () => {
  it("refuses what the format forbids", () => {
    expect(() => parseExposition("a_total 1")).toThrow(/newline/);
    expect(() => parseExposition("a_total 1\n")).toThrow(/TYPE/);
    expect(() => parseExposition('# TYPE a counter\na{x="1} 1\n')).toThrow();
    expect(() => parseExposition('# TYPE a counter\na{x="\\q"} 1\n')).toThrow(/escape/);
    expect(() => parseExposition("# TYPE a counter\na 1\na 2\n")).toThrow(/duplicate/);
    expect(() => parseExposition("# TYPE a counter\na -1\n")).toThrow(/below zero/);
    expect(() => parseExposition("# TYPE a counter\n# TYPE b gauge\nb 1\na 1\n")).toThrow(/contiguous/);
    expect(() =>
      parseExposition('# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'),
    ).toThrow(/cumulative/);
    expect(() => parseExposition('# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n')).toThrow(/\+Inf/);
    const ok = parseExposition('# HELP a A \\\\ thing\n# TYPE a counter\na{x="q\\"\\n"} 1.5e3\n');
    expect(ok.get("a")?.samples[0]).toEqual({ name: "a", labels: { x: 'q"\n' }, value: 1500 });
    expect(ok.get("a")?.help).toBe("A \\ thing");
  });
});
