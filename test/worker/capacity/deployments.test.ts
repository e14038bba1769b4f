// Deployments: one registry model on several hosts (here Together's API at two base URLs: two emulator sessions), spread
// by weight, a failing host skipped like a candidate, and the route report naming the host that answered.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CONFIG } from "../../../src/config/index.ts";
import { type ModelEntry, ModelEntrySchema } from "../../../src/config/schema.ts";
import type { Env } from "../../../src/env.ts";
import { SERVICES } from "../../../src/gateway/services.ts";
import { createApp } from "../../../src/http/app.ts";
import { ModelRegistry } from "../../../src/registry/model-registry.ts";
import { FAST } from "../failover/helpers.ts";
import { newSession, type Session } from "../gateway.ts";

const base = CONFIG.models.models.find((m) => m.id === "meta-llama/Llama-3.3-70B-Instruct-Turbo") as ModelEntry;
const deployed: ModelEntry = ModelEntrySchema.parse({
  ...base,
  id: "llama-deployed",
  name: "Llama 3.3 70B on two hosts",
  upstream_id: base.id,
  aliases: [],
  deployments: [
    { name: "primary", weight: 2 },
    { name: "mirror", base_url_env: "TOGETHER_MIRROR_BASE_URL", weight: 1 },
  ],
});
const registry = new ModelRegistry([...CONFIG.models.models, deployed]);
const app = createApp({ ...SERVICES, registry: () => registry });

