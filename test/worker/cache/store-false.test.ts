// DESIGN, Responses state: "`store: false` keeps nothing but the ledger row" — the response cache included. A
// workspace that caches by default does not keep a store: false answer; a request that asks for the cache itself does.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CONFIG } from "../../../src/config/index.ts";
import type { Env } from "../../../src/env.ts";
import { SERVICES } from "../../../src/gateway/services.ts";
import { createApp } from "../../../src/http/app.ts";
import { newSession } from "../gateway.ts";
import { uniqueWorkspace } from "../ledger/ledger-helpers.ts";

const workspace = uniqueWorkspace("cached-by-default");
const app = createApp({
  ...SERVICES,
  config: {
    ...CONFIG,
    fallback: {
      ...CONFIG.fallback,
      response_cache: { ...CONFIG.fallback.response_cache, workspace_ttl_s: { [workspace]: 300 } },
    },
  },
});

async function respond(e: Env, body: Record<string, unknown>): Promise<string | null> {
  const ctx = createExecutionContext();
  const res = await app.fetch(
    new Request("http://127.0.0.1:8787/v1/responses", {
      method: "POST",
      headers: { "content-type": "application/json", "x-router-workspace": workspace },
      body: JSON.stringify({ model: "openai/gpt-4o-mini", router: { fallback: false }, ...body }),
    }),
    e,
    ctx,
  );
  expect(res.status).toBe(200);
  await res.text();
  await waitOnExecutionContext(ctx);
  return res.headers.get("x-router-cache");
}

describe("store: false and the response cache", () => {
  it("a workspace's default cache keeps no store: false answer; stored ones are cached as before", async () => {
    const s = await newSession();
    const input = `What is 10 + 5? (${crypto.randomUUID()})`;
    expect(await respond(s.env, { input, store: false })).toBe("bypass");
    expect(await respond(s.env, { input, store: false })).toBe("bypass");
    // The same request stored: the workspace default applies.
    expect(await respond(s.env, { input })).toBe("miss");
    expect(await respond(s.env, { input })).toBe("hit");
  });

  it("a store: false request that asks for the cache itself is cached", async () => {
    const s = await newSession();
    const input = `What is 10 + 5? (${crypto.randomUUID()})`;
    const asked = { input, store: false, router: { fallback: false, cache: { ttl_s: 60 } } };
    expect(await respond(s.env, asked)).toBe("miss");
    expect(await respond(s.env, asked)).toBe("hit");
  });
});
