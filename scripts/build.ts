// The deployed build. wrangler bundles the Worker as wrangler.toml says (esbuild, minified, a source map beside it),
// then terser minifies that bundle again, taking wrangler's source map in and writing one that maps the result to
// src/ lines and names. terser's output is about 3.4 KiB smaller gzipped than esbuild's alone: it names identifiers by
// how often they occur and folds more (bench/ANALYSIS.md section 1). `npm run build` writes dist/; `npm run deploy`
// uploads that file with `wrangler deploy --no-bundle`; the bench and the e2e tests run exactly this build. `wrangler
// dev` and the workers pool keep wrangler's own bundling of src/.
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { minify } from "terser";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const ENTRY = "index.js";

/**
 * Builds the deployed Worker into `outdir` (emptied first); returns the path of its entry, `<outdir>/index.js`.
 * `terser: false` stops at wrangler's bundle (the bench's A/B compares the two).
 */
export async function buildWorker(outdir: string, tree = root, options = { terser: true }): Promise<string> {
  const dir = resolve(outdir);
  rmSync(dir, { recursive: true, force: true });
  // wrangler's [build] command compiles configs/*.yml and the dashboard first, as `npm run config` does.
  execFileSync(join(root, "node_modules/.bin/wrangler"), ["deploy", "--dry-run", "--outdir", dir], {
    cwd: tree,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
  });
  // The README.md wrangler writes beside a dry run's bundle is not part of it.
  rmSync(join(dir, "README.md"), { force: true });
  return options.terser ? minifyBundle(join(dir, ENTRY)) : join(dir, ENTRY);
}

/** Minifies a bundle of wrangler's (`<file>` and `<file>.map`) with terser, in place; returns `file`. */
export async function minifyBundle(file: string): Promise<string> {
  const name = file.slice(dirname(file).length + 1);
  const result = await minify(
    { [name]: readFileSync(file, "utf8") },
    {
      module: true,
      ecma: 2022,
      // Two passes: a third saves under 0.2 KiB gzip for another half second of build.
      compress: { passes: 2 },
      mangle: true,
      format: { ecma: 2022 },
      sourceMap: { content: readFileSync(`${file}.map`, "utf8"), url: `${name}.map`, includeSources: true },
    },
  );
  if (result.code === undefined || typeof result.map !== "string") throw new Error("terser returned no code or map");
  const map = JSON.parse(result.map) as { sources: string[]; file?: string };
  // terser resolves the input map's sources to absolute paths; the map beside the bundle names them from its own
  // directory, as wrangler's does (wrangler strips the leading ../ when it uploads the map).
  map.sources = map.sources.map((s) => (isAbsolute(s) ? relative(dirname(file), s) : s));
  map.file = name;
  writeFileSync(file, result.code);
  writeFileSync(`${file}.map`, JSON.stringify(map));
  return file;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const entry = await buildWorker(process.argv[2] ?? join(root, "dist"));
  console.log(`build: ${relative(process.cwd(), entry)} (${readFileSync(entry).length} bytes) and its source map`);
}
