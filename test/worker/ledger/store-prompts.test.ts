// Prompts and completions reach D1 only when features.store_prompts is on; off (the default), the ledger holds none.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CONFIG } from "../../../src/config/index.ts";
import type { Env } from "../../../src/env.ts";
import { SERVICES } from "../../../src/gateway/services.ts";
import { createApp } from "../../../src/http/app.ts";
import { newSession } from "../gateway.ts";
import { chatDone, uniqueWorkspace } from "./ledger-helpers.ts";

const storing = createApp({
  ...SERVICES,
  config: {
    ...CONFIG,
    fallback: { ...CONFIG.fallback, features: { ...CONFIG.fallback.features, store_prompts: true } },
  },
});

async function chatStoring(sessionEnv: Env, body: Record<string, unknown>, ws: string): Promise<string> {
  const ctx = createExecutionContext();
  const res = await storing.fetch(
    new Request("http://127.0.0.1:8787/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json", "x-router-workspace": ws },
      body: JSON.stringify(body),
    }),
    sessionEnv,
    ctx,
  );
  expect(res.status).toBe(200);
  await res.text();
  await waitOnExecutionContext(ctx);
  return res.headers.get("x-request-id") ?? "";
}

const row = (id: string) =>
  env.DB.prepare("SELECT prompt, completion FROM requests WHERE id = ?")
    .bind(id)
    .first<{ prompt: string | null; completion: string | null }>();
const messages = [{ role: "user", content: "What is the weather in Paris?" }];

describe("features.store_prompts", () => {
  it("off (the shipped default): no prompt and no completion in D1", async () => {
    expect(CONFIG.fallback.features.store_prompts).toBe(false);
    const s = await newSession();
    const r = await chatDone(
      s.env,
      { model: "openai/gpt-4o-mini", messages, router: { fallback: false } },
      { "x-router-workspace": uniqueWorkspace("noprompt") },
    );
    expect(await row(r.headers.get("x-request-id") ?? "")).toEqual({ prompt: null, completion: null });
  });

  it("on: the messages and the whole answer are stored, streamed or not, tool calls included", async () => {
    const s = await newSession();
    const ws = uniqueWorkspace("prompts");
    const json = await row(
      await chatStoring(s.env, { model: "openai/gpt-4o-mini", messages, router: { fallback: false } }, ws),
    );
    expect(JSON.parse(json?.prompt ?? "null")).toEqual(messages);
    expect(JSON.parse(json?.completion ?? "null").content).toMatch(/^The current weather in San Francisco/);

    const streamed = await row(
      await chatStoring(
        s.env,
        { model: "openai/gpt-4o-mini", messages, stream: true, router: { fallback: false } },
        ws,
      ),
    );
    expect(JSON.parse(streamed?.completion ?? "null")).toEqual({ content: "10 + 5 equals 15.", tool_calls: [] });

    const tools = [{ type: "function", function: { name: "get_capital", parameters: { type: "object" } } }];
    const called = await row(
      await chatStoring(
        s.env,
        { model: "openai/gpt-4o-mini", messages, tools, stream: true, router: { fallback: false } },
        ws,
      ),
    );
    expect(JSON.parse(called?.completion ?? "null").tool_calls).toEqual([
      { id: "call_ZR5UUuTt3pf61kjwAJIYdVMj", name: "get_capital", arguments: '{"country":"UK"}' },
    ]);
  });
});
