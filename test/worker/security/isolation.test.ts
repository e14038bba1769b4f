// Isolation between workspaces (production mode, workspace keys): what one workspace's key can see of another's data,
// and what it cannot do to the service every workspace shares (circuits, health).
import { describe, expect, it } from "vitest";
import { call, newSession, type Session } from "../gateway.ts";
import { callFull } from "../ledger/ledger-helpers.ts";

const ADMIN = "admin-key-for-review-security-0123456789";

async function deployed(options: Parameters<typeof newSession>[0] = {}): Promise<Session> {
  return newSession(options, { SWITCHYARD_ENV: "production", ADMIN_KEY: ADMIN });
}

async function send(
  s: Session,
  path: string,
  key: string,
  init: { method?: string; json?: unknown; headers?: Record<string, string> } = {},
) {
  const { res, done } = await callFull(s.env, path, {
    method: init.method ?? (init.json === undefined ? "GET" : "POST"),
    json: init.json,
    headers: { authorization: `Bearer ${key}`, ...init.headers },
  });
  const text = await done();
  // biome-ignore lint/suspicious/noExplicitAny: each probe reads its own route's fields
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, text, json };
}

async function workspaceKey(s: Session, workspace_id: string): Promise<string> {
  const r = await send(s, "/v1/keys", ADMIN, { json: { workspace_id, name: workspace_id } });
  expect(r.status, r.text).toBe(201);
  return r.json.key as string;
}

const unique = (p: string) => `${p}-${crypto.randomUUID().slice(0, 8)}`;

describe("one workspace cannot degrade another's service through caller-set clocks", () => {
  // DESIGN, Failure semantics: "Three clocks per attempt ... Defaults in configs/llm_fallback.yml; a caller may tighten
  // them." and "Circuit breaker per provider-and-model pair: after repeated failures the circuit opens and that model is
  // skipped". A clock the caller chose to tighten says nothing about the provider: counting its expiry as the model's
  // failure lets any workspace key open the shared circuit (health and routing for every other workspace) with five
  // cheap requests carrying `x-router-timeout-headers-ms: 1`. A timeout on a clock the caller tightened is not reported
  // to the live stats.
  it("workspace A's requests timing out on A's own 50 ms clock do not open the model's circuit for workspace B", async () => {
    // A healthy provider that answers in ~300 ms: far inside the configured 15 s headers clock.
    const s = await deployed({
      faults: [{ provider: "openai", model: "gpt-4o-mini", mode: "slow_headers", delay_ms: 300 }],
    });
    const a = await workspaceKey(s, unique("attacker"));
    const b = await workspaceKey(s, unique("victim"));
    const body = {
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "hi" }],
      router: { fallback: false },
    };
    for (let i = 0; i < 6; i++) {
      const r = await send(s, "/v1/chat/completions", a, {
        json: body,
        headers: { "x-router-timeout-headers-ms": "50" },
      });
      expect(r.status).toBeGreaterThanOrEqual(500); // A's own clock ran out: A's problem
    }
    // The isolate re-reads live stats (as it does in the background every few seconds).
    await call(s.env, "/v1/health/providers", { headers: { authorization: `Bearer ${ADMIN}` } });
    const victim = await send(s, "/v1/chat/completions", b, { json: body });
    expect(victim.status, victim.text.slice(0, 400)).toBe(200);
    const health = await send(s, "/v1/health/providers", b);
    const openai = health.json.providers.find((p: { provider: string }) => p.provider === "openai");
    expect(openai.status).toBe("healthy");
  });
});

