// GET /v1/models: the registry in OpenAI's list shape, with provider, pricing, window, capabilities and availability.
import type { Context } from "hono";
import { adapterFor } from "../providers/index.ts";
import type { AppEnv } from "./app-env.ts";

/** A fixed `created` for registry entries: they are configuration, not uploads (OpenAI requires the field). */
const CREATED = 1_700_000_000;

export function listModels(c: Context<AppEnv>): Response {
  const registry = c.get("registry");
  const data = registry.entries.map((m) => ({
    id: `${m.provider}/${m.id}`,
    object: "model",
    created: CREATED,
    owned_by: m.provider,
    provider: m.provider,
    name: m.name,
    model: m.id,
    aliases: m.aliases,
    pricing: { input: m.pricing.input, output: m.pricing.output, cached_input: m.pricing.cached_input },
    context_window: m.context_window,
    max_output: m.max_output,
    capabilities: m.capabilities,
    quality: m.quality,
    legacy: m.legacy,
    available: adapterFor(m.provider).configured(c.env),
  }));
  return c.json({ object: "list", data });
}
