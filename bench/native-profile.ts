// One-off profile (not part of `npm run bench`): where workerd's CPU goes per request, in the runtime's own code as well
// as in JavaScript, for the bare Worker and for Switchyard side by side. The inspector's profiles see JavaScript only,
// and loosely (bench/ANALYSIS.md); Linux `perf` samples the whole workerd process, C++ and kernel included.
//
//   node bench/native-profile.ts [--stream] [--requests N]
//
// Needs `perf` (Debian: linux-perf) and the right to attach to a process. Switchyard is built as the bench builds it
// but not minified (bench/out/native), so that V8's `--perf-basic-prof` map (passed to workerd through miniflare's
// MINIFLARE_WORKERD_V8_FLAGS) names its functions. Each target runs as the bench runs it (Switchyard without ASSETS),
// is warmed, then sampled (`perf record -F 2000 -g -p <workerd>`) over N requests at 16 connections (4,000 by default;
// 1,000 streams of 20 chunks with --stream) while the process tree's CPU is read from /proc. Every sample is put in the
// first category whose marker is on its stack, and each category's share of the samples is scaled by the CPU the tree
// used per request in the same window: ms of CPU per request by category. Then Switchyard's own functions by inclusive
// time (a sample counts once for each function on its stack, including the runtime's work it called).
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runLoad } from "./load.ts";
import { treeCpuSeconds, workerdPid } from "./proc.ts";
import { startEmulator, startWorker, stopAll } from "./targets.ts";

const root = join(import.meta.dirname, "..");
const args = process.argv.slice(2);
const STREAM = args.includes("--stream");
const at = args.indexOf("--requests");
const REQUESTS = at >= 0 ? Number(args[at + 1]) : STREAM ? 1000 : 4000;
const FREQUENCY = 2000;

/**
 * First match wins, so the order matters: work of the objects and of local D1 is theirs wherever it runs from, garbage
 * collection and page faults are counted apart from the JavaScript that caused them, and JavaScript is put by what it
 * resumed after (workerd runs a request's code in turns, each after some I/O completed).
 */
const CATEGORIES: { name: string; marker: RegExp }[] = [
  {
    name: "Durable Object storage and local D1 (SQLite, miniflare's D1 object)",
    marker: /blockConcurrencyWhile|ActorSqlite|SqlStorage|DurableObjectTransaction|DurableObjectStorage|sqlite3/,
  },
  { name: "Durable Object RPC calls served (stats, budget objects)", marker: /JsRpcTargetBase/ },
  { name: "garbage collection (V8)", marker: /CollectGarbage|Scavenge|MarkCompact|ConcurrentMarking|Sweeper/ },
  { name: "page faults (the kernel zeroing fresh memory)", marker: /page_fault/ },
  {
    name: "JS turn after a whole body was read (request.text/json, response.text/json)",
    marker: /resumeAfterIo<kj::String/,
  },
  {
    name: "JS turn after upstream response headers (fetch resolved)",
    marker: /resumeAfterIo<kj::HttpClient::Response/,
  },
  { name: "request dispatch and the handler's first turn", marker: /requestImpl/ },
  { name: "JS turn after other I/O (stream reads, timers, RPC replies)", marker: /resumeAfterIo<|IoContext::run</ },
  {
    name: "HTTP, sockets and the event loop (hyper, kj, tokio, kernel)",
    marker: /hyper::|kj::Http|tokio|kj_rs|syscall|epoll|tcp_/,
  },
];
const OTHER = "other (allocator, runtime bookkeeping)";

interface Profile {
  cpuMsPerRequest: number;
  samples: number;
  byCategory: Map<string, number>;
  /** Samples whose innermost frame is JIT-compiled code or a V8 builtin: JavaScript itself, wherever it ran from. */
  javascriptLeaf: number;
  /** Samples with each of the bundle's functions on the stack (`name · line`), counted once per sample. */
  functions: Map<string, number>;
}

const NATIVE = join(root, "bench/out/native");

