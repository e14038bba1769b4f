// PUT /v1/budgets/{workspace_id}: a spending limit's settings (period, alert_threshold, on_limit) go with limit_usd.
// Sent beside rate limits alone they would be dropped without a word, so they are a 400 naming the field, and
// nothing is set. A field the body schema does not know is named too.
import { describe, expect, it } from "vitest";
import type { Env } from "../../../src/env.ts";
import { newSession } from "../gateway.ts";
import { callFull, uniqueWorkspace } from "./ledger-helpers.ts";

async function send(sessionEnv: Env, method: string, ws: string, json?: unknown) {
  const { res, done } = await callFull(sessionEnv, `/v1/budgets/${ws}`, { method, json });
  const text = await done();
  return { status: res.status, json: JSON.parse(text) };
}

describe("PUT /v1/budgets settings without a spending limit", () => {
  for (const [field, value] of [
    ["on_limit", "downgrade"],
    ["period", "day"],
    ["alert_threshold", 0.5],
  ] as const) {
    it(`${field} beside rpm_limit alone is a 400 naming ${field}, and sets nothing`, async () => {
      const s = await newSession();
      const ws = uniqueWorkspace("budget-settings");
      const r = await send(s.env, "PUT", ws, { rpm_limit: 10, [field]: value });
      expect(r.status).toBe(400);
      expect(r.json.error).toMatchObject({ type: "invalid_request_error", code: "invalid_value", param: field });
      expect(r.json.error.message).toMatch(/limit_usd/);
      expect((await send(s.env, "GET", ws)).status).toBe(404);
    });
  }

  it("on_limit with limit_usd is kept, and a later rate-limit change leaves it", async () => {
    const s = await newSession();
    const ws = uniqueWorkspace("budget-settings");
    const set = await send(s.env, "PUT", ws, { limit_usd: 5, on_limit: "downgrade" });
    expect(set.status).toBe(200);
    expect(set.json).toMatchObject({ limit_usd: 5, on_limit: "downgrade" });
    const limited = await send(s.env, "PUT", ws, { rpm_limit: 7 });
    expect(limited.status).toBe(200);
    expect(limited.json).toMatchObject({ limit_usd: 5, on_limit: "downgrade" });
    expect(limited.json.rate_limits.requests).toMatchObject({ limit: 7 });
  });

  it("limit_usd alone still means on_limit reject", async () => {
    const s = await newSession();
    const ws = uniqueWorkspace("budget-settings");
    const set = await send(s.env, "PUT", ws, { limit_usd: 5 });
    expect(set.status).toBe(200);
    expect(set.json).toMatchObject({ limit_usd: 5, on_limit: "reject" });
  });

  it("an unknown field is a 400 whose param names it", async () => {
    const s = await newSession();
    const r = await send(s.env, "PUT", uniqueWorkspace("budget-settings"), { limit_usd: 5, limit: 3 });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ code: "invalid_value", param: "limit" });
  });
});

describe("a query parameter a read view does not know", () => {
  for (const path of [
    "/v1/requests?limit=5&workspace=ws",
    "/v1/usage?group_by=model&workspace=ws",
    "/v1/alerts?workspace=ws",
    "/v1/stats/timeseries?workspace=ws",
  ]) {
    it(`${path.split("?")[0]}: a 400 whose param names it`, async () => {
      const s = await newSession();
      const { res, done } = await callFull(s.env, path);
      const json = JSON.parse(await done());
      expect(res.status).toBe(400);
      expect(json.error).toMatchObject({ type: "invalid_request_error", param: "workspace" });
      expect(json.error.message).toMatch(/workspace/);
    });
  }
});
