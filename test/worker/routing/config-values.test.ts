// Configuration values an operator can get wrong: a base URL that is no http(s) URL leaves its provider unconfigured
// (excluded with the variable named, never tried and failed on every request); a blank one means the provider's own
// host (the default it is given), as a blank value means unset everywhere else; a webhook URL that is no URL is no webhook configured.
import { describe, expect, it } from "vitest";
import type { Env } from "../../../src/env.ts";
import { baseUrlOf } from "../../../src/providers/spec.ts";
import { specOf } from "../../../src/providers/specs.ts";
import { call, chat, newSession } from "../gateway.ts";

const M = [{ role: "user", content: "hi" }];
const ADMIN = "admin-key-config-values-0123456789";

describe("configuration values", () => {
  it("an OLLAMA_BASE_URL that is not a URL leaves Ollama unconfigured and never tried", async () => {
    const s = await newSession({}, { OLLAMA_BASE_URL: "localhost:11434" } as Partial<Env>);
    const r = await call(s.env, "/v1/route", {
      method: "POST",
      json: { model: "ollama/llama3.2", messages: M },
    });
    const plan = (await r.json()) as { candidates: { provider: string }[] };
    expect(plan.candidates.map((c) => c.provider)).not.toContain("ollama");
  });

  it("a malformed BUDGET_ALERT_WEBHOOK_URL is not reported as a configured webhook", async () => {
    const s = await newSession({}, {
      BUDGET_ALERT_WEBHOOK_URL: "hooks.example.com/switchyard",
      ADMIN_KEY: ADMIN,
    } as Partial<Env>);
    const r = await call(s.env, "/v1/alerts", { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(r.status).toBe(200);
    const body = (await r.json()) as { webhook_configured: boolean };
    expect(body.webhook_configured).toBe(false);
  });

  it("an empty OPENAI_BASE_URL falls back to the provider's own host", () => {
    const own = "https://provider-default.invalid/v1";
    expect(baseUrlOf(specOf("openai"), { OPENAI_BASE_URL: "" }, own)).toBe(own);
    expect(baseUrlOf(specOf("openai"), { OPENAI_BASE_URL: "  " }, own)).toBe(own);
    expect(baseUrlOf(specOf("openai"), { OPENAI_BASE_URL: "http://127.0.0.1:9/v1" }, own)).toBe(
      "http://127.0.0.1:9/v1",
    );
  });

  it("a base URL without its scheme leaves the provider unconfigured, said, and never called", async () => {
    const s = await newSession({}, { OPENAI_BASE_URL: "gateway-upstream.invalid/v1" } as Partial<Env>);
    const r = await chat(s.env, { model: "openai/gpt-4o-mini", messages: M, router: { fallback: false } });
    const text = await r.text();
    expect(r.status, text).toBe(503);
    expect(text).toContain("provider openai is not configured (OPENAI_BASE_URL is not an http(s) URL)");
    expect((await s.requests()).length).toBe(0);
  });
});
