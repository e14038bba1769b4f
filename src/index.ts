// The Worker's entry: the HTTP app over the real world (fetch, clock, config).
import { createApp } from "./app.ts";
import { CONFIG } from "./config/index.ts";
import type { Env } from "./env.ts";
import { realDeps } from "./execute/deps.ts";
import { ModelRegistry } from "./registry/model-registry.ts";
import { emptySnapshot } from "./stats/snapshot.ts";

const registry = new ModelRegistry(CONFIG.models.models);

const app = createApp({
  config: CONFIG,
  deps: realDeps,
  sinks: () => [],
  registry: () => registry,
  stats: async () => emptySnapshot(),
});

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
