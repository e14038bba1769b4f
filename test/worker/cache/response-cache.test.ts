// The exact-match response cache: opt-in per request (router.cache, x-router-cache-ttl), a hit answers without a
// provider at $0 in any dialect (JSON or a replayed stream), logged as a cache hit; bypass for no-store and requests
// that did not opt in; nothing shared across workspaces; errors and cut streams never stored.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { cacheTtl } from "../../../src/gateway/cache-step.ts";
import { FAST } from "../failover/helpers.ts";
import { call, newSession, type Session, sseData } from "../gateway.ts";
import { callFull, chatDone, uniqueWorkspace, xRouterOf } from "../ledger/ledger-helpers.ts";
import { parseExposition, sampleValue } from "../observability/exposition.ts";

const MODEL = "openai/gpt-4o-mini";

/** A prompt of its own per test: the cache outlives a test (it is the isolate's Cache API). */
function prompt(label: string): string {
  return `${label} ${crypto.randomUUID()}: What is 10 + 5?`;
}

function ask(text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { router, ...rest } = extra;
  return {
    model: MODEL,
    messages: [{ role: "user", content: text }],
    router: { timeouts: FAST, ...(router as object | undefined) },
    ...rest,
  };
}

async function completionCalls(s: Session): Promise<number> {
  return (await s.requests()).filter((r) => r.method === "POST").length;
}

interface Completion {
  choices: { message: { content: string | null } }[];
  usage: { prompt_tokens: number };
  x_router: { cost_usd: number | null; provider: string; model: string; cache?: string; attempts: unknown[] };
}

async function ledgerRow(id: string) {
  return env.DB.prepare(
    "SELECT cache_hit, cost_pico, cache_saved_pico, provider, model, status FROM requests WHERE id = ?",
  )
    .bind(id)
    .first<{
      cache_hit: number;
      cost_pico: number | null;
      cache_saved_pico: number | null;
      provider: string;
      model: string;
      status: string;
    }>();
}

