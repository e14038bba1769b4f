// One-off A/B (not part of `npm run bench`): Switchyard bundles side by side with the bare Worker, in interleaved rounds.
//
//   node bench/ab.ts                      # the tree as it is, against the bare Worker
//   node bench/ab.ts HEAD~3 49e026b       # ... and against bundles built from those commits
//   node bench/ab.ts --rounds 6 --profile # more rounds; then a CPU profile of each Switchyard isolate (top functions)
//   node bench/ab.ts --json-only X        # non-streaming rows only (for variants that answer no stream)
//   node bench/ab.ts --fresh X            # a new process for every variant in every round (started, warmed,
//                                         # measured, stopped), so what one process happens to be (its heap's growth,
//                                         # where the JIT settles) averages out over the rounds; prints each round too
//   node bench/ab.ts --wrangler-only      # ... and this tree's wrangler bundle without terser's pass (scripts/build.ts)
//   node bench/ab.ts --drop ASSETS,STATS  # every Switchyard variant without these bindings (default ASSETS, as the
//                                         # bench runs it; --drop '' keeps every binding)
//
// Each commit is checked out into a temporary worktree (node_modules linked), built by this tree's scripts/build.ts
// (wrangler deploy --dry-run, then terser) exactly as the bench builds, and its bundle copied under bench/out/ab/ (miniflare names modules by their path from
// the repository's root, so bundles must live under it). Measures what the reach table holds against the bare Worker:
// CPU per non-streaming request and per 20-chunk stream (the process tree's utime + stime), req/s at 16 connections,
// streams/s at 16 connections, p50 at 1 connection and the stream probe's first token (40 streams each, 20 chunks 10 ms
// apart, one at a time). Prints a Markdown table.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildWorker } from "../scripts/build.ts";
import { type CpuProfile, type CpuProfileNode, Inspector, listTargets } from "./inspector.ts";
import { type LoadRun, medianTiming, runLoad, type StreamTiming, streamProbe, summariseRuns } from "./load.ts";
import { treeCpuSeconds } from "./proc.ts";
import { sourceLocator, summarise } from "./profile.ts";
import { startEmulator, startWorker, stopAll, stopOne } from "./targets.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const roundsAt = args.indexOf("--rounds");
const ROUNDS = roundsAt >= 0 ? Number(args[roundsAt + 1]) : 4;
const JSON_ONLY = flag("--json-only");
const FRESH = flag("--fresh");
const WRANGLER_ONLY = flag("--wrangler-only");
const dropAt = args.indexOf("--drop");
/** Bindings every Switchyard variant runs without; as the bench runs it (no assets router in front) unless told. */
const DROP = dropAt >= 0 ? (args[dropAt + 1] ?? "").split(",").filter((b) => b !== "") : ["ASSETS"];
const commits = args.filter((a, i) => !a.startsWith("--") && args[i - 1] !== "--rounds" && args[i - 1] !== "--drop");
const REQUESTS = 1000;
const STREAMS = 300;

async function build(tree: string, outdir: string): Promise<string> {
  execFileSync("npm", ["run", "config", "--silent"], { cwd: tree, stdio: ["ignore", "ignore", "inherit"] });
  // This tree's build (wrangler, then terser), whatever the commit's own scripts: variants differ in code only.
  return buildWorker(outdir, tree);
}

async function buildCommit(rev: string): Promise<string> {
  const sha = execFileSync("git", ["rev-parse", "--short", rev], { cwd: root }).toString().trim();
  // ".min": built with terser's pass (bundles of wrangler's alone, from before it, are not reused).
  const out = join(root, "bench/out/ab", `${sha}.min.js`);
  if (existsSync(out)) return out;
  const tree = mkdtempSync(join(tmpdir(), "switchyard-ab-"));
  try {
    execFileSync("git", ["worktree", "add", "--detach", tree, sha], { cwd: root, stdio: "ignore" });
    symlinkSync(join(root, "node_modules"), join(tree, "node_modules"));
    const bundle = await build(tree, join(tree, "out"));
    mkdirSync(dirname(out), { recursive: true });
    cpSync(bundle, out);
    cpSync(`${bundle}.map`, `${out}.map`);
  } finally {
    execFileSync("git", ["worktree", "remove", "--force", tree], { cwd: root, stdio: "ignore" });
    rmSync(tree, { recursive: true, force: true });
  }
  return out;
}

