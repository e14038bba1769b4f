// Summarises a V8 CPU profile: self time by source module (via the bundle's source map) and by function.
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

/** A decoded source map: for each generated line, its segments' generated columns and source indexes, in order. */
interface DecodedMap {
  sources: string[];
  names: string[];
  lines: { cols: Int32Array; srcs: Int32Array; origLines: Int32Array; names: Int32Array }[];
}

const B64 = new Map([..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"].map((c, i) => [c, i]));

/** Decodes a v3 source map's `mappings` (base64 VLQ), keeping only what locating a sample needs. */
function decodeMap(map: { sources: string[]; names?: string[]; mappings: string }): DecodedMap {
  const lines: DecodedMap["lines"] = [];
  let src = 0;
  let origLine = 0;
  let name = 0;
  for (const line of map.mappings.split(";")) {
    const cols: number[] = [];
    const srcs: number[] = [];
    const origLines: number[] = [];
    const names: number[] = [];
    let col = 0;
    for (const segment of line.split(",")) {
      if (segment === "") continue;
      const fields: number[] = [];
      let value = 0;
      let shift = 0;
      for (const ch of segment) {
        const digit = B64.get(ch) ?? 0;
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      col += fields[0] ?? 0;
      if (fields.length >= 4) {
        src += fields[1]!;
        origLine += fields[2]!;
      }
      if (fields.length >= 5) name += fields[4]!;
      cols.push(col);
      srcs.push(fields.length >= 4 ? src : -1);
      origLines.push(origLine);
      names.push(fields.length >= 5 ? name : -1);
    }
    lines.push({
      cols: Int32Array.from(cols),
      srcs: Int32Array.from(srcs),
      origLines: Int32Array.from(origLines),
      names: Int32Array.from(names),
    });
  }
  return { sources: map.sources, names: map.names ?? [], lines };
}

/** A source path as the report shows it: ours from src/, a dependency from its node_modules/ on. */
function tidyPath(path: string): string {
  const dep = path.lastIndexOf("node_modules/");
  // A package whose own source map points outside itself (drizzle-orm's `../src/*.ts`): named as such, not as ours.
  if (dep >= 0 && path.startsWith("node_modules/src/", dep))
    return `(a dependency's own source map)/${path.slice(dep + 13)}`;
  if (dep >= 0) return path.slice(dep);
  const own = path.search(/(?:^|\/)src\//);
  return own >= 0 ? path.slice(own).replace(/^\//, "") : path.replace(/^(?:\.\.\/)+/, "");
}

/** Where a sample's function is: its source file, 0-based line there, and its name in the source where the map has it. */
export interface SourcePlace {
  module: string;
  line: number;
  name: string | null;
}

const PRELUDE: SourcePlace = { module: "(bundle prelude)", line: 0, name: null };

/** How far past a function's position (V8's, at its `function` keyword) its name's mapping may sit. */
const NAME_REACH = 48;

/** The identifier a function is known by, just before V8's position: `name(` (a method), `name=(…)=>`, `name:(…)=>`. */
const NAME_BEFORE = /([A-Za-z_$#][\w$]*)\s*(?:[=:]\s*(?:async\s*)?)?$/;
const NOT_NAMES = new Set(["function", "async", "return", "await", "yield", "new", "typeof", "case", "in", "of"]);

/**
 * Maps a 0-based line and column of the deployed (minified) bundle to the source file and line it came from, and the
 * function's name in the source, through the bundle's source map (wrangler writes it beside the bundle).
 */
export function sourceLocator(mapJson: string, bundle: string): (line: number, column: number) => SourcePlace {
  const map = decodeMap(JSON.parse(mapJson) as { sources: string[]; mappings: string });
  const sources = map.sources.map(tidyPath);
  const text = bundle.split("\n");
  /** The index of the last segment of `entry` at or before `column`; -1 if none. */
  const segmentAt = (entry: DecodedMap["lines"][number], column: number) => {
    let lo = 0;
    let hi = entry.cols.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (entry.cols[mid]! <= column) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
  return (line, column) => {
    const entry = map.lines[line];
    if (!entry || entry.cols.length === 0) return PRELUDE;
    const found = segmentAt(entry, column);
    const src = found >= 0 ? entry.srcs[found]! : -1;
    if (src < 0 || sources[src] === undefined) return PRELUDE;
    let name: string | null = null;
    // A method or an arrow function held by a name: the identifier right before the position, as the source names it.
    const before = NAME_BEFORE.exec((text[line] ?? "").slice(Math.max(0, column - 64), column));
    if (before && !NOT_NAMES.has(before[1]!)) {
      const at = column - before[0].length;
      const i = segmentAt(entry, at);
      const n = i >= 0 && entry.cols[i] === at ? entry.names[i]! : -1;
      name = n >= 0 ? (map.names[n] ?? before[1]!) : before[1]!;
    } else {
      // A function declaration: its minified name's segment, the first named one at or just after the position.
      for (let i = Math.max(0, found); i < entry.cols.length && entry.cols[i]! <= column + NAME_REACH; i++) {
        const n = entry.names[i]!;
        if (n >= 0) {
          name = map.names[n] ?? null;
          break;
        }
      }
    }
    return { module: sources[src], line: entry.origLines[found]!, name };
  };
}

/** The group a bundled file counts under: our files by directory, dependencies by package, zod's locales apart. */
function compositionGroup(path: string): string {
  if (path.startsWith("src/config/generated") || path.startsWith("src/dashboard/generated")) return path;
  if (path.startsWith("src/")) return path.split("/").slice(0, 2).join("/");
  if (path.startsWith("node_modules/zod/v4/locales/")) return "zod (locales)";
  return moduleGroup(path);
}

/**
 * Bytes of the deployed bundle per module group, largest first, from its source map: each mapped segment of the
 * minified output counts for the source it came from, up to the next segment (characters, which is bytes for this
 * ASCII bundle). What no segment maps (the bundle's own glue) counts as "(unmapped)".
 */
export function bundleComposition(mapJson: string, bundle: string): { name: string; bytes: number }[] {
  const map = decodeMap(JSON.parse(mapJson) as { sources: string[]; mappings: string });
  const groups = map.sources.map((s) => compositionGroup(tidyPath(s)));
  const parts = new Map<string, number>();
  const add = (group: string, n: number) => parts.set(group, (parts.get(group) ?? 0) + n);
  const lines = bundle.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const length = lines[i]!.length;
    const entry = map.lines[i];
    const count = entry?.cols.length ?? 0;
    if (entry === undefined || count === 0) {
      add("(unmapped)", length);
      continue;
    }
    add("(unmapped)", entry.cols[0]!);
    for (let k = 0; k < count; k++) {
      const end = k + 1 < count ? entry.cols[k + 1]! : length;
      const src = entry.srcs[k]!;
      add(src >= 0 ? groups[src]! : "(unmapped)", end - entry.cols[k]!);
    }
  }
  return [...parts].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/** Groups dependency files by package (hono, zod, …) and keeps our own files by path. */
function moduleGroup(path: string): string {
  const dep = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (dep) return dep[1]!;
  return path.startsWith("(") ? path.slice(0, path.indexOf(")") + 1) : path;
}

const SPECIAL = new Set(["(idle)", "(program)", "(garbage collector)", "(root)"]);

export function summarise(
  profile: CpuProfile,
  bundleUrlPart: string | null,
  locate: ((line: number, column: number) => SourcePlace) | null,
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
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    if (functionName === "(idle)") {
      idleUs += us;
      continue;
    }
    busyUs += us;
    let module: string;
    let line = lineNumber;
    let name = functionName;
    if (SPECIAL.has(functionName)) module = functionName;
    else if (locate && bundleUrlPart !== null && url.includes(bundleUrlPart)) {
      const place = locate(lineNumber, columnNumber);
      module = moduleGroup(place.module);
      line = place.line;
      // Minified names are short; the source map's name is the one the source gives.
      if (place.name !== null && name.length <= 3) name = place.name;
    } else if (url === "") module = "(runtime builtins)";
    else module = url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*\/bench\//, "bench/");
    modules.set(module, (modules.get(module) ?? 0) + us);
    if (!SPECIAL.has(module) && module !== "(runtime builtins)") codeUs += us;
    const fn = `${name || "(anonymous)"} · ${module}${SPECIAL.has(functionName) ? "" : `:${line + 1}`}`;
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
