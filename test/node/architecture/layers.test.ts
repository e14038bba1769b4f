// The layering of src/ (docs/architecture.md), checked on the import graph: every relative import of every src/**.ts
// file either stays in its layer or goes down, and only src/http (and the Worker's entry) imports src/http.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = join(dirname(fileURLToPath(import.meta.url)), "../../../src");

/** Layers from the top; a file may import its own layer's files and any layer below it. */
const LAYERS: readonly (readonly string[])[] = [
  ["index.ts"],
  ["http", "rpc", "dashboard"],
  ["dialects"],
  ["gateway"],
  ["execute", "routing"],
  ["stats", "ledger", "keys", "providers", "observability", "cache", "env.ts"],
  ["core", "config", "registry", "streams", "db"],
];

/** A src-relative path's layer (0 is the top), by its first segment (a folder, or a file directly in src/). */
function layerOf(path: string): number {
  const room = path.split("/")[0] ?? "";
  const index = LAYERS.findIndex((layer) => layer.includes(room));
  if (index < 0) throw new Error(`${path} is in no layer: add "${room}" to LAYERS and to docs/architecture.md`);
  return index;
}

/** Relative module specifiers of `import ... from`, `export ... from`, `import("...")` and bare `import "..."`. */
function relativeImports(source: string): string[] {
  const found: string[] = [];
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["'](\.{1,2}\/[^"']+)["']/g;
  for (const match of source.matchAll(pattern)) if (match[1] !== undefined) found.push(match[1]);
  return found;
}

/** Every import that breaks the layering, given the graph as src-relative file -> src-relative imported files. */
function violations(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    for (const to of targets) {
      if (to.startsWith("..")) {
        out.push(`${from} imports ${to}, outside src/`);
        continue;
      }
      const fromRoom = from.split("/")[0];
      if (to.startsWith("http/") && fromRoom !== "http" && from !== "index.ts")
        out.push(`${from} imports ${to}: only src/http and the entry may import src/http`);
      else if (layerOf(to) < layerOf(from)) out.push(`${from} imports ${to}, a layer above it`);
    }
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

/** The import graph of src/, read from disk. */
function srcGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const from = relative(SRC, file).split("\\").join("/");
    const targets = relativeImports(readFileSync(file, "utf8")).map((spec) =>
      relative(SRC, normalize(join(dirname(file), spec)))
        .split("\\")
        .join("/"),
    );
    graph.set(from, targets);
  }
  return graph;
}

describe("the layers of src/", () => {
  it("the checker catches an upward import, an import of src/http, and a file in no layer", () => {
    const bad = new Map<string, string[]>([
      ["core/types.ts", ["dialects/chat/request.ts"]],
      ["ledger/budget-gate.ts", ["routing/plan-types.ts", "core/types.ts"]],
      ["gateway/run.ts", ["http/errors.ts", "execute/run-plan.ts"]],
      ["http/chat-route.ts", ["http/errors.ts", "gateway/run.ts"]],
      ["index.ts", ["http/app.ts"]],
    ]);
    expect(violations(bad)).toEqual([
      "core/types.ts imports dialects/chat/request.ts, a layer above it",
      "ledger/budget-gate.ts imports routing/plan-types.ts, a layer above it",
      "gateway/run.ts imports http/errors.ts: only src/http and the entry may import src/http",
    ]);
    expect(() => violations(new Map([["misc/x.ts", ["core/types.ts"]]]))).toThrow(/in no layer/);
    expect(
      relativeImports(
        `import type { A } from "../a.ts";\nexport { B } from './b.ts';\nimport "./c.ts";\nconst d = await import("../d.ts");\nimport { z } from "zod";`,
      ),
    ).toEqual(["../a.ts", "./b.ts", "./c.ts", "../d.ts"]);
  });

  it("every relative import in src/ goes down or stays in its layer", () => {
    const graph = srcGraph();
    // The graph is real: the walk found the tree and its imports, so an empty result means something.
    expect(graph.size).toBeGreaterThan(50);
    expect(graph.get("http/chat-route.ts")).toContain("gateway/run.ts");
    expect(violations(graph)).toEqual([]);
  });
});
