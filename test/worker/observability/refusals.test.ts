// Requests the gateway refuses itself (a rate limit's 429, a budget's 402) are requests too: DESIGN's "every request
// is exported as OTLP … a span per request" and /metrics' "requests by provider, model and status" count them, while
// the ledger, which bills answers, never sees them.
import { describe, expect, it } from "vitest";
import type { Env } from "../../../src/env.ts";
import { call, chat, newSession } from "../gateway.ts";
import { uniqueWorkspace } from "../ledger/ledger-helpers.ts";
import { parseExposition, sampleValue } from "./exposition.ts";
import { newReceiver, type ReceivedSpan, type Receiver, spansArrived } from "./receiver.ts";

const ADMIN = "admin-key-for-refusals-0123456789";
const admin = { authorization: `Bearer ${ADMIN}` };

async function deployedAndTraced(receiver: Receiver): Promise<Env> {
  const s = await newSession(
    {},
    {
      SWITCHYARD_ENV: "production",
      ADMIN_KEY: ADMIN,
      OTEL_EXPORTER_OTLP_ENDPOINT: `${receiver.url}/`,
      OTEL_BSP_SCHEDULE_DELAY: "0",
      OTEL_EXPORTER_OTLP_TIMEOUT: "400",
    },
  );
  return s.env;
}

const ask = (workspace?: string) => ({
  model: "openai/gpt-4o-mini",
  messages: [{ role: "user", content: "What is 10 + 5?" }],
  max_tokens: 50,
  router: { fallback: false, ...(workspace === undefined ? {} : { workspace_id: workspace }) },
});

/** A key allowed one request a minute; its first request answers, its second is refused with a 429. */
async function answeredThenRateLimited(env: Env): Promise<string> {
  const workspace = uniqueWorkspace("refused-rpm");
  const created = await call(env, "/v1/keys", {
    method: "POST",
    json: { workspace_id: workspace, name: "one a minute", rpm_limit: 1 },
    headers: admin,
  });
  expect(created.status).toBe(201);
  const { key } = (await created.json()) as { key: string };
  expect((await chat(env, ask(), { authorization: `Bearer ${key}` })).status).toBe(200);
  expect((await chat(env, ask(), { authorization: `Bearer ${key}` })).status).toBe(429);
  return workspace;
}

describe("requests the gateway refuses", () => {
  it("exports a server span for a request its key's rpm_limit refuses (429), with no attempt span under it", async () => {
    const receiver = await newReceiver();
    const env = await deployedAndTraced(receiver);
    const workspace = await answeredThenRateLimited(env);
    // The answered request's two spans (server, attempt), then the refused one's server span alone.
    const spans = await spansArrived(receiver, 3);
    expect(spans).toHaveLength(3);
    const refused = spans.find((s) => s.attributes["http.response.status_code"] === 429) as ReceivedSpan;
    expect(refused.kind).toBe(2);
    expect(refused.status.code).toBe(2);
    expect(refused.status.message).toContain("Rate limit reached");
    expect(refused.attributes).toMatchObject({
      "gen_ai.request.model": "openai/gpt-4o-mini",
      "switchyard.workspace_id": workspace,
      "switchyard.status": "error",
      "switchyard.attempts": 0,
    });
    expect(refused.attributes["gen_ai.provider.name"]).toBeUndefined();
    expect(spans.filter((s) => s.parentSpanId === refused.spanId)).toEqual([]);
  });

  it("counts a rate limit's 429 and a budget's 402 in switchyard_requests_total, and bills neither", async () => {
    const receiver = await newReceiver();
    const env = await deployedAndTraced(receiver);
    await answeredThenRateLimited(env);
    const budgeted = uniqueWorkspace("refused-budget");
    // A millionth of a dollar: less than any gpt-4o-mini answer's worst case, so the budget refuses at once.
    const put = await call(env, `/v1/budgets/${budgeted}`, {
      method: "PUT",
      json: { limit_usd: 0.000001, period: "month", on_limit: "reject" },
      headers: admin,
    });
    expect(put.status).toBe(200);
    const refused = await chat(env, ask(budgeted), admin);
    expect(refused.status).toBe(402);

    const scraped = await call(env, "/metrics", { headers: admin });
    const m = parseExposition(await scraped.text());
    const nothingAnswered = { provider: "none", model: "none", dialect: "chat", status: "error" };
    expect(sampleValue(m, "switchyard_requests_total", { ...nothingAnswered, code: "429" })).toBe(1);
    expect(sampleValue(m, "switchyard_requests_total", { ...nothingAnswered, code: "402" })).toBe(1);
    expect(sampleValue(m, "switchyard_requests_total", { provider: "openai", code: "200" })).toBe(1);
    // The ledger bills answers only: the refused request is not in the workspace's usage.
    const usage = (await (await call(env, `/v1/usage?workspace_id=${budgeted}`, { headers: admin })).json()) as {
      totals: { requests: number };
    };
    expect(usage.totals.requests).toBe(0);
  });

  it("counts the 429 of a request the cache could have answered, as any other refusal", async () => {
    const receiver = await newReceiver();
    const env = await deployedAndTraced(receiver);
    const workspace = uniqueWorkspace("refused-hit");
    const created = await call(env, "/v1/keys", {
      method: "POST",
      json: { workspace_id: workspace, name: "one a minute", rpm_limit: 1 },
      headers: admin,
    });
    const { key } = (await created.json()) as { key: string };
    const cached = { authorization: `Bearer ${key}`, "x-router-cache-ttl": "60" };
    const first = await chat(env, ask(), cached);
    expect(first.headers.get("x-router-cache")).toBe("miss");
    // The same request again: the cache has its answer, and the key's limit refuses it all the same.
    const second = await chat(env, ask(), cached);
    expect(second.status).toBe(429);
    const m = parseExposition(await (await call(env, "/metrics", { headers: admin })).text());
    expect(
      sampleValue(m, "switchyard_requests_total", {
        provider: "none",
        model: "none",
        dialect: "chat",
        status: "error",
        code: "429",
      }),
    ).toBe(1);
  });
});
