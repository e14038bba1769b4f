// `npm run bench` (full, writes docs/BENCHMARKS.md) and `npm run bench:smoke` (~20 s, prints only): build, start, measure, report.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, release, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { buildWorker } from "../scripts/build.ts";
import { closeProbeAgent, type Endpoint, runLoad, streamOnce } from "./load.ts";
import { treeRssBytes } from "./proc.ts";
import { bundleComposition } from "./profile.ts";
import { renderReport, verdicts } from "./report.ts";
import {
  type BundleSize,
  type RunResults,
  type RunSettings,
  TARGETS,
  type TargetName,
  type TargetResult,
} from "./results.ts";
import { measureCpu, measureLoad, measureMemory, measureProbe, measureProfiles, type Targets } from "./scenarios.ts";
import { killAll, startEmulator, startPortkey, startWorker, stopAll } from "./targets.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const smoke = process.argv.includes("--smoke");
const outArg = process.argv.indexOf("--out");
const outPath =
  outArg > 0
    ? process.argv[outArg + 1]!
    : smoke
      ? join(root, "bench/out/BENCHMARKS.smoke.md")
      : join(root, "docs/BENCHMARKS.md");

const settings: RunSettings = smoke
  ? {
      mode: "smoke",
      rounds: 1,
      loadSeconds: 0.25,
      warmupSeconds: 0.2,
      connections: [1, 16, 64],
      cpuRequests: 300,
      cpuStreams: 60,
      streamChunks: 20,
      probeChunks: 5,
      probeDelayMs: 5,
      probeCount: 3,
      profileSeconds: 0.25,
    }
  : {
      mode: "full",
      rounds: 4,
      loadSeconds: 8,
      warmupSeconds: 3,
      connections: [1, 16, 64],
      cpuRequests: 4000,
      cpuStreams: 1000,
      streamChunks: 20,
      probeChunks: 20,
      probeDelayMs: 10,
      probeCount: 40,
      profileSeconds: 4,
    };

// A hard stop: whatever hangs, the bench ends and takes its children with it.
// Generous: on the shared machine a busy hour can double the run's length.
const hardStopS = smoke ? 180 : 1500;
const hardStop = setTimeout(() => {
  console.error(`bench: still running after ${hardStopS} s; stopping`);
  killAll();
  process.exit(1);
}, hardStopS * 1000);
hardStop.unref();

const t0 = Date.now();
const log = (msg: string) => process.stderr.write(`bench [${((Date.now() - t0) / 1000).toFixed(1)} s]: ${msg}\n`);
function gzipSizeOf(files: string[]): { bytes: number; gzip: number } {
  const content = Buffer.concat(files.map((f) => readFileSync(f)));
  return { bytes: content.length, gzip: gzipSync(content, { level: 9 }).length };
}

/**
 * A control for the comparison with Portkey, whose published build loads its dependencies from node_modules: the
 * same entry bundled by esbuild as wrangler does (minified, names kept), with the npm dependencies left out.
 */
async function buildWithoutDependencies(outfile: string): Promise<string[]> {
  const { build: esbuild } = await import("esbuild");
  const deps = Object.keys(
    (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { dependencies: Record<string, string> })
      .dependencies,
  );
  await esbuild({
    entryPoints: [join(root, "src/index.ts")],
    outfile,
    bundle: true,
    format: "esm",
    minify: true,
    keepNames: true,
    platform: "neutral",
    mainFields: ["module", "main"],
    conditions: ["workerd", "worker", "browser"],
    external: ["cloudflare:*", "node:*", ...deps.flatMap((d) => [d, `${d}/*`])],
    logLevel: "error",
  });
  return [outfile];
}

function pkgVersion(name: string): string {
  return (JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")) as { version: string })
    .version;
}

/** 1, 5 and 15 minute load averages: how busy the shared machine was (other work skews every target alike). */
const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
const loadBefore = loadavg();

function machine(): RunResults["machine"] {
  const cpu = /model name\s*:\s*(.+)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1]?.trim() ?? "unknown CPU";
  return {
    nproc: availableParallelism(),
    cpu,
    memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    kernel: release(),
    loadBefore,
    loadAfter: loadavg(),
  };
}