/** Time each function (mapped through the source map) is on the stack of a sample, counted once per sample. */
function inclusive(profile: CpuProfile, locate: ReturnType<typeof sourceLocator>): [string, number][] {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const label = (n: CpuProfileNode) => {
    const { functionName, url, lineNumber, columnNumber } = n.callFrame;
    if (!url.includes("index.js")) return `${functionName || "(anonymous)"} · ${url || "(runtime)"}`;
    const place = locate(lineNumber, columnNumber);
    return `${place.name ?? functionName} · ${place.module}:${place.line + 1}`;
  };
  const labels = new Map(profile.nodes.map((n) => [n.id, label(n)]));
  const total = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const us = deltas[i + 1] ?? 0;
    const seen = new Set<string>();
    for (let id: number | undefined = samples[i]; id !== undefined; id = parent.get(id)) {
      const node = byId.get(id);
      if (!node || node.callFrame.functionName === "(root)" || node.callFrame.functionName === "(idle)") continue;
      seen.add(labels.get(id)!);
    }
    for (const l of seen) total.set(l, (total.get(l) ?? 0) + us);
  }
  return [...total].sort((a, b) => b[1] - a[1]);
}

try {
  const bundles = [{ name: "this tree", path: await build(root, join(root, "bench/out/ab/tree")) }];
  if (WRANGLER_ONLY)
    bundles.push({
      name: "this tree, wrangler's bundle alone",
      path: await buildWorker(join(root, "bench/out/ab/tree-wrangler"), root, { terser: false }),
    });
  for (const rev of commits) bundles.push({ name: rev, path: await buildCommit(rev) });
  const emulator = await startEmulator(root);
  await emulator.setStream({ chunks: 20, delayMs: 0 });
  const upstream = emulator.started.url;
  type Variant = {
    name: string;
    start: () => ReturnType<typeof startWorker>;
    target?: Awaited<ReturnType<typeof startWorker>>;
  };
  const variants: Variant[] = [
    { name: "bare Worker", start: () => startWorker(root, "bare", join(root, "bench/bare-worker.js"), upstream) },
    ...bundles.map((b) => ({ name: b.name, start: () => startWorker(root, "switchyard", b.path, upstream, DROP) })),
  ];
  const warm = async (v: Variant) => {
    await runLoad(v.target!.endpoint, { connections: 16, stream: false, durationS: 1 });
    if (!JSON_ONLY) await runLoad(v.target!.endpoint, { connections: 16, stream: true, durationS: 1 });
  };
  // One at a time: each picks free ports, and two starting together could pick the same.
  if (!FRESH) {
    for (const v of variants) v.target = await v.start();
    for (const v of variants) await warm(v);
  }
  const acc = variants.map(() => ({ c1: [] as LoadRun[], reqS: 0, reqs: 0, reqSec: 0, cpuS: 0, streams: 0, sec: 0 }));
  /** Each round's CPU per request and per stream, per variant (ms). */
  const perRound = variants.map(() => [] as { cpu: number; cpuStream: number }[]);
  for (let round = 0; round < ROUNDS; round++) {
    // A rotating order, so a burst of other work on the shared machine spreads over all variants.
    for (let k = 0; k < variants.length; k++) {
      const i = (k + round) % variants.length;
      const v = variants[i]!;
      if (FRESH) {
        v.target = await v.start();
        await warm(v);
      }
      const target = v.target!;
      const a = acc[i]!;
      a.c1.push(await runLoad(target.endpoint, { connections: 1, stream: false, durationS: 1.5 }));
      const t0 = treeCpuSeconds(target.started.pid);
      const json = await runLoad(target.endpoint, { connections: 16, stream: false, amount: REQUESTS });
      const t1 = treeCpuSeconds(target.started.pid);
      const stream = JSON_ONLY
        ? { latencies: [], errors: 0, seconds: 1 }
        : await runLoad(target.endpoint, { connections: 16, stream: true, amount: STREAMS });
      const t2 = treeCpuSeconds(target.started.pid);
      const reqs = json.latencies.length + json.errors;
      const streams = stream.latencies.length + stream.errors;
      a.reqS += t1 - t0;
      a.reqs += reqs;
      a.reqSec += json.seconds;
      a.cpuS += t2 - t1;
      a.streams += streams;
      a.sec += stream.seconds;
      perRound[i]!.push({ cpu: ((t1 - t0) * 1000) / reqs, cpuStream: ((t2 - t1) * 1000) / Math.max(1, streams) });
      if (FRESH && round < ROUNDS - 1) {
        await stopOne(target.started.pid);
        v.target = undefined;
      }
    }
  }
  // The last round's processes stay for the probe (with --fresh and no rounds, none was started yet).
  for (const v of variants) v.target ??= await v.start();
  // The stream probe, as the bench takes it: one stream at a time, 20 content chunks 10 ms apart, in turns.
  await emulator.setStream({ chunks: 20, delayMs: 10 });
  const probes = variants.map(() => [] as StreamTiming[]);
  for (let round = 0; round < (JSON_ONLY ? 0 : 4); round++)
    for (const [i, v] of variants.entries()) probes[i]!.push(...(await streamProbe(v.target!.endpoint, 10)));
  const ttft = probes.map((p) => (p.length === 0 ? Number.NaN : medianTiming(p).firstToken));
  const rows = acc.map((a) => ({
    p50: summariseRuns(a.c1).p50,
    cpu: (a.reqS * 1000) / a.reqs,
    rps: a.reqs / a.reqSec,
    cpuStream: (a.cpuS * 1000) / a.streams,
    sps: a.streams / a.sec,
  }));
  const bare = rows[0]!;
  const x = (v: number, b: number) => `${(v / b).toFixed(2)}×`;
  console.log(
    `\n${ROUNDS} interleaved rounds${FRESH ? " (a fresh process per variant per round)" : ""} of ${REQUESTS} requests and ${STREAMS} streams (20 chunks) at 16 connections, 1.5 s at 1 connection; ${new Date().toISOString()}\n`,
  );
  console.log(
    "| variant | CPU ms / request | × bare | req/s (16) | × bare | CPU ms / stream | × bare | streams/s (16) | × bare | p50 ms (1) | vs bare | first token ms | vs bare |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const [i, v] of variants.entries()) {
    const r = rows[i]!;
    console.log(
      `| ${v.name} | ${r.cpu.toFixed(3)} | ${x(r.cpu, bare.cpu)} | ${r.rps.toFixed(0)} | ${x(r.rps, bare.rps)} | ${r.cpuStream.toFixed(3)} | ${x(r.cpuStream, bare.cpuStream)} | ${r.sps.toFixed(0)} | ${x(r.sps, bare.sps)} | ${r.p50.toFixed(2)} | ${(r.p50 - bare.p50 >= 0 ? "+" : "") + (r.p50 - bare.p50).toFixed(2)} | ${ttft[i]!.toFixed(2)} | ${(ttft[i]! - ttft[0]! >= 0 ? "+" : "") + (ttft[i]! - ttft[0]!).toFixed(2)} |`,
    );
  }
  console.log("\nCPU ms per request / per stream, round by round (a fresh process each round with --fresh):\n");
  for (const [i, v] of variants.entries())
    console.log(
      `- ${v.name}: ${perRound[i]!.map((r) => `${r.cpu.toFixed(3)} / ${r.cpuStream.toFixed(3)}`).join(", ")}`,
    );
  if (flag("--profile")) {
    // The first Switchyard variant's Worker isolate, non-streaming and streaming: top functions by self time.
    const v = { ...variants[1]!, target: variants[1]!.target! };
    const locate = sourceLocator(
      readFileSync(`${bundles[0]!.path}.map`, "utf8"),
      readFileSync(bundles[0]!.path, "utf8"),
    );
    for (const stream of [false, true]) {
      const targets = await listTargets(v.target.started.inspector);
      const t = targets.find((x) => x.id === v.target.started.inspectorTargetId);
      if (!t) throw new Error("no inspector target");
      const inspector = await Inspector.connect(t.webSocketDebuggerUrl);
      let requests = 0;
      const poke = async () => {
        await fetch(v.target.endpoint.url, {
          method: "POST",
          body: "{}",
          headers: { "content-type": "application/json" },
        })
          .then((r) => r.arrayBuffer())
          .catch(() => undefined);
      };
      const profile = await inspector.profile(poke, async () => {
        requests = (await runLoad(v.target.endpoint, { connections: 16, stream, durationS: 4 })).latencies.length;
      });
      inspector.close();
      const s = summarise(profile, "index.js", locate, 40);
      console.log(`\n${stream ? "streaming" : "non-streaming"}: ${requests} requests; µs of self time per request`);
      for (const row of s.byFunction.slice(0, 40))
        console.log(`${((row.selfMs * 1000) / requests).toFixed(1).padStart(8)}  ${row.name}`);
      console.log(`\n${stream ? "streaming" : "non-streaming"}: µs of inclusive time per request (on the stack)`);
      for (const [name, us] of inclusive(profile, locate).slice(0, 50))
        console.log(`${(us / requests).toFixed(1).padStart(8)}  ${name}`);
    }
  }
} finally {
  await stopAll();
}
process.exit(0);