/** The bundle as `npm run bench` builds it, not minified: names and lines are the bundle's, readable as they are. */
function buildPlain(): string {
  execFileSync("npm", ["run", "config", "--silent"], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
  execFileSync(
    join(root, "node_modules/.bin/wrangler"),
    ["deploy", "--dry-run", "--minify=false", "--outdir", NATIVE],
    { cwd: root, stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
  );
  return join(NATIVE, "index.js");
}

/** A perf-map frame of the bundle (`JS:*name bench/out/native/index.js:line:col`) as `name · index.js:line`. */
const BUNDLE_FRAME = /JS:[*+^~']*(\S*) \S*bench\/out\/native\/index\.js:(\d+):\d+/;

function categorise(script: string): Omit<Profile, "cpuMsPerRequest"> {
  const byCategory = new Map<string, number>();
  const functions = new Map<string, number>();
  let samples = 0;
  let javascriptLeaf = 0;
  for (const block of script.split(/\n\s*\n/)) {
    const lines = block.split("\n").filter((l) => l.trim() !== "");
    if (lines.length < 2) continue;
    samples++;
    const leaf = lines[1]!.trim().split(/\s+/)[1] ?? "";
    if (leaf === "[unknown]" || leaf.startsWith("JS:") || leaf.startsWith("Builtins_")) javascriptLeaf++;
    const seen = new Set<string>();
    for (const line of lines) {
      const frame = BUNDLE_FRAME.exec(line);
      if (frame === null) continue;
      const name = `${frame[1] || "(anonymous)"} · index.js:${frame[2]}`;
      if (seen.has(name)) continue;
      seen.add(name);
      functions.set(name, (functions.get(name) ?? 0) + 1);
    }
    const name = CATEGORIES.find((c) => c.marker.test(block))?.name ?? OTHER;
    byCategory.set(name, (byCategory.get(name) ?? 0) + 1);
  }
  return { samples, byCategory, javascriptLeaf, functions };
}

type Target = Awaited<ReturnType<typeof startWorker>>;

async function profile(kind: string, target: Target): Promise<Profile> {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-perf-"));
  try {
    await runLoad(target.endpoint, { connections: 16, stream: STREAM, amount: Math.ceil(REQUESTS / 4) });
    const data = join(dir, "perf.data");
    const perf = spawn(
      "perf",
      ["record", "-q", "-F", String(FREQUENCY), "-g", "-o", data, "-p", String(workerdPid(target.started.pid))],
      {
        stdio: ["ignore", "ignore", "inherit"],
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const before = treeCpuSeconds(target.started.pid);
    const run = await runLoad(target.endpoint, { connections: 16, stream: STREAM, amount: REQUESTS });
    const cpuS = treeCpuSeconds(target.started.pid) - before;
    perf.kill("SIGINT");
    await new Promise((resolve) => perf.on("exit", resolve));
    if (run.errors > 0) throw new Error(`${kind}: ${run.errors} failed requests`);
    const script = execFileSync("perf", ["script", "-i", data, "-F", "ip,sym"], {
      maxBuffer: 1 << 30,
      stdio: ["ignore", "pipe", "ignore"],
    }).toString();
    return { cpuMsPerRequest: (cpuS * 1000) / REQUESTS, ...categorise(script) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

try {
  execFileSync("perf", ["--version"], { stdio: "ignore" });
} catch {
  console.error("perf is not installed (Debian: apt-get install linux-perf)");
  process.exit(1);
}
try {
  const bundle = buildPlain();
  // The map is all that is wanted: V8's own log (one file per isolate, in the working directory) goes nowhere.
  process.env.MINIFLARE_WORKERD_V8_FLAGS = "--perf-basic-prof --no-logfile-per-isolate --logfile=/dev/null";
  const emulator = await startEmulator(root);
  await emulator.setStream({ chunks: 20, delayMs: 0 });
  const upstream = emulator.started.url;
  // Both run at once (one idles while the other is sampled), as the bench runs its targets.
  const bareTarget = await startWorker(root, "bare", join(root, "bench/bare-worker.js"), upstream);
  const switchyardTarget = await startWorker(root, "switchyard", bundle, upstream, ["ASSETS"]);
  const bare = await profile("bare Worker", bareTarget);
  const switchyard = await profile("Switchyard", switchyardTarget);
  const ms = (p: Profile, n: number) => (p.cpuMsPerRequest * n) / p.samples;
  const names = [...CATEGORIES.map((c) => c.name), OTHER];
  const what = STREAM ? "stream (20 chunks)" : "non-streaming request";
  console.log(`CPU per ${what} by where workerd spent it (${new Date().toISOString()}, ${REQUESTS} at 16 connections,`);
  console.log(
    `perf at ${FREQUENCY} Hz; ${bare.samples} and ${switchyard.samples} samples; process tree CPU from /proc):\n`,
  );
  console.log("| where | bare Worker, ms | Switchyard, ms | difference, ms |");
  console.log("| --- | ---: | ---: | ---: |");
  for (const name of names) {
    const b = ms(bare, bare.byCategory.get(name) ?? 0);
    const s = ms(switchyard, switchyard.byCategory.get(name) ?? 0);
    console.log(`| ${name} | ${b.toFixed(3)} | ${s.toFixed(3)} | ${(s - b >= 0 ? "+" : "") + (s - b).toFixed(3)} |`);
  }
  const total = (p: Profile) => p.cpuMsPerRequest.toFixed(3);
  console.log(`| **all** | **${total(bare)}** | **${total(switchyard)}** | |`);
  const js = (p: Profile) =>
    `${ms(p, p.javascriptLeaf).toFixed(3)} ms (${((100 * p.javascriptLeaf) / p.samples).toFixed(1)}%)`;
  console.log(
    `\nInnermost frame in JavaScript (JIT code or a V8 builtin), across the rows: bare ${js(bare)}, Switchyard ${js(switchyard)}.`,
  );
  console.log(`\nSwitchyard's functions by inclusive time (bench/out/native/index.js), top 30:\n`);
  console.log("| function · bundle line | ms per request | share |");
  console.log("| --- | ---: | ---: |");
  const top = [...switchyard.functions].sort((a, b) => b[1] - a[1]).slice(0, 30);
  for (const [name, n] of top)
    console.log(`| ${name} | ${ms(switchyard, n).toFixed(3)} | ${((100 * n) / switchyard.samples).toFixed(1)}% |`);
} finally {
  await stopAll();
  // V8's perf maps (one per workerd process) are only for this run.
  for (const f of readdirSync("/tmp").filter((f) => /^perf-\d+\.map$/.test(f)))
    rmSync(join("/tmp", f), { force: true });
}