/** Every target must answer correctly before it is timed: a fast wrong answer is not a result. */
async function check(name: string, endpoint: Endpoint): Promise<void> {
  const res = await fetch(endpoint.url, {
    method: "POST",
    headers: { "content-type": "application/json", ...endpoint.headers },
    body: JSON.stringify({ model: endpoint.model, messages: [{ role: "user", content: "Say hello." }] }),
  });
  const text = await res.text();
  if (res.status !== 200 || !text.includes("Hello! How can I help you today?"))
    throw new Error(`${name} answered ${res.status}: ${text.slice(0, 500)}`);
  const timing = await streamOnce(endpoint);
  if (timing.tokens < 1) throw new Error(`${name} streamed no content`);
}

async function main(): Promise<void> {
  const began = Date.now();
  mkdirSync(join(root, "bench/out"), { recursive: true });

  log("building the Worker bundle (scripts/build.ts: wrangler deploy --dry-run, then terser)");
  const bundleDir = join(root, "bench/out/bundle");
  // The deployed build, as `npm run build` and `npm run deploy` make it: one file (its source map is not counted).
  const bundleFiles = [await buildWorker(bundleDir)];
  const ownFiles = await buildWithoutDependencies(join(root, "bench/out/bundle-own/index.js"));
  const scriptPath = join(bundleDir, "index.js");
  const portkeyBuild = join(root, "node_modules/@portkey-ai/gateway/build");
  const portkeyJs = readdirSync(portkeyBuild)
    .filter((f) => f.endsWith(".js"))
    .map((f) => join(portkeyBuild, f));
  const bundles: BundleSize[] = [
    {
      name: "Switchyard, as deployed",
      ...gzipSizeOf(bundleFiles),
      note: "`npm run build` (scripts/build.ts): wrangler's bundle, minified as wrangler.toml sets it, then by terser (source map beside it, not counted): everything the Worker runs (Hono, zod, config) in one file; the dashboard's files are static assets beside it, not counted",
    },
    {
      name: "Switchyard, without its npm dependencies (control)",
      ...gzipSizeOf(ownFiles),
      note: "the same entry through esbuild, minified, with its npm dependencies (hono, zod) left out: measured as Portkey's build is",
    },
    {
      name: "Portkey, published build",
      ...gzipSizeOf(portkeyJs),
      note: "`build/start-server.js` of @portkey-ai/gateway, minified; its dependencies (hono, zod, ws, ioredis, …) are not in it but loaded from node_modules",
    },
  ];

  log("starting the emulator and the targets");
  const emulator = await startEmulator(root);
  const upstream = emulator.started.url;
  const [bare, switchyard, portkey] = await Promise.all([
    startWorker(root, "bare", join(root, "bench/bare-worker.js"), upstream),
    // Without its static assets: miniflare would put its assets router, a JavaScript Worker, in front of Switchyard
    // (the load never asks for the dashboard; bench/assets-router.ts measures what the router costs, ANALYSIS.md §2).
    startWorker(root, "switchyard", scriptPath, upstream, ["ASSETS"]),
    startPortkey(root, upstream),
  ]);
  const targets: Targets = {
    direct: emulator,
    "bare Worker": bare,
    Switchyard: switchyard,
    Portkey: portkey,
  };
  await emulator.setStream({ chunks: settings.streamChunks, delayMs: 0 });
  for (const name of TARGETS) await check(name, targets[name].endpoint);

  log("warming up");
  for (const name of TARGETS) {
    await runLoad(targets[name].endpoint, { connections: 16, stream: false, durationS: settings.warmupSeconds });
    await runLoad(targets[name].endpoint, { connections: 16, stream: true, durationS: settings.warmupSeconds / 2 });
  }

  const { json, stream16 } = await measureLoad(targets, settings, log);
  const { perRequest: cpuPerRequest, perStream: cpuPerStream } = await measureCpu(targets, settings, log);
  const probe = await measureProbe(targets, settings, emulator, log);
  const profiles = await measureProfiles(
    targets,
    settings,
    { script: readFileSync(scriptPath, "utf8"), sourceMap: readFileSync(`${scriptPath}.map`, "utf8") },
    log,
  );
  const { heap, helperHeaps } = await measureMemory(targets, log);

  const results = {} as Record<TargetName, TargetResult>;
  for (const name of TARGETS) {
    results[name] = {
      name,
      json: json[name],
      stream16: stream16[name],
      probe: probe[name],
      cpuMsPerRequest: cpuPerRequest[name],
      cpuMsPerStream: cpuPerStream[name],
      heapUsed: heap[name],
      rss: treeRssBytes(targets[name].started.pid),
    };
  }
  closeProbeAgent();
  await stopAll();

  const workerdVersion = execFileSync(join(root, "node_modules/workerd/bin/workerd"), ["--version"]).toString().trim();
  const run: RunResults = {
    settings,
    startedAt: new Date(began).toISOString().replace(/\.\d+Z$/, "Z"),
    durationS: (Date.now() - began) / 1000,
    targets: results,
    bundles,
    composition: bundleComposition(readFileSync(`${scriptPath}.map`, "utf8"), readFileSync(scriptPath, "utf8")).slice(
      0,
      15,
    ),
    profiles,
    helperHeaps,
    machine: machine(),
    versions: {
      node: process.version,
      workerd: `${workerdVersion} (npm workerd ${pkgVersion("workerd")})`,
      wrangler: pkgVersion("wrangler"),
      miniflare: pkgVersion("miniflare"),
      "@portkey-ai/gateway": pkgVersion("@portkey-ai/gateway"),
      "@hono/node-server (for Portkey)": pkgVersion("@hono/node-server"),
      autocannon: pkgVersion("autocannon"),
      hono: pkgVersion("hono"),
    },
    commands: [
      "npm ci                 # once: node 22, wrangler, workerd, autocannon and Portkey come from package-lock.json",
      "npm run bench          # = node bench/run.ts; about 5 min; rewrites docs/BENCHMARKS.md (bench/out/results.json keeps the raw figures)",
      "npm run bench:smoke    # = node bench/run.ts --smoke; about 20 s; every target and scenario briefly, prints the report, asserts no reach",
      "node bench/run.ts --render   # re-renders docs/BENCHMARKS.md from bench/out/results.json (after editing bench/ANALYSIS.md)",
      "node bench/ab-writes.ts      # the one-off A/B in the analysis: Switchyard with and without its per-request writes",
      "node bench/commit-point.ts   # the one-off in the analysis: what holding headers until the first token costs on workerd",
      "node bench/stream-floor.ts   # the control in the analysis: what reading requests and streams in JavaScript costs on workerd",
      "node bench/ab.ts [commit ...] # the A/B in the analysis: this tree's bundle beside bundles built from commits, in one run",
      "# inside, in this order: node scripts/build.ts bench/out/bundle (wrangler deploy --dry-run, minified as wrangler.toml says, then terser);",
      "# the control bundle without npm dependencies (esbuild, bench/out/bundle-own);",
      "# node bench/emulator.ts; node bench/worker-host.ts (bare Worker, Switchyard); node --import bench/portkey-pin.ts \\",
      "#   node_modules/@portkey-ai/gateway/build/start-server.js --port=<port> --headless; then the scenarios, in-process, with autocannon",
    ],
  };
  writeFileSync(join(root, "bench/out/results.json"), JSON.stringify(run, null, 2));
  const analysis = join(root, "bench/ANALYSIS.md");
  const report = renderReport(run, !smoke && existsSync(analysis) ? analysis : null);
  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(outPath, report);
  process.stdout.write(report + "\n");
  const missed = verdicts(run).filter((v) => !v.met);
  log(
    `done in ${Math.round(run.durationS)} s; wrote ${outPath}; reach: ${missed.length === 0 ? "all met" : `${missed.length} missed (${missed.map((m) => m.what).join("; ")})`}`,
  );
}

/** `--render`: rewrites the report from the last run's bench/out/results.json (after editing bench/ANALYSIS.md). */
async function renderOnly(): Promise<void> {
  const run = JSON.parse(readFileSync(join(root, "bench/out/results.json"), "utf8")) as RunResults;
  const analysis = join(root, "bench/ANALYSIS.md");
  const target =
    outArg > 0
      ? outPath
      : run.settings.mode === "smoke"
        ? join(root, "bench/out/BENCHMARKS.smoke.md")
        : join(root, "docs/BENCHMARKS.md");
  writeFileSync(target, renderReport(run, run.settings.mode === "full" && existsSync(analysis) ? analysis : null));
  log(`rendered ${target} from bench/out/results.json`);
}

(process.argv.includes("--render") ? renderOnly() : main())
  .catch((err: unknown) => {
    console.error("bench failed:", err);
    process.exitCode = 1;
  })
  .finally(async () => {
    await stopAll();
    clearTimeout(hardStop);
    // autocannon and the inspector sockets may hold the loop open; the results are written, so end now.
    setTimeout(() => process.exit(process.exitCode ?? 0), 100).unref();
  });
