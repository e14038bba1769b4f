// Builds the dashboard: esbuild bundles the browser code (dashboard/main.ts and what it imports) into one script and
// minifies the stylesheet; the page gets content-hashed URLs for both. The three files go to assets/ (git-ignored),
// which wrangler.toml's [assets] uploads as the Worker's static assets; their hashes and content types go to
// src/dashboard/generated/dashboard.json, bundled into the Worker, which serves the files from its ASSETS binding
// (src/dashboard/assets.ts). Runs with `npm run config` and as part of wrangler's build command, so dev, tests and
// deploy always serve the code in the tree.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = join(root, "dashboard");
/** wrangler.toml's assets.directory. */
const ASSETS_DIR = join(root, "assets");
/** The page's file name among the static assets. */
const PAGE_FILE = "index.html";
const manifestOut = join(root, "src/dashboard/generated/dashboard.json");

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

/** What the Worker bundles: every file's hash and content type, no bodies (those are static assets). */
export interface DashboardManifest {
  page: { file: string; hash: string };
  assets: Record<string, { contentType: string; hash: string }>;
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

function manifestOf(built: BuiltDashboard): DashboardManifest {
  return {
    page: { file: PAGE_FILE, hash: built.page.hash },
    assets: Object.fromEntries(
      Object.entries(built.assets).map(([name, a]) => [name, { contentType: a.contentType, hash: a.hash }]),
    ),
  };
}

/** Unchanged content, untouched file: wrangler dev watches src/ and assets/ (see compile-config.ts). */
function writeIfChanged(path: string, text: string): void {
  if (!existsSync(path) || readFileSync(path, "utf8") !== text) writeFileSync(path, text);
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
  const files = new Map<string, string>([[PAGE_FILE, built.page.body]]);
  for (const [name, asset] of Object.entries(built.assets)) files.set(name, asset.body);
  mkdirSync(ASSETS_DIR, { recursive: true });
  for (const [name, body] of files) writeIfChanged(join(ASSETS_DIR, name), body);
  // Only this build's files are uploaded: whatever an older build left there goes.
  for (const name of readdirSync(ASSETS_DIR)) if (!files.has(name)) rmSync(join(ASSETS_DIR, name), { recursive: true });
  mkdirSync(dirname(manifestOut), { recursive: true });
  writeIfChanged(manifestOut, `${JSON.stringify(manifestOf(built))}\n`);
  const sizes = [...files].map(([name, body]) => `${name} ${(Buffer.byteLength(body) / 1024).toFixed(1)} KiB`);
  console.log(`dashboard: ${sizes.join(", ")} -> assets/ (hashes: src/dashboard/generated/dashboard.json)`);
}