async function call(e: Env, path: string, body?: unknown) {
  const ctx = createExecutionContext();
  const res = await app.fetch(
    new Request(`http://127.0.0.1:8787${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
    e,
    ctx,
  );
  const text = await res.text();
  await waitOnExecutionContext(ctx);
  return { status: res.status, headers: res.headers, json: () => JSON.parse(text) as Record<string, any>, text };
}

const chatBody = {
  model: "together/llama-deployed",
  messages: [{ role: "user", content: "hi" }],
  router: { fallback: false },
};

/** Session `a` is the primary host; session `b`'s Together URL is the mirror. */
async function twoHosts(bFaults: Parameters<typeof newSession>[0] = {}) {
  const b = await newSession(bFaults);
  const a = await newSession({}, { TOGETHER_MIRROR_BASE_URL: b.baseUrls.together } as Partial<Env>);
  return { a, b };
}

const chats = async (s: Session) => (await s.requests()).filter((r) => r.path.endsWith("/chat/completions"));

describe("deployments", () => {
  it("spreads requests over the hosts by weight and names the one that answered", async () => {
    const { a, b } = await twoHosts();
    const n = 60;
    const names: string[] = [];
    const drawn: string[] = [];
    for (let i = 0; i < n; i += 15) {
      const answers = await Promise.all(
        Array.from({ length: 15 }, () => call(a.env, "/v1/chat/completions", chatBody)),
      );
      for (const r of answers) {
        expect(r.status, r.text).toBe(200);
        const route = r.json().x_router;
        expect(r.headers.get("x-router-deployment")).toBe(route.deployment);
        expect(route.model).toBe(`llama-deployed@${route.deployment}`);
        names.push(route.deployment);
        drawn.push(route.attempts[0].model);
      }
    }
    const primary = (await chats(a)).length;
    const mirror = (await chats(b)).length;
    // Each request reached a host; on a loaded machine one may have moved on to the other host (a refused connection
    // or a clock), so the hosts may have seen more calls than there were requests, and the answers follow the hosts.
    expect(primary + mirror).toBeGreaterThanOrEqual(n);
    expect(names.filter((x) => x === "mirror").length).toBeLessThanOrEqual(mirror);
    expect(names.filter((x) => x === "primary").length).toBeLessThanOrEqual(primary);
    // The draw: weights 2:1, so the mirror comes first with probability 1/3 (sd 0.06 over 60); ±0.18 is three of them.
    const mirrorFirst = drawn.filter((x) => x === "llama-deployed@mirror").length / n;
    expect(drawn.every((x) => x === "llama-deployed@mirror" || x === "llama-deployed@primary")).toBe(true);
    expect(mirrorFirst).toBeGreaterThan(0.15);
    expect(mirrorFirst).toBeLessThan(0.52);
    // The mirror got the model by the id its host knows.
    expect((await chats(b))[0]?.body?.model).toBe(base.id);
  }, 30_000);

  it("a failing host is skipped like a candidate: the other answers, and once its circuit opens it goes last", async () => {
    const { a, b } = await twoHosts({ faults: [{ provider: "together", mode: "status", status: 503 }] });
    const routes: Record<string, any>[] = [];
    const triedMirror = (r: Record<string, any>) =>
      r.attempts.some((x: { model: string }) => x.model === "llama-deployed@mirror");
    // The first host is drawn 2:1, so the mirror is tried first by about a third of the requests, each trying it once
    // or on its retry too. Its circuit opens after circuit.failure_threshold consecutive failures: go on, up to 60
    // requests, until it has failed that often (after twelve requests, one mirror-first request in them is about 1 in
    // 20, and it would leave the circuit closed).
    const mirrorFailures = () =>
      routes
        .flatMap((r) => r.attempts)
        .filter((x: { model: string; status: string }) => x.model === "llama-deployed@mirror" && x.status === "failed")
        .length;
    for (let i = 0; i < 60 && (i < 12 || mirrorFailures() < CONFIG.fallback.circuit.failure_threshold); i++) {
      const r = await call(a.env, "/v1/chat/completions", chatBody);
      expect(r.status, r.text).toBe(200);
      routes.push(r.json().x_router);
    }
    expect(routes.every((r) => r.deployment === "primary")).toBe(true);
    // Some requests tried the mirror first and moved on within the same request.
    expect(routes.some(triedMirror)).toBe(true);
    // Its circuit open, the plan puts it last: the route's first candidate is the primary.
    const plan = (await call(a.env, "/v1/route", chatBody)).json();
    expect(plan.candidates.map((c: { model: string }) => c.model)).toEqual([
      "llama-deployed@primary",
      "llama-deployed@mirror",
    ]);
    expect((await chats(b)).length).toBeGreaterThan(0);
  }, 30_000);

  it("a host that cannot be reached is that host's trouble: the other host and the provider's other models serve on", async () => {
    // Nothing listens on port 9: every call to the mirror is a refused connection.
    const s = await newSession({}, { TOGETHER_MIRROR_BASE_URL: "http://127.0.0.1:9/v1" } as Partial<Env>);
    const statuses: number[] = [];
    const hosts: (string | null)[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await call(s.env, "/v1/chat/completions", { ...chatBody, router: { fallback: false, timeouts: FAST } });
      statuses.push(r.status);
      hosts.push(r.headers.get("x-router-deployment"));
    }
    expect(statuses).toEqual(Array(8).fill(200));
    expect(new Set(hosts)).toEqual(new Set(["primary"]));
    // Neither the request nor the live stats took Together down for the mirror's connection.
    const other = await call(s.env, "/v1/chat/completions", { ...chatBody, model: `together/${base.id}` });
    expect(other.status, other.text).toBe(200);
    const health = (await call(s.env, "/v1/health/providers")).json().providers as {
      provider: string;
      circuit: string;
    }[];
    expect(health.find((p) => p.provider === "together")?.circuit).toBe("closed");
  }, 30_000);

  it("a host whose base URL variable is not set is left out, with the reason", async () => {
    const s = await newSession();
    const plan = (await call(s.env, "/v1/route", chatBody)).json();
    expect(plan.candidates.map((c: { model: string }) => c.model)).toEqual(["llama-deployed@primary"]);
    expect(plan.excluded).toContainEqual(
      expect.objectContaining({
        model: "llama-deployed@mirror",
        reason: "deployment mirror: TOGETHER_MIRROR_BASE_URL is not set",
      }),
    );
    const r = await call(s.env, "/v1/chat/completions", chatBody);
    expect(r.status, r.text).toBe(200);
    expect(r.json().x_router.deployment).toBe("primary");
  });

  it("the registry refuses deployments with repeated names or a bad variable name", () => {
    const bad = (deployments: unknown) => ModelEntrySchema.safeParse({ ...base, deployments }).success;
    expect(bad([{ name: "a" }, { name: "a" }])).toBe(false);
    expect(bad([{ name: "a", base_url_env: "not-a-var" }])).toBe(false);
    expect(bad([{ name: "a", weight: 0 }])).toBe(false);
    expect(bad([{ name: "a" }, { name: "b", provider: "openai", upstream_id: "gpt-4o-mini", weight: 3 }])).toBe(true);
  });
});
