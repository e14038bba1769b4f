// One-off A/B (not part of `npm run bench`): what Switchyard's per-request writes cost, by running it without them.
//
//   node bench/ab-writes.ts
//   node bench/ab-writes.ts --stream      # the same with 20-chunk streams (req/s and CPU are then per stream)
//
// Builds the bundle twice (as is, and from a copy of the tree whose sinks list is emptied: no D1 ledger row, no
// budget settle), then runs five targets side by side in interleaved rounds: the bare Worker, Switchyard, Switchyard
// without its STATS binding (the stats cache then does nothing), without the sinks, and without either. Prints a
// Markdown table. Stops loudly if the sinks line it edits has moved.
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildWorker } from "../scripts/build.ts";
import { type LoadRun, runLoad, summariseRuns } from "./load.ts";
import { treeCpuSeconds } from "./proc.ts";
import { startEmulator, startWorker, stopAll } from "./targets.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const stream = process.argv.includes("--stream");
const SERVICES = "src/gateway/services.ts";
const SINKS = /sinks: \([^)]*\) => \[[^\]]*\],/;

const copy = mkdtempSync(join(tmpdir(), "switchyard-ab-"));
try {
  cpSync(root, copy, {
    recursive: true,
    filter: (src) => !/\/(node_modules|\.git|bench\/out|\.wrangler)(\/|$)/.test(src),
  });
  symlinkSync(join(root, "node_modules"), join(copy, "node_modules"));
  const services = readFileSync(join(copy, SERVICES), "utf8");
  if (!SINKS.test(services))
    throw new Error(`${SERVICES} no longer has a sinks line like ${SINKS}; update this script`);
  writeFileSync(join(copy, SERVICES), services.replace(SINKS, "sinks: () => [],"));
  // Both bundles must live under the repository: miniflare names modules by their path from its root.
  // Both built as deployed (scripts/build.ts: wrangler, then terser).
  const full = await buildWorker(join(root, "bench/out/ab/full"));
  await buildWorker(join(copy, "out"), copy);
  cpSync(join(copy, "out/index.js"), join(root, "bench/out/ab/nosinks.js"));
  const nosinks = join(root, "bench/out/ab/nosinks.js");

  const emulator = await startEmulator(root);
  const upstream = emulator.started.url;
  const variants = [
    { name: "bare Worker", target: await startWorker(root, "bare", join(root, "bench/bare-worker.js"), upstream) },
    { name: "Switchyard", target: await startWorker(root, "switchyard", full, upstream, ["ASSETS"]) },
    {
      name: "without the STATS binding",
      target: await startWorker(root, "switchyard", full, upstream, ["ASSETS", "STATS"]),
    },
    {
      name: "without the ledger and budget sinks",
      target: await startWorker(root, "switchyard", nosinks, upstream, ["ASSETS"]),
    },
    { name: "without either", target: await startWorker(root, "switchyard", nosinks, upstream, ["ASSETS", "STATS"]) },
  ];
  for (const v of variants) await runLoad(v.target.endpoint, { connections: 16, stream, durationS: 2 });
  const acc = variants.map(() => ({ c1: [] as LoadRun[], c16: [] as LoadRun[], cpuS: 0, requests: 0 }));
  for (let round = 0; round < 3; round++) {
    for (const [i, v] of variants.entries()) {
      const a = acc[i]!;
      a.c1.push(await runLoad(v.target.endpoint, { connections: 1, stream, durationS: 2 }));
      const before = treeCpuSeconds(v.target.started.pid);
      const run = await runLoad(v.target.endpoint, { connections: 16, stream, durationS: 3 });
      a.cpuS += treeCpuSeconds(v.target.started.pid) - before;
      a.requests += run.latencies.length;
      a.c16.push(run);
    }
  }
  const bare = {
    p50: summariseRuns(acc[0]!.c1).p50,
    rps: summariseRuns(acc[0]!.c16).rps,
    cpu: (acc[0]!.cpuS * 1000) / acc[0]!.requests,
  };
  console.log(
    `| variant | p50 ms, 1 connection | vs bare Worker | ${stream ? "streams" : "req"}/s, 16 connections | × bare Worker | CPU ms / ${stream ? "stream" : "request"} | × bare Worker |`,
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const [i, v] of variants.entries()) {
    const a = acc[i]!;
    const p50 = summariseRuns(a.c1).p50;
    const rps = summariseRuns(a.c16).rps;
    const cpu = (a.cpuS * 1000) / a.requests;
    console.log(
      `| ${v.name} | ${p50.toFixed(2)} | +${(p50 - bare.p50).toFixed(2)} | ${rps.toFixed(0)} | ${(rps / bare.rps).toFixed(2)}× | ${cpu.toFixed(3)} | ${(cpu / bare.cpu).toFixed(2)}× |`,
    );
  }
} finally {
  await stopAll();
  rmSync(copy, { recursive: true, force: true });
}
process.exit(0);
