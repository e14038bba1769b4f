// One-off control experiment (not part of `npm run bench`): what the static-assets configuration costs a request that
// never touches an asset, apart from anything Switchyard's code does.
//
//   npm run bench (or its build step) first, then: node bench/assets-router.ts
//
// With `[assets]` in wrangler.toml, miniflare puts its assets router (a JavaScript Worker) in front of the user's
// Worker: every request goes through it, and with `run_worker_first` on, on to the Worker. The bench leaves ASSETS out
// of Switchyard's host (its load never asks for the dashboard), as it puts no entry Worker in front of either Worker;
// this measures what that leaves out. CPU per non-streaming request and per 20-chunk stream at 16 connections, in
// interleaved rounds, through: the bare Worker; bench/parse-worker.js (it uses no binding) under the bare Worker's host,
// under Switchyard's host with every binding, and with every binding but ASSETS; and Switchyard's bundle in
// bench/out/bundle with and without ASSETS. Prints a Markdown table.
import { join } from "node:path";
import { runLoad } from "./load.ts";
import { treeCpuSeconds } from "./proc.ts";
import { startEmulator, startWorker, stopAll } from "./targets.ts";

const root = join(import.meta.dirname, "..");
const ROUNDS = 4;
const REQUESTS = 1000;
const STREAMS = 300;
try {
  const emulator = await startEmulator(root);
  await emulator.setStream({ chunks: 20, delayMs: 0 });
  const upstream = emulator.started.url;
  const parse = join(root, "bench/parse-worker.js");
  const bundle = join(root, "bench/out/bundle/index.js");
  const targets = [
    { name: "bare Worker", target: await startWorker(root, "bare", join(root, "bench/bare-worker.js"), upstream) },
    { name: "parse-worker.js, the bare Worker's host", target: await startWorker(root, "bare", parse, upstream) },
    { name: "parse-worker.js, Switchyard's bindings", target: await startWorker(root, "switchyard", parse, upstream) },
    {
      name: "parse-worker.js, Switchyard's bindings but ASSETS",
      target: await startWorker(root, "switchyard", parse, upstream, ["ASSETS"]),
    },
    { name: "Switchyard, every binding", target: await startWorker(root, "switchyard", bundle, upstream) },
    {
      name: "Switchyard, every binding but ASSETS (as the bench runs it)",
      target: await startWorker(root, "switchyard", bundle, upstream, ["ASSETS"]),
    },
  ];
  for (const t of targets) {
    await runLoad(t.target.endpoint, { connections: 16, stream: false, durationS: 1 });
    await runLoad(t.target.endpoint, { connections: 16, stream: true, durationS: 1 });
  }
  const sums = targets.map(() => ({ jsonS: 0, requests: 0, streamS: 0, streams: 0 }));
  for (let round = 0; round < ROUNDS; round++) {
    // A rotating order, so a burst of other work on the machine falls on every target in turn.
    for (let k = 0; k < targets.length; k++) {
      const i = (k + round) % targets.length;
      const t = targets[i]!;
      const sum = sums[i]!;
      const start = treeCpuSeconds(t.target.started.pid);
      const json = await runLoad(t.target.endpoint, { connections: 16, stream: false, amount: REQUESTS });
      const mid = treeCpuSeconds(t.target.started.pid);
      const stream = await runLoad(t.target.endpoint, { connections: 16, stream: true, amount: STREAMS });
      sum.jsonS += mid - start;
      sum.requests += json.latencies.length + json.errors;
      sum.streamS += treeCpuSeconds(t.target.started.pid) - mid;
      sum.streams += stream.latencies.length + stream.errors;
    }
  }
  console.log(
    `${ROUNDS} rounds of ${REQUESTS} requests and ${STREAMS} streams (20 chunks) each, 16 connections, rotating; ${new Date().toISOString()}\n`,
  );
  console.log("| target | CPU ms / request | × bare Worker | CPU ms / stream | × bare Worker |");
  console.log("| --- | ---: | ---: | ---: | ---: |");
  const bareJson = (sums[0]!.jsonS * 1000) / sums[0]!.requests;
  const bareStream = (sums[0]!.streamS * 1000) / sums[0]!.streams;
  for (const [i, t] of targets.entries()) {
    const s = sums[i]!;
    const json = (s.jsonS * 1000) / s.requests;
    const stream = (s.streamS * 1000) / s.streams;
    console.log(
      `| ${t.name} | ${json.toFixed(3)} | ${(json / bareJson).toFixed(2)}× | ${stream.toFixed(3)} | ${(stream / bareStream).toFixed(2)}× |`,
    );
  }
} finally {
  await stopAll();
}
process.exit(0);
