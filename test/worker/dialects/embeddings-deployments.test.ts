// An embedding model served by two deployments (the same model, so the same vector space) fails over between them:
// DESIGN's "a failing deployment is skipped like a candidate" and "falls back only to candidates serving the same
// model".
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CONFIG } from "../../../src/config/index.ts";
import { type ModelEntry, ModelEntrySchema } from "../../../src/config/schema.ts";
import type { Env } from "../../../src/env.ts";
import { SERVICES } from "../../../src/gateway/services.ts";
import { createApp } from "../../../src/http/app.ts";
import { ModelRegistry } from "../../../src/registry/model-registry.ts";
import { newSession } from "../gateway.ts";

const base = CONFIG.models.models.find((m) => m.id === "text-embedding-3-small") as ModelEntry;
const deployed: ModelEntry = ModelEntrySchema.parse({
  ...base,
  id: "embed-deployed",
  upstream_id: base.id,
  aliases: [],
  deployments: [
    { name: "primary", weight: 1 },
    { name: "mirror", base_url_env: "OPENAI_MIRROR_BASE_URL", weight: 1 },
  ],
});
const registry = new ModelRegistry([...CONFIG.models.models, deployed]);
const app = createApp({ ...SERVICES, registry: () => registry });

async function post(e: Env, path: string, body: unknown) {
  const ctx = createExecutionContext();
  const res = await app.fetch(
    new Request(`http://127.0.0.1:8787${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
    e,
    ctx,
  );
  const text = await res.text();
  await waitOnExecutionContext(ctx);
  return { status: res.status, text, deployment: res.headers.get("x-router-deployment") };
}

describe("embeddings on a deployed model", () => {
  it("skips the deployment that is down: the other answers every request", async () => {
    // `b` is a healthy mirror; `a` (the primary) answers every OpenAI call with a 500.
    const b = await newSession();
    const a = await newSession({ faults: [{ provider: "openai", mode: "status", status: 500 }] }, {
      OPENAI_MIRROR_BASE_URL: b.baseUrls.openai,
    } as Partial<Env>);
    for (let i = 0; i < 4; i++) {
      const r = await post(a.env, "/v1/embeddings", { model: "openai/embed-deployed", input: "hello" });
      expect(r.status, r.text).toBe(200);
      expect(r.deployment).toBe("mirror");
    }
    const mirrored = (await b.requests()).filter((r) => r.path.endsWith("/embeddings"));
    expect(mirrored.length).toBeGreaterThan(0);
  });
});
