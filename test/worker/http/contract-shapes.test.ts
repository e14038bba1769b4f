// The contract held: response shapes DESIGN.md says a client can rely on, and ids / limits on errors.
import { describe, expect, it } from "vitest";
import { call, chat, newSession, sseData } from "../gateway.ts";
import { ADMIN, CHAT, expectError, LOCAL, send } from "../security/security-helpers.ts";

// biome-ignore lint/suspicious/noExplicitAny: loose reads
type J = any;

describe("GET /v1/health/providers", () => {
  it("latency_ms and ttft_ms are {p50, p95} objects for every provider (fresh gateway)", async () => {
    const s = await newSession();
    const r = await call(s.env, "/v1/health/providers");
    const body = (await r.json()) as J;
    expect(r.status).toBe(200);
    for (const p of body.providers) {
      for (const k of [
        "provider",
        "configured",
        "status",
        "circuit",
        "success_rate",
        "latency_ms",
        "ttft_ms",
        "last_error",
        "last_probe_at",
      ])
        expect(p, `${p.provider}.${k}`).toHaveProperty(k);
      expect(["healthy", "degraded", "down", "unconfigured"]).toContain(p.status);
      // DESIGN: "latency_ms": {"p50", "p95"}, "ttft_ms": {"p50", "p95"}
      expect(p.latency_ms, `${p.provider}.latency_ms`).toHaveProperty("p50");
      expect(p.ttft_ms, `${p.provider}.ttft_ms`).toHaveProperty("p50");
    }
  });

  it("a provider without its key is unconfigured", async () => {
    const s = await newSession({}, { MISTRAL_API_KEY: undefined as unknown as string });
    const body = (await (await call(s.env, "/v1/health/providers")).json()) as J;
    const m = body.providers.find((p: J) => p.provider === "mistral");
    expect(m).toMatchObject({ configured: false, status: "unconfigured" });
    const route = (await (
      await call(s.env, "/v1/route", {
        method: "POST",
        json: { model: "mistral/mistral-large-latest", messages: CHAT.messages },
      })
    ).json()) as J;
    expect(route.candidates.every((c: J) => c.provider !== "mistral")).toBe(true);
  });
});

describe("GET /v1/models", () => {
  it("each item has the documented fields", async () => {
    const s = await newSession();
    const body = (await (await call(s.env, "/v1/models")).json()) as J;
    expect(body.object).toBe("list");
    for (const m of body.data) {
      for (const k of ["id", "object", "provider", "pricing", "context_window", "capabilities", "quality", "available"])
        expect(m, `${m.id}.${k}`).toHaveProperty(k);
      for (const k of ["input", "output", "cached_input"]) expect(m.pricing).toHaveProperty(k);
    }
    // models.retrieve("openai/gpt-4o-mini") as the openai client sends it
    const one = await call(s.env, "/v1/models/openai/gpt-4o-mini");
    expect(one.status).toBe(200);
  });
});

describe("limits and ids", () => {
  it("x-request-id on a 401 and a 404", async () => {
    const s = await newSession({}, { SWITCHYARD_ENV: "production", ADMIN_KEY: ADMIN });
    const a = await send(s.env, "GET", `${LOCAL}/v1/models`);
    expect(a.status).toBe(401);
    expect(a.headers.get("x-request-id")).not.toBeNull();
    const b = await send(s.env, "GET", `${LOCAL}/nope`);
    expect(b.status).toBe(404);
    expect(b.headers.get("x-request-id")).not.toBeNull();
  });

  it("a budget refusal is 402 budget_exceeded; a key's rate limit is 429 with Retry-After", async () => {
    const s = await newSession({}, { SWITCHYARD_ENV: "production", ADMIN_KEY: ADMIN });
    const admin = { authorization: `Bearer ${ADMIN}` };
    const ws = `ws-${Math.random().toString(36).slice(2)}`;
    const put = await send(s.env, "PUT", `${LOCAL}/v1/budgets/${ws}`, {
      headers: admin,
      json: { limit_usd: 0, period: "day", on_limit: "reject" },
    });
    expect(put.status, put.text).toBe(200);
    const k = await send(s.env, "POST", `${LOCAL}/v1/keys`, { headers: admin, json: { workspace_id: ws, name: "b" } });
    const refused = await send(s.env, "POST", `${LOCAL}/v1/chat/completions`, {
      headers: { authorization: `Bearer ${k.json.key}` },
      json: CHAT,
    });
    expectError(refused, 402, "budget_exceeded");

    const k2 = await send(s.env, "POST", `${LOCAL}/v1/keys`, {
      headers: admin,
      json: { workspace_id: `${ws}-rl`, name: "r", rpm_limit: 1 },
    });
    const h = { authorization: `Bearer ${k2.json.key}` };
    expect((await send(s.env, "POST", `${LOCAL}/v1/chat/completions`, { headers: h, json: CHAT })).status).toBe(200);
    const limited = await send(s.env, "POST", `${LOCAL}/v1/chat/completions`, { headers: h, json: CHAT });
    expect(limited.status, limited.text).toBe(429);
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
  });
});

describe("chat completions wire", () => {
  it("stream: route headers, [DONE] last, usage chunk only when include_usage, x_router on the final chunk", async () => {
    const s = await newSession();
    const plain = await chat(s.env, { ...CHAT, stream: true });
    expect(plain.headers.get("x-router-provider")).toBe("openai");
    for (const h of ["x-request-id", "x-router-model", "x-router-strategy", "x-router-attempts"])
      expect(plain.headers.get(h)).not.toBeNull();
    const a = await sseData(plain);
    expect(a.at(-1)).toBe("[DONE]");
    expect(a.some((c) => c !== "[DONE]" && (c as J).usage)).toBe(false);
    expect((a.at(-2) as J).x_router).toBeTruthy();

    const withUsage = await sseData(
      await chat(s.env, { ...CHAT, stream: true, stream_options: { include_usage: true } }),
    );
    expect(withUsage.at(-1)).toBe("[DONE]");
    const last = withUsage.at(-2) as J;
    expect(last.choices).toEqual([]);
    expect(last.usage.prompt_tokens).toBeGreaterThan(0);
    expect(last.x_router).toBeTruthy();
  });
});
