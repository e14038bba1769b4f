// The contract held: LLM_* environment values as an operator may write them in wrangler.toml ([vars] accepts TOML booleans).
import { describe, expect, it } from "vitest";
import type { Env } from "../../../src/env.ts";
import { call, newSession } from "../gateway.ts";

const BODY = { model: "auto", messages: [{ role: "user", content: "hi" }] };

describe("LLM_* environment", () => {
  it("LLM_ENABLE_FALLBACK = false as a TOML boolean is read (not an unnamed 500)", async () => {
    const s = await newSession({}, { LLM_ENABLE_FALLBACK: false as unknown as string } as Partial<Env>);
    const r = await call(s.env, "/v1/route", { method: "POST", json: BODY });
    const text = await r.text();
    expect(r.status, text).toBe(200);
    expect(JSON.parse(text).fallback).toBe(false);
  });
  it("values are read in any case (True, COST_OPTIMIZED, OpenAI), as an operator may write them", async () => {
    const s = await newSession({}, {
      LLM_ENABLE_FALLBACK: "False",
      LLM_ROUTING_STRATEGY: "COST_OPTIMIZED",
      LLM_DEFAULT_PROVIDER: "OpenAI",
    } as Partial<Env>);
    const r = await call(s.env, "/v1/route", { method: "POST", json: BODY });
    const text = await r.text();
    expect(r.status, text).toBe(200);
    expect(JSON.parse(text)).toMatchObject({ fallback: false, strategy: "cost_optimized" });
  });
  it("an invalid LLM_ROUTING_STRATEGY names the variable (gateway_misconfigured)", async () => {
    const s = await newSession({}, { LLM_ROUTING_STRATEGY: "fastest" });
    const r = await call(s.env, "/v1/route", { method: "POST", json: BODY });
    const body = (await r.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("gateway_misconfigured");
    expect(body.error.message).toContain("LLM_ROUTING_STRATEGY");
  });
});