describe("response cache", () => {
  it("misses, then answers the same request from the cache at $0 without calling a provider", async () => {
    const s = await newSession();
    const text = prompt("hit");
    const first = await chatDone(s.env, ask(text, { router: { cache: { ttl_s: 60 } } }));
    expect(first.status).toBe(200);
    expect(first.headers.get("x-router-cache")).toBe("miss");
    const made = JSON.parse(first.text) as Completion;
    expect(made.x_router.cost_usd).toBeGreaterThan(0);
    expect(await completionCalls(s)).toBe(1);

    const second = await chatDone(s.env, ask(text, { router: { cache: { ttl_s: 60 } } }));
    expect(second.status).toBe(200);
    expect(second.headers.get("x-router-cache")).toBe("hit");
    const cached = JSON.parse(second.text) as Completion;
    expect(cached.choices[0]?.message.content).toBe(made.choices[0]?.message.content);
    expect(cached.x_router).toMatchObject({ cost_usd: 0, provider: "openai", cache: "hit", attempts: [] });
    expect(await completionCalls(s)).toBe(1);

    // The ledger: the hit is a row of its own at $0, marked as a cache hit with the spend it saved.
    const row = await ledgerRow(second.headers.get("x-request-id") ?? "");
    expect(row).toMatchObject({ cache_hit: 1, cost_pico: 0, provider: "openai", status: "ok" });
    expect(row?.cache_saved_pico).toBe(Math.round((made.x_router.cost_usd ?? 0) * 1e12));
    const missRow = await ledgerRow(first.headers.get("x-request-id") ?? "");
    expect(missRow).toMatchObject({ cache_hit: 0, cache_saved_pico: null });
  });

  it("opts in with the x-router-cache-ttl header, and says bypass when a request did not opt in", async () => {
    const s = await newSession();
    const text = prompt("header");
    const plain = await chatDone(s.env, ask(text));
    expect(plain.headers.get("x-router-cache")).toBe("bypass");
    const miss = await chatDone(s.env, ask(text), { "x-router-cache-ttl": "30" });
    expect(miss.headers.get("x-router-cache")).toBe("miss");
    const hit = await chatDone(s.env, ask(text), { "x-router-cache-ttl": "30" });
    expect(hit.headers.get("x-router-cache")).toBe("hit");
    expect(await completionCalls(s)).toBe(2);
    const bad = await chatDone(s.env, ask(text), { "x-router-cache-ttl": "soon" });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).error.param).toBe("x-router-cache-ttl");
  });

  it("bypasses the cache for Cache-Control: no-store, neither reading nor writing it", async () => {
    const s = await newSession();
    const text = prompt("no-store");
    const noStore = await chatDone(s.env, ask(text, { router: { cache: { ttl_s: 60 } } }), {
      "cache-control": "no-cache, no-store",
    });
    expect(noStore.headers.get("x-router-cache")).toBe("bypass");
    // Nothing was stored: the next opted-in request is a miss.
    const next = await chatDone(s.env, ask(text, { router: { cache: { ttl_s: 60 } } }));
    expect(next.headers.get("x-router-cache")).toBe("miss");
    // And a stored answer is not read under no-store.
    const again = await chatDone(s.env, ask(text, { router: { cache: { ttl_s: 60 } } }), {
      "cache-control": "no-store",
    });
    expect(again.headers.get("x-router-cache")).toBe("bypass");
    expect(await completionCalls(s)).toBe(3);
  });

  it("never answers one workspace from another's cache", async () => {
    const s = await newSession();
    const text = prompt("tenants");
    const a = uniqueWorkspace("cache-a");
    const b = uniqueWorkspace("cache-b");
    const opt = (ws: string) => ask(text, { router: { cache: { ttl_s: 60 }, workspace_id: ws } });
    expect((await chatDone(s.env, opt(a))).headers.get("x-router-cache")).toBe("miss");
    expect((await chatDone(s.env, opt(b))).headers.get("x-router-cache")).toBe("miss");
    expect((await chatDone(s.env, opt(a))).headers.get("x-router-cache")).toBe("hit");
    expect((await chatDone(s.env, opt(b))).headers.get("x-router-cache")).toBe("hit");
    expect(await completionCalls(s)).toBe(2);
  });

  it("keys on the candidates and the request: another model or another temperature is another entry", async () => {
    const s = await newSession();
    const text = prompt("keyed");
    const opt = { router: { cache: { ttl_s: 60 } } };
    await chatDone(s.env, ask(text, opt));
    expect((await chatDone(s.env, ask(text, { ...opt, temperature: 0.2 }))).headers.get("x-router-cache")).toBe("miss");
    expect(
      (await chatDone(s.env, ask(text, { ...opt, model: "mistral/mistral-small-latest" }))).headers.get(
        "x-router-cache",
      ),
    ).toBe("miss");
    expect((await chatDone(s.env, ask(text, { ...opt, temperature: 0.2 }))).headers.get("x-router-cache")).toBe("hit");
  });

  it("replays a cached answer as a chat stream and as a Responses stream", async () => {
    const s = await newSession();
    const text = prompt("replay");
    const made = JSON.parse(
      (await chatDone(s.env, ask(text, { router: { cache: { ttl_s: 60 } } }))).text,
    ) as Completion;
    const content = made.choices[0]?.message.content ?? "";
    expect(content.length).toBeGreaterThan(0);

    const streamed = await callFull(s.env, "/v1/chat/completions", {
      method: "POST",
      json: ask(text, { stream: true, router: { cache: { ttl_s: 60 } } }),
    });
    expect(streamed.res.headers.get("x-router-cache")).toBe("hit");
    expect(streamed.res.headers.get("content-type")).toContain("text/event-stream");
    const body = await streamed.done();
    const events = body
      .split("\n\n")
      .map((b) => b.trim())
      .filter((b) => b.startsWith("data: "))
      .map((b) => b.slice(6));
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e) as { choices: { delta: { content?: string } }[] });
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe(content);
    expect(xRouterOf(body, true)).toMatchObject({ cost_usd: 0, provider: "openai" });

    const responses = await callFull(s.env, "/v1/responses", {
      method: "POST",
      json: { model: MODEL, input: [{ role: "user", content: text }], stream: true, router: { cache: { ttl_s: 60 } } },
    });
    const rbody = await responses.done();
    expect(responses.res.status).toBe(200);
    expect(responses.res.headers.get("x-router-cache")).toBe("hit");
    const deltas = rbody
      .split("\n\n")
      .map((b) => b.split("\n").find((l) => l.startsWith("data: ")))
      .filter((l): l is string => l !== undefined)
      .map((l) => JSON.parse(l.slice(6)) as { type: string; delta?: string });
    expect(
      deltas
        .filter((d) => d.type === "response.output_text.delta")
        .map((d) => d.delta)
        .join(""),
    ).toBe(content);
    expect(deltas.at(-1)?.type).toBe("response.completed");
    expect(await completionCalls(s)).toBe(1);
  });

  it("stores a finished stream, and answers it later as JSON", async () => {
    const s = await newSession();
    const text = prompt("from-stream");
    const first = await callFull(s.env, "/v1/chat/completions", {
      method: "POST",
      json: ask(text, { stream: true, router: { cache: { ttl_s: 60 } } }),
    });
    expect(first.res.headers.get("x-router-cache")).toBe("miss");
    const events = await sseData(new Response(await first.done()));
    const streamedText = events
      .filter((e): e is Record<string, unknown> => e !== "[DONE]")
      .map((e) => (e.choices as { delta?: { content?: string } }[] | undefined)?.[0]?.delta?.content ?? "")
      .join("");
    const json = await chatDone(s.env, ask(text, { router: { cache: { ttl_s: 60 } } }));
    expect(json.headers.get("x-router-cache")).toBe("hit");
    expect((JSON.parse(json.text) as Completion).choices[0]?.message.content).toBe(streamedText);
    expect(await completionCalls(s)).toBe(1);
  });

  it("never stores an error or a stream cut off after it started", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "status", status: 500 }] });
    const text = prompt("errors");
    const opt = ask(text, { router: { cache: { ttl_s: 60 }, fallback: false } });
    const failed = await chatDone(s.env, opt);
    expect(failed.status).toBeGreaterThanOrEqual(500);
    // A failure says what the cache did too: asked (miss), or not asked (bypass).
    expect(failed.headers.get("x-router-cache")).toBe("miss");
    const plainFailed = await chatDone(s.env, ask(text, { router: { fallback: false } }));
    expect(plainFailed.headers.get("x-router-cache")).toBe("bypass");
    await s.setFaults([]);
    expect((await chatDone(s.env, opt)).headers.get("x-router-cache")).toBe("miss");

    const cutText = prompt("cut");
    await s.setFaults([{ provider: "openai", mode: "cut", after_chunks: 2 }]);
    const cutBody = ask(cutText, { stream: true, router: { cache: { ttl_s: 60 }, fallback: false } });
    const cut = await callFull(s.env, "/v1/chat/completions", { method: "POST", json: cutBody });
    expect(cut.res.status).toBe(200);
    const cutStream = await cut.done();
    expect(cutStream).not.toContain("[DONE]");
    await s.setFaults([]);
    const after = await callFull(s.env, "/v1/chat/completions", { method: "POST", json: cutBody });
    expect(after.res.headers.get("x-router-cache")).toBe("miss");
    await after.done();
  });

  it("shows hits and the spend saved in /v1/usage", async () => {
    const s = await newSession();
    const ws = uniqueWorkspace("cache-usage");
    const text = prompt("usage");
    const opt = ask(text, { router: { cache: { ttl_s: 60 }, workspace_id: ws } });
    const made = xRouterOf((await chatDone(s.env, opt)).text, false);
    await chatDone(s.env, opt);
    await chatDone(s.env, opt);
    const usage = await call(s.env, `/v1/usage?workspace_id=${ws}`);
    const totals = ((await usage.json()) as { totals: Record<string, number> }).totals;
    expect(totals).toMatchObject({ requests: 3, cache_hits: 2 });
    expect(totals.cache_saved_usd).toBeCloseTo(2 * (made.cost_usd ?? 0), 9);
    expect(totals.cost_usd).toBeCloseTo(made.cost_usd ?? 0, 9);
    // The dashboard's recent requests mark the hits and what each saved.
    const recent = await call(s.env, `/v1/requests?workspace_id=${ws}`);
    const rows = ((await recent.json()) as { data: { cache_hit: boolean; cache_saved_usd: number | null }[] }).data;
    expect(rows.map((r) => r.cache_hit)).toEqual([true, true, false]);
    expect(rows[0]?.cache_saved_usd).toBeCloseTo(made.cost_usd ?? 0, 9);
    expect(rows[2]?.cache_saved_usd).toBeNull();
    // And /metrics counts them (each session has a stats object of its own).
    const metrics = parseExposition(await (await call(s.env, "/metrics")).text());
    expect(sampleValue(metrics, "switchyard_cache_requests_total", { result: "hit" })).toBeGreaterThanOrEqual(2);
    expect(sampleValue(metrics, "switchyard_cache_saved_usd_total")).toBeGreaterThanOrEqual(
      2 * (made.cost_usd ?? 0) - 1e-12,
    );
  });
});

describe("cache TTL", () => {
  const config = { max_ttl_s: 3600, workspace_ttl_s: { cached: 120 } };
  it("takes the request's ttl, else the workspace default, capped; no-store and 0 turn it off", () => {
    expect(cacheTtl({}, "other", config)).toBe(0);
    expect(cacheTtl({}, "cached", config)).toBe(120);
    expect(cacheTtl({ cache: { ttl_s: 30 } }, "cached", config)).toBe(30);
    expect(cacheTtl({ cache: { ttl_s: 0 } }, "cached", config)).toBe(0);
    expect(cacheTtl({ cache: { ttl_s: 99_999 } }, "other", config)).toBe(3600);
    expect(cacheTtl({ cache: { ttl_s: 60, no_store: true } }, "cached", config)).toBe(0);
  });
});
