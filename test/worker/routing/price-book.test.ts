// The price book notices it is stale: the cron sweep compares each provider's free model listing (the emulators'
// GET /v1/models) with the registry; GET /v1/models shows `listed`, `unpriced` and stale prices, and the health view
// the dashboard reads flags them. No billed endpoint is called.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CONFIG } from "../../../src/config/index.ts";
import { type ModelEntry, ModelEntrySchema } from "../../../src/config/schema.ts";
import type { Env } from "../../../src/env.ts";
import worker from "../../../src/index.ts";
import { compareListing, listingIds, priceAge } from "../../../src/registry/listing.ts";
import { ModelRegistry } from "../../../src/registry/model-registry.ts";
import { call, newSession } from "../gateway.ts";

async function sweep(env: Env): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/1 * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);
}

interface ModelsBody {
  data: {
    id: string;
    type: string;
    dimensions?: number;
    listed: boolean | null;
    pricing: {
      cache_read: number | null;
      cache_write: { "5m": number; "1h": number } | null;
      tiers: { above_input_tokens: number }[];
      service_tiers: Record<string, number>;
      effective_from: string;
      source: string;
      stale: boolean;
      age_days: number;
    };
  }[];
  unpriced: { provider: string; listed_at: string; models: string[] }[];
  price_book: { max_price_age_days: number; stale: string[]; delisted: string[] };
}

const models = async (env: Env) => (await (await call(env, "/v1/models")).json()) as ModelsBody;
const byId = (body: ModelsBody, id: string) => body.data.find((m) => m.id === id);

