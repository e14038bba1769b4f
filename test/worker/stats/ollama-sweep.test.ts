// The cron's read of Ollama's /api/tags and what it does to the registry's local part, the planner, GET /v1/models and
// GET /v1/chains (DESIGN.md, Configuration: "the ones the server reports in /api/tags join the registry"; Price book:
// "a registry model the provider no longer lists is marked `listed: false`"; `available` is "configured and healthy").
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Env } from "../../../src/env.ts";
import worker from "../../../src/index.ts";
import { healthSweep } from "../../../src/stats/health-sweep.ts";
import { StatsCache } from "../../../src/stats/stats-cache.ts";
import { call, chat, newSession } from "../gateway.ts";

const HI = [{ role: "user", content: "hi" }];

async function sweep(env: Env): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/1 * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);
}

interface ModelItem {
  id: string;
  type: string;
  aliases: string[];
  available: boolean;
  listed: boolean | null;
}
interface ModelsBody {
  data: ModelItem[];
  unpriced: { provider: string }[];
  price_book: { delisted: string[] };
}
const models = async (env: Env) => (await (await call(env, "/v1/models")).json()) as ModelsBody;
const byId = (body: ModelsBody, id: string) => body.data.find((m) => m.id === id);

interface RouteBody {
  candidates: { provider: string; model: string; upstream_model: string }[];
  excluded: { provider: string; model: string; reason: string }[];
}
const route = async (env: Env, body: Record<string, unknown>) =>
  (await (await call(env, "/v1/route", { method: "POST", json: { messages: HI, ...body } })).json()) as RouteBody;

const sentModels = async (s: Awaited<ReturnType<typeof newSession>>) =>
  (await s.requests()).filter((r) => r.method === "POST").map((r) => r.body?.model);

describe("Ollama models installed under another tag", () => {
  it("an entry installed only under one of its aliases (llama3.2:3b, mistral:7b) is served, called by that tag", async () => {
    // `ollama pull llama3.2:3b` installs only that tag: Ollama answers "llama3.2" (llama3.2:latest) with a 404.
    const s = await newSession({ ollama_models: ["llama3.2:3b", "mistral:7b"] });
    await sweep(s.env);
    for (const model of ["ollama/llama3.2:3b", "ollama/mistral"]) {
      const res = await chat(s.env, { model, router: { fallback: false }, messages: HI });
      expect(res.status, `${model}: ${await res.text()}`).toBe(200);
    }
    expect(await sentModels(s)).toEqual(["llama3.2:3b", "mistral:7b"]);
    // The listed entries, not second, discovered ones.
    const body = await models(s.env);
    expect(body.data.filter((m) => m.id.startsWith("ollama/llama3.2") || m.id.startsWith("ollama/mistral"))).toEqual([
      expect.objectContaining({ id: "ollama/mistral", available: true, listed: true }),
      expect.objectContaining({ id: "ollama/llama3.2", available: true, listed: true }),
    ]);
  });

  it("an entry installed under its id with another tag (llama3.2:1b) is served by that tag, at $0", async () => {
    const s = await newSession({ ollama_models: ["llama3.2:1b"] });
    await sweep(s.env);
    const res = await chat(s.env, { model: "ollama/llama3.2:1b", router: { fallback: false }, messages: HI });
    const body = (await res.json()) as { x_router: { cost_usd: number | null } };
    expect(res.status).toBe(200);
    expect(res.headers.get("x-router-model")).toBe("llama3.2");
    expect(body.x_router.cost_usd).toBe(0);
    expect(await sentModels(s)).toEqual(["llama3.2:1b"]);
    const listed = await models(s.env);
    expect(byId(listed, "ollama/llama3.2")?.aliases).toContain("llama3.2:1b");
    expect(byId(listed, "ollama/llama3.2:1b")).toBeUndefined();
  });
});

describe("what the sweep's Ollama list says about availability and listing", () => {
  it("/v1/models: an Ollama model the server does not have is neither `available` nor `listed`", async () => {
    const s = await newSession({ ollama_models: ["llama3.2:latest"] });
    await sweep(s.env);
    // The planner leaves codellama out as not installed...
    const plan = await route(s.env, { model: "ollama/codellama", router: { fallback: false } });
    expect(plan.candidates).toEqual([]);
    expect(plan.excluded.find((e) => e.model === "codellama")?.reason).toMatch(/not installed/);
    // ...so /v1/models does not offer it, and the price book calls it unlisted (the dashboard's health view too).
    const body = await models(s.env);
    expect(byId(body, "ollama/llama3.2")).toMatchObject({ available: true, listed: true });
    expect(byId(body, "ollama/codellama")).toMatchObject({ available: false, listed: false });
    expect(body.price_book.delisted).toContain("ollama/codellama");
    expect(body.price_book.delisted).not.toContain("ollama/llama3.2");
    // Local models cost nothing: none is reported unpriced.
    expect(body.unpriced.filter((u) => u.provider === "ollama")).toEqual([]);
    const health = (await (await call(s.env, "/v1/health/providers")).json()) as {
      providers: { provider: string; price_book: { delisted: string[] } }[];
    };
    expect(health.providers.find((p) => p.provider === "ollama")?.price_book.delisted).toContain("codellama");
  });

  it("an empty model list read from /api/tags means nothing is installed, not that it is unknown", async () => {
    const s = await newSession({ ollama_models: [] });
    await sweep(s.env);
    const plan = await route(s.env, { model: "ollama/llama3.2", router: { fallback: false } });
    expect(plan.candidates).toEqual([]);
    expect(plan.excluded.find((e) => e.model === "llama3.2")?.reason).toBe(
      "not installed on the Ollama server (its last model list is empty)",
    );
    const body = await models(s.env);
    expect(body.data.filter((m) => m.id.startsWith("ollama/") && m.available)).toEqual([]);
    expect(byId(body, "ollama/llama3.2")?.listed).toBe(false);
  });

  it("before any sweep the installed models are unknown: Ollama's listed models count as available", async () => {
    const s = await newSession({ ollama_models: [] });
    const body = await models(s.env);
    expect(byId(body, "ollama/llama3.2")).toMatchObject({ available: true, listed: null });
  });
});

