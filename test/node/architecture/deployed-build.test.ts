// The deployed build (scripts/build.ts, what `npm run build` and `npm run deploy` make): wrangler's bundle minified
// again by terser. It must stay smaller than wrangler's alone, and its source map must still lead a stack frame or a
// profile sample back to src/ files, lines and names, with the sources relative to the map and their text inside it.
// (The e2e project runs the official clients against this same build.)
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sourceLocator } from "../../../bench/profile.ts";
import { buildWorker } from "../../../scripts/build.ts";

const dir = mkdtempSync(join(tmpdir(), "switchyard-build-"));
let deployed = { code: "", map: "" };
let wranglerOnly = "";

beforeAll(async () => {
  const [a, b] = [
    await buildWorker(join(dir, "deployed")),
    await buildWorker(join(dir, "wrangler"), undefined, { terser: false }),
  ];
  deployed = { code: readFileSync(a, "utf8"), map: readFileSync(`${a}.map`, "utf8") };
  wranglerOnly = readFileSync(b, "utf8");
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 0-based line and column of the first occurrence of `needle` in `code`. */
function position(code: string, needle: string): { line: number; column: number } {
  const at = code.indexOf(needle);
  expect(at, `${needle} is in the bundle`).toBeGreaterThanOrEqual(0);
  const before = code.slice(0, at);
  const line = before.split("\n").length - 1;
  return { line, column: at - (before.lastIndexOf("\n") + 1) };
}

describe("the deployed build", () => {
  it("is smaller gzipped than wrangler's bundle of the same code", () => {
    const gzip = (s: string) => gzipSync(s, { level: 9 }).length;
    expect(gzip(deployed.code)).toBeLessThan(gzip(wranglerOnly) - 1024);
    expect(deployed.code).toMatch(/\/\/# sourceMappingURL=index\.js\.map\s*$/);
  });

  it("maps its code back to src/ files and lines through the source map", () => {
    const map = JSON.parse(deployed.map) as { sources: string[]; sourcesContent?: string[]; file: string };
    expect(map.file).toBe("index.js");
    expect(map.sources.every((s) => !s.startsWith("/"))).toBe(true);
    // Named from the map's own directory: they resolve to the tree's files.
    const app = fileURLToPath(new URL("../../../src/http/app.ts", import.meta.url));
    expect(map.sources.map((s) => resolve(join(dir, "deployed"), s))).toContain(app);
    expect(map.sourcesContent?.length).toBe(map.sources.length);

    const locate = sourceLocator(deployed.map, deployed.code);
    const { line, column } = position(deployed.code, '"Internal gateway error."');
    const place = locate(line, column);
    expect(place.module).toBe("src/http/app.ts");
    const appLines = readFileSync(new URL("../../../src/http/app.ts", import.meta.url), "utf8").split("\n");
    expect(appLines[place.line]).toContain("Internal gateway error.");
  });
});
