// Builds the dashboard for the Worker: esbuild bundles the browser code (dashboard/main.ts and what it imports) into
// one script and minifies the stylesheet; the page gets content-hashed URLs for both; all three go into
// src/dashboard/generated/dashboard.json, which src/dashboard/assets.ts serves. Runs with `npm run config` and as part
// of wrangler's build command, so dev, tests and deploy always serve the code in the tree.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = join(root, "dashboard");
const out = join(root, "src/dashboard/generated/dashboard.json");

export interface BuiltAsset {
  body: string;
  contentType: string;
  /** sha256 of the body, 16 hex digits: the asset's URL segment, so a URL never names two contents. */
  hash: string;
}

export interface BuiltDashboard {
  page: { body: string; hash: string };
  assets: Record<string, BuiltAsset>;
}

const CONTENT_TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

function hashOf(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

export async function buildDashboard(): Promise<BuiltDashboard> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: { main: join(source, "main.ts"), app: join(source, "app.css") },
    outdir: "dashboard-out",
    write: false,
    bundle: true,
    format: "esm",
    target: "es2022",
    platform: "browser",
    minify: true,
    charset: "utf8",
    legalComments: "none",
    logLevel: "warning",
  });
  const assets: Record<string, BuiltAsset> = {};
  for (const file of result.outputFiles) {
    const name = basename(file.path);
    const contentType = CONTENT_TYPES[extname(name)];
    if (contentType === undefined) throw new Error(`dashboard build: unexpected output ${name}`);
    assets[name] = { body: file.text, contentType, hash: hashOf(file.text) };
  }
  const html = readFileSync(join(source, "index.html"), "utf8").replace(/<!--[\s\S]*?-->\n?/g, "");
  const body = html.replace(/(src|href)="\.\/([\w.-]+)"/g, (_, attr: string, name: string) => {
    const asset = assets[name];
    if (asset === undefined) throw new Error(`dashboard/index.html names ./${name}, which the build does not produce`);
    return `${attr}="/dashboard/${asset.hash}/${name}"`;
  });
  return { page: { body, hash: hashOf(body) }, assets };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let built: BuiltDashboard;
  try {
    built = await buildDashboard();
  } catch (err) {
    // esbuild has printed its messages (file, line, column) already; anything else is ours.
    if (!(err instanceof Error && "errors" in err)) console.error((err as Error).message);
    process.exit(1);
  }
  const json = `${JSON.stringify(built)}\n`;
  mkdirSync(dirname(out), { recursive: true });
  // Unchanged build, untouched file: wrangler dev watches src/ and reruns this on every rebuild (see compile-config.ts).
  if (!existsSync(out) || readFileSync(out, "utf8") !== json) writeFileSync(out, json);
  const sizes = Object.entries(built.assets).map(([name, a]) => `${name} ${(a.body.length / 1024).toFixed(1)} KiB`);
  console.log(`dashboard: ${sizes.join(", ")} -> src/dashboard/generated/dashboard.json`);
}
