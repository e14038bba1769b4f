// Summarises a V8 CPU profile: self time by source module (via the bundle's `// path` markers) and by function.
import { gzipSync } from "node:zlib";
import type { CpuProfile } from "./inspector.ts";

export interface ProfileRow {
  name: string;
  /** Self time in ms over the whole profile. */
  selfMs: number;
  /** Share of all non-idle samples. */
  share: number;
}

export interface ProfileSummary {
  busyMs: number;
  idleMs: number;
  /** Self time in the Worker's own code and its bundled dependencies: not runtime builtins, GC or "(program)". */
  codeMs: number;
  byModule: ProfileRow[];
  byFunction: ProfileRow[];
}

/** esbuild (under wrangler) opens each bundled module with a `// <path>` line; maps a 0-based line to that path. */
export function moduleMap(bundle: string): (line: number) => string {
  const starts: { line: number; path: string }[] = [];
  bundle.split("\n").forEach((text, line) => {
    const match = /^\/\/ (\S+\.(?:[cm]?[jt]sx?|json))$/.exec(text);
    if (!match) return;
    // A dependency may be marked by a relative path that climbs out of the project (a symlinked node_modules).
    const path = match[1]!;
    const dep = path.lastIndexOf("node_modules/");
    starts.push({ line, path: dep >= 0 ? path.slice(dep) : path });
  });
  return (line) => {
    let lo = 0;
    let hi = starts.length - 1;
    let found = "(bundle prelude)";
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]!.line <= line) {
        found = starts[mid]!.path;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
}

/**
 * Bytes of the bundle per module group (our files by directory, dependencies by package; zod's locales apart, as
 * the gateway never shows a translated message), largest first, each with its size gzipped on its own.
 */
export function bundleComposition(bundle: string): { name: string; bytes: number; gzip: number }[] {
  const lines = bundle.split("\n");
  const locate = moduleMap(bundle);
  const parts = new Map<string, string[]>();
  lines.forEach((text, line) => {
    const path = locate(line);
    let group: string;
    if (path.startsWith("src/config/generated")) group = path;
    else if (path.startsWith("src/")) group = path.split("/").slice(0, 2).join("/");
    else if (path.startsWith("node_modules/zod/v4/locales/")) group = "zod (locales)";
    else group = moduleGroup(path);
    const list = parts.get(group) ?? [];
    list.push(text);
    parts.set(group, list);
  });
  return [...parts]
    .map(([name, texts]) => {
      const text = texts.join("\n") + "\n";
      return { name, bytes: Buffer.byteLength(text), gzip: gzipSync(text, { level: 9 }).length };
    })
    .sort((a, b) => b.bytes - a.bytes);
}

/** Groups dependency files by package (hono, zod, …) and keeps our own files by path. */
function moduleGroup(path: string): string {
  const dep = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  return dep ? dep[1]! : path;
}

const SPECIAL = new Set(["(idle)", "(program)", "(garbage collector)", "(root)"]);

export function summarise(
  profile: CpuProfile,
  bundleUrlPart: string | null,
  locate: ((line: number) => string) | null,
  top = 12,
): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // A sample's time is the delta to the next sample (V8 records the delta before each sample).
  for (let i = 0; i < samples.length; i++) {
    const next = deltas[i + 1] ?? 0;
    selfUs.set(samples[i]!, (selfUs.get(samples[i]!) ?? 0) + next);
  }
  const modules = new Map<string, number>();
  const functions = new Map<string, number>();
  let idleUs = 0;
  let busyUs = 0;
  let codeUs = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === "(idle)") {
      idleUs += us;
      continue;
    }
    busyUs += us;
    let module: string;
    if (SPECIAL.has(functionName)) module = functionName;
    else if (locate && bundleUrlPart !== null && url.includes(bundleUrlPart)) module = moduleGroup(locate(lineNumber));
    else if (url === "") module = "(runtime builtins)";
    else module = url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*\/bench\//, "bench/");
    modules.set(module, (modules.get(module) ?? 0) + us);
    if (!SPECIAL.has(module) && module !== "(runtime builtins)") codeUs += us;
    const fn = `${functionName || "(anonymous)"} · ${module}${SPECIAL.has(functionName) ? "" : `:${lineNumber + 1}`}`;
    functions.set(fn, (functions.get(fn) ?? 0) + us);
  }
  const rows = (map: Map<string, number>): ProfileRow[] =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, selfMs: us / 1000, share: busyUs === 0 ? 0 : us / busyUs }));
  return {
    busyMs: busyUs / 1000,
    idleMs: idleUs / 1000,
    codeMs: codeUs / 1000,
    byModule: rows(modules),
    byFunction: rows(functions),
  };
}