describe("the price book against the providers' listings", () => {
  it("before any sweep nothing is called delisted; prices past max_price_age_days are flagged", async () => {
    const s = await newSession();
    const body = await models(s.env);
    expect(body.data.every((m) => m.listed === null)).toBe(true);
    expect(body.unpriced).toEqual([]);
    expect(body.price_book.max_price_age_days).toBe(CONFIG.fallback.price_book.max_price_age_days);
    // Together's rows its catalog no longer lists keep their unverifiable 2025 price: stale. Llama 3.3 70B's
    // (2026-10-07) and GPT-6.1 Sol's (2026-09-29) are not.
    expect(body.price_book.stale).toContain("together/deepseek-ai/DeepSeek-V3");
    expect(body.price_book.stale).not.toContain("together/meta-llama/Llama-3.3-70B-Instruct-Turbo");
    expect(body.price_book.stale).not.toContain("openai/gpt-6.1-sol");
    // Local models have no price to go stale.
    expect(body.price_book.stale.filter((id) => id.startsWith("ollama/"))).toEqual([]);
    const sol = byId(body, "openai/gpt-6.1-sol");
    expect(sol?.pricing).toMatchObject({
      cache_read: 0.1,
      cache_write: { "5m": 2.5, "1h": 2.5 },
      service_tiers: { flex: 0.5, batch: 0.5, priority: 2 },
      effective_from: "2026-09-29",
      stale: false,
    });
    expect(sol?.pricing.tiers[0]?.above_input_tokens).toBe(272_000);
    expect(sol?.pricing.source).toMatch(/^https:\/\//);
    expect(byId(body, "openai/text-embedding-3-small")).toMatchObject({ type: "embedding", dimensions: 1536 });
    expect(byId(body, "openai/gpt-6.1-sol")?.type).toBe("chat");
  });

  it("after the sweep: listed models, delisted ones, and listed ones the registry lacks", async () => {
    const s = await newSession();
    await sweep(s.env);
    // Only the free listings were called.
    expect(
      (await s.requests()).every((r) => r.method === "GET" && /\/(v1\/models|api\/tags)(\?limit=1000)?$/.test(r.path)),
    ).toBe(true);
    const body = await models(s.env);
    // The emulated OpenAI lists gpt-4o-mini, its snapshot and gpt-3.5-turbo. gpt-3.5-turbo is a retired id, kept as
    // an alias of gpt-5.4-mini: its being listed says nothing of gpt-5.4-mini, which the listing lacks (delisted).
    expect(byId(body, "openai/gpt-4o-mini")?.listed).toBe(true);
    expect(byId(body, "openai/gpt-5.4-mini")?.listed).toBe(false);
    expect(byId(body, "openai/gpt-6.1-sol")?.listed).toBe(false);
    expect(body.price_book.delisted).toContain("openai/gpt-6.1-sol");
    // Anthropic's listing has claude-3-haiku-20240307, a retired id kept as an alias of Claude Haiku 4.5, and not
    // Haiku 4.5 itself; it has claude-sonnet-4-5-20250929, the id Sonnet 4.5 is called by.
    expect(byId(body, "anthropic/claude-haiku-4-5-20251001")?.listed).toBe(false);
    expect(byId(body, "anthropic/claude-sonnet-4-5-20250929")?.listed).toBe(true);
    expect(byId(body, "anthropic/claude-fable-5-1")?.listed).toBe(false);
    expect(byId(body, "mistral/mistral-large-latest")?.listed).toBe(true);
    expect(byId(body, "together/meta-llama/Llama-3.3-70B-Instruct-Turbo")?.listed).toBe(true);
    // Ollama's listing is its /api/tags (the emulated one has deepseek-r1 and llama3.2): DESIGN's "each provider's
    // model listing" includes it, so a registry model not installed is `listed: false`.
    expect(byId(body, "ollama/llama3.2")?.listed).toBe(true);
    expect(byId(body, "ollama/codellama")?.listed).toBe(false);
    // Every id the emulated providers list is priced: nothing unpriced.
    expect(body.unpriced).toEqual([]);

    const health = (await (await call(s.env, "/v1/health/providers")).json()) as {
      providers: { provider: string; price_book: { delisted: string[]; unpriced: number; stale_prices: string[] } }[];
    };
    const openai = health.providers.find((p) => p.provider === "openai");
    expect(openai?.price_book.delisted).toContain("gpt-6.1-sol");
    expect(openai?.price_book.delisted).not.toContain("gpt-4o-mini");
    expect(health.providers.find((p) => p.provider === "together")?.price_book.stale_prices.length).toBeGreaterThan(0);
  });

  it("reports a listed model the registry lacks as unpriced, and trusts no partial listing for delistings", () => {
    const registry = new ModelRegistry(CONFIG.models.models);
    const listing = listingIds({
      object: "list",
      data: [{ id: "gpt-6.1-sol" }, { id: "gpt-7-preview" }, { id: "gpt-6.1-sol-2026-09-29" }, { id: 5 }],
    });
    expect(listing).toEqual({ ids: ["gpt-6.1-sol", "gpt-7-preview", "gpt-6.1-sol-2026-09-29"], complete: true });
    const report = compareListing(registry, "openai", listing as NonNullable<typeof listing>, 1);
    expect(report.unpriced).toEqual(["gpt-7-preview"]);
    expect(report.delisted).toContain("gpt-6-astra");
    expect(report.delisted).not.toContain("gpt-6.1-sol");
    // Anthropic pages its listing: with has_more, absence proves nothing.
    const partial = listingIds({ data: [{ id: "claude-haiku-5-5" }], has_more: true });
    expect(partial?.complete).toBe(false);
    const anthropic = compareListing(registry, "anthropic", partial as NonNullable<typeof partial>, 1);
    expect(anthropic.delisted).toEqual([]);
    // Together's bare array; a body that is no list reads as nothing.
    expect(listingIds([{ id: "BAAI/bge-base-en-v1.5" }])).toEqual({ ids: ["BAAI/bge-base-en-v1.5"], complete: true });
    expect(listingIds({ error: "nope" })).toBeNull();
  });

  it("a model the registry prices through a deployment on another provider is not unpriced in that one's listing", () => {
    const base = CONFIG.models.models.find((m) => m.id === "gpt-6.1-sol") as ModelEntry;
    const deployed = ModelEntrySchema.parse({
      ...base,
      id: "sol-deployed",
      aliases: [],
      upstream_id: "gpt-6.1-sol",
      deployments: [{ name: "tog", provider: "together", upstream_id: "openai/gpt-6.1-sol" }],
    });
    const registry = new ModelRegistry([...CONFIG.models.models, deployed]);
    const listing = { ids: ["openai/gpt-6.1-sol", "openai/gpt-7-preview"], complete: true };
    const together = compareListing(registry, "together", listing, 1);
    expect(together.unpriced).toEqual(["openai/gpt-7-preview"]);
    // Missing from Together's listing, it is still OpenAI's: the entry is delisted only by its own provider.
    expect(together.delisted).not.toContain("sol-deployed");
  });

  it("a price one day past the configured age is stale, on the day itself it is not", () => {
    const entry = new ModelRegistry(CONFIG.models.models).find("openai", "gpt-6.1-sol");
    if (entry === undefined) throw new Error("gpt-6.1-sol missing");
    const from = Date.parse("2026-09-29T00:00:00Z");
    const day = 86_400_000;
    expect(priceAge(entry, from + 180 * day, 180)).toEqual({ age_days: 180, stale: false });
    expect(priceAge(entry, from + 181 * day, 180)).toEqual({ age_days: 181, stale: true });
  });
});