describe("one workspace cannot take a whole provider down by naming models that do not exist", () => {
  // DESIGN, Failure semantics: "A provider-wide circuit opens only on failures that are not about one model (connection
  // refused, auth, most of its models failing), so one broken model never takes its healthy siblings down." and, Choosing
  // the model: "A model id the registry does not list may still be sent to a named provider". A 404 for a model id the
  // caller made up opens that id's own circuit, but ids the provider does not serve never count toward its provider-wide
  // circuit: otherwise three made-up names, five calls each, would open OpenAI's for every workspace.
  it("404s on three invented model ids from workspace A leave openai/gpt-4o-mini serving workspace B", async () => {
    const fakes = ["made-up-1", "made-up-2", "made-up-3"];
    const s = await deployed({
      faults: fakes.map((model) => ({ provider: "openai" as const, model, mode: "status" as const, status: 404 })),
    });
    const a = await workspaceKey(s, unique("namer"));
    const b = await workspaceKey(s, unique("bystander"));
    const real = {
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "hi" }],
      router: { fallback: false },
    };
    expect((await send(s, "/v1/chat/completions", b, { json: real })).status).toBe(200);
    for (const fake of fakes)
      for (let i = 0; i < 5; i++) {
        const r = await send(s, "/v1/chat/completions", a, { json: { ...real, model: `openai/${fake}` } });
        expect(r.status).toBeGreaterThanOrEqual(400);
      }
    await call(s.env, "/v1/health/providers", { headers: { authorization: `Bearer ${ADMIN}` } });
    const victim = await send(s, "/v1/chat/completions", b, { json: real });
    expect(victim.status, victim.text.slice(0, 400)).toBe(200);
  });
});

describe("stored Responses stay in their workspace (input_items, item_reference)", () => {
  it("another workspace's key gets 404 for input_items and for an item_reference to its output", async () => {
    const s = await deployed();
    const a = await workspaceKey(s, unique("resp-a"));
    const b = await workspaceKey(s, unique("resp-b"));
    const made = await send(s, "/v1/responses", a, { json: { model: "openai/gpt-4o-mini", input: "secret plan" } });
    expect(made.status, made.text).toBe(200);
    expect((await send(s, `/v1/responses/${made.json.id}/input_items`, a)).status).toBe(200);
    expect((await send(s, `/v1/responses/${made.json.id}/input_items`, b)).status).toBe(404);
    const itemId = made.json.output.find((i: { type: string }) => i.type === "message").id as string;
    const ref = await send(s, "/v1/responses", b, {
      json: { model: "openai/gpt-4o-mini", input: [{ type: "item_reference", id: itemId }] },
    });
    expect(ref.status, ref.text).toBe(404);
  });
});

describe("the response cache is per workspace with keys too", () => {
  it("workspace B naming A in x-router-workspace does not get A's cached answer", async () => {
    const s = await deployed();
    const wsA = unique("cache-a");
    const a = await workspaceKey(s, wsA);
    const b = await workspaceKey(s, unique("cache-b"));
    const body = {
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: `cached ${crypto.randomUUID()}` }],
      router: { fallback: false, cache: { ttl_s: 60 } },
    };
    expect((await send(s, "/v1/chat/completions", a, { json: body })).headers.get("x-router-cache")).toBe("miss");
    expect((await send(s, "/v1/chat/completions", a, { json: body })).headers.get("x-router-cache")).toBe("hit");
    const other = await send(s, "/v1/chat/completions", b, { json: body, headers: { "x-router-workspace": wsA } });
    expect(other.headers.get("x-router-cache")).toBe("miss");
  });
});

describe("a workspace key on admin and cross-workspace routes", () => {
  it("is refused on /metrics, DELETE budgets, other workspaces' alerts; nothing of the client reaches upstream", async () => {
    const s = await deployed();
    const ws = unique("scope");
    const key = await workspaceKey(s, ws);
    expect((await send(s, "/metrics", key)).status).toBe(403);
    expect((await send(s, `/v1/budgets/${ws}`, key, { method: "DELETE" })).status).toBe(403);
    expect((await send(s, "/v1/alerts?workspace_id=other", key)).status).toBe(403);
    expect((await send(s, "/v1/alerts", key)).json.workspace_id).toBe(ws);
    const chat = await send(s, "/v1/chat/completions", key, {
      json: { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }], router: { fallback: false } },
      headers: {
        cookie: "session=abc",
        "x-api-key": key,
        "x-router-workspace": "other",
        traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
      },
    });
    expect(chat.status, chat.text).toBe(200);
    const [upstream] = await s.requests();
    const sent = JSON.stringify(upstream?.headers ?? {}).toLowerCase();
    expect(upstream?.headers.authorization).toBe("Bearer sk-test-openai");
    for (const leaked of [key.toLowerCase(), "session=abc", "x-router", "x-api-key", "traceparent"])
      expect(sent).not.toContain(leaked);
  });
});