describe("LOCAL_ONLY and the discovered local models", () => {
  it("chain:local_only serves from an installed model the registry does not list when none of its own is installed", async () => {
    // DESIGN: LOCAL_ONLY = local models only. The server has phi4-mini, none of the chain's five.
    const s = await newSession({ ollama_models: ["phi4-mini:latest"] });
    await sweep(s.env);
    const res = await chat(s.env, { model: "chain:local_only", messages: HI });
    expect(res.status, await res.text()).toBe(200);
    expect(res.headers.get("x-router-provider")).toBe("ollama");
    expect(res.headers.get("x-router-model")).toBe("phi4-mini");
  });

  it("/v1/chains: LOCAL_ONLY's models the server lacks are not available; the discovered ones follow them", async () => {
    const s = await newSession({ ollama_models: ["phi4-mini:latest"] });
    await sweep(s.env);
    const body = (await (await call(s.env, "/v1/chains")).json()) as {
      chains: { name: string; models: { model: string; available: boolean; discovered?: boolean }[] }[];
    };
    const local = body.chains.find((c) => c.name === "LOCAL_ONLY");
    expect(local?.models.filter((m) => m.available)).toEqual([
      expect.objectContaining({ model: "phi4-mini", available: true, discovered: true }),
    ]);
    expect(local?.models.at(-1)?.model).toBe("phi4-mini");
    // Other chains take no discovered models.
    expect(body.chains.find((c) => c.name === "COST_OPTIMIZED")?.models.some((m) => m.discovered)).toBe(false);
  });
});

describe("embedding models installed on Ollama", () => {
  it("an installed embedding model joins the registry as one; chat routing never picks it (DESIGN, Dialects)", async () => {
    // bge-m3 is an embedding model of Ollama's library that the registry does not list.
    const s = await newSession({ ollama_models: ["llama3.2:latest", "bge-m3:latest"] });
    await sweep(s.env);
    expect(byId(await models(s.env), "ollama/bge-m3")?.type).toBe("embedding");
    const plan = await route(s.env, { model: "auto", router: { strategy: "local_first" } });
    expect(plan.candidates.map((c) => `${c.provider}/${c.model}`)).not.toContain("ollama/bge-m3");
    const named = await chat(s.env, { model: "ollama/bge-m3", messages: HI });
    expect(named.status).toBe(400);
    expect(((await named.json()) as { error: { code: string } }).error.code).toBe("model_not_chat");
    const embedded = await call(s.env, "/v1/embeddings", {
      method: "POST",
      json: { model: "ollama/bge-m3", input: "hi" },
    });
    expect(embedded.status).toBe(200);
  });

  it("a model of an encoder family (details.family bert) whose name reads as chat does not become a chat model", async () => {
    const s = await newSession();
    // The server's own answer, with the families /api/tags reports (llama.cpp's architecture names).
    const tags = {
      models: [
        { name: "llama3.2:latest", model: "llama3.2:latest", details: { family: "llama" } },
        { name: "house-encoder:latest", model: "house-encoder:latest", details: { family: "bert" } },
      ],
    };
    const report = await healthSweep(s.env, new StatsCache(Date.now), {
      fetch: (input, init) =>
        String(input).endsWith("/api/tags") ? Promise.resolve(Response.json(tags)) : fetch(input, init),
      now: Date.now,
      timeoutMs: 5000,
    });
    expect(report.ollamaModels).toEqual(["llama3.2"]);
    // Installed all the same: the listing compared with the registry has both.
    expect(report.listings.find((l) => l.provider === "ollama")?.listed).toBe(2);
    expect(byId(await models(s.env), "ollama/house-encoder")).toBeUndefined();
    const plan = await route(s.env, { model: "auto", router: { strategy: "local_first" } });
    expect(plan.candidates.map((c) => `${c.provider}/${c.model}`)).not.toContain("ollama/house-encoder");
  });
});
