// What the Worker's bundle is made of: src/index.ts bundled as wrangler bundles it (esbuild, workerd conditions,
// type-only imports erased), and none of what it does without among its inputs: drizzle-orm and src/db/schema.ts (the
// schema is for drizzle-kit's migrations; the Worker reads and writes D1 in plain prepared SQL, docs/ledger.md), classic
// zod (src/ uses zod/mini), eventsource-parser (the Worker reads SSE itself) and the config files' schemas
// (src/config/schema.ts: the Worker runs on the compiled, validated config).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../..");

/** The root-relative paths of every module the bundle of `entry` holds, from esbuild's metafile. */
async function bundledInputs(entry: string): Promise<string[]> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["browser", "module", "main"],
    external: ["cloudflare:*", "node:*"],
    logLevel: "silent",
  });
  return Object.keys(result.metafile.inputs);
}

/** The inputs that must stay out of the Worker. */
function forbidden(inputs: readonly string[]): string[] {
  return inputs.filter(
    (path) =>
      /(^|\/)node_modules\/(drizzle-orm|eventsource-parser|zod\/v4\/classic)\//.test(path) ||
      path === "src/db/schema.ts" ||
      path === "src/config/schema.ts",
  );
}

describe("the Worker's bundle", () => {
  it("the checker finds drizzle-orm and the schema where they are bundled", async () => {
    const inputs = await bundledInputs("src/db/schema.ts");
    expect(forbidden(inputs)).toContain("src/db/schema.ts");
    expect(forbidden(inputs).some((path) => path.includes("node_modules/drizzle-orm/sqlite-core/"))).toBe(true);
    expect(forbidden(["node_modules/drizzle-orm-extra/index.js", "src/db/rows.ts", "src/http/keys-route.ts"])).toEqual(
      [],
    );
    const config = await bundledInputs("scripts/compile-config.ts");
    expect(forbidden(config)).toContain("src/config/schema.ts");
  });

  it("holds no drizzle-orm, classic zod, eventsource-parser or config file schema", { timeout: 30_000 }, async () => {
    const inputs = await bundledInputs("src/index.ts");
    // The bundle is real: the Worker's own routes and its dependencies are in it, so an empty result means something.
    expect(inputs).toEqual(
      expect.arrayContaining(["src/index.ts", "src/http/keys-route.ts", "src/ledger/recent-requests.ts"]),
    );
    expect(inputs.some((path) => path.includes("node_modules/hono/"))).toBe(true);
    expect(inputs.some((path) => path.includes("node_modules/zod/v4/mini/"))).toBe(true);
    expect(forbidden(inputs)).toEqual([]);
  });
});
