// One-off control experiment (not part of `npm run bench`): what reading the traffic in JavaScript costs on workerd.
//
//   npm run bench (or its build step) first, then: node bench/stream-floor.ts
//
// CPU per non-streaming request, CPU per stream (20 chunks, back to back) and streamed req/s at 16 connections, in
// interleaved rounds, through: the bare Worker (workerd pipes the bodies natively), bench/commit-worker.js (reads
// every chunk in JavaScript and writes it back unchanged into a JavaScript ReadableStream), bench/byob-worker.js (the
// same, reading with a BYOB reader into one reused buffer and writing a copy of each read), bench/identity-worker.js
// (the same, written into a native IdentityTransformStream), bench/transform-worker.js (a JavaScript TransformStream
// the runtime pipes through, one call per chunk), bench/parse-worker.js (parses and re-serialises the JSON
// bodies; on a stream, each event's JSON once, one write per read) and Switchyard's bundle in bench/out/bundle
// (without ASSETS, as the bench runs it). The controls are the floor of any gateway that looks at what it forwards in
// JavaScript. Prints a Markdown table.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runLoad } from "./load.ts";
import { treeCpuSeconds } from "./proc.ts";
import { startEmulator, startWorker, stopAll } from "./targets.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const ROUNDS = 4;
const STREAMS = 250;
const REQUESTS = 500;
try {
  const emulator = await startEmulator(root);
  await emulator.setStream({ chunks: 20, delayMs: 0 });
  const upstream = emulator.started.url;
  const targets = [
    { name: "bare Worker", target: await startWorker(root, "bare", join(root, "bench/bare-worker.js"), upstream) },
    {
      name: "JS reader (commit-worker.js)",
      target: await startWorker(root, "bare", join(root, "bench/commit-worker.js"), upstream),
    },
    {
      name: "JS reader, one reused BYOB buffer (byob-worker.js)",
      target: await startWorker(root, "bare", join(root, "bench/byob-worker.js"), upstream),
    },
    {
      name: "JS reader, native body (identity-worker.js)",
      target: await startWorker(root, "bare", join(root, "bench/identity-worker.js"), upstream),
    },
    {
      name: "JS TransformStream (transform-worker.js)",
      target: await startWorker(root, "bare", join(root, "bench/transform-worker.js"), upstream),
    },
    {
      name: "JS reader + JSON per event (parse-worker.js)",
      target: await startWorker(root, "bare", join(root, "bench/parse-worker.js"), upstream),
    },
    {
      name: "Switchyard",
      target: await startWorker(root, "switchyard", join(root, "bench/out/bundle/index.js"), upstream, ["ASSETS"]),
    },
  ];
  for (const t of targets) await runLoad(t.target.endpoint, { connections: 16, stream: true, durationS: 1 });
  const sums = targets.map(() => ({ jsonS: 0, requests: 0, cpuS: 0, streams: 0, seconds: 0, done: 0 }));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, t] of targets.entries()) {
      const sum = sums[i]!;
      const start = treeCpuSeconds(t.target.started.pid);
      const json = await runLoad(t.target.endpoint, { connections: 16, stream: false, amount: REQUESTS });
      const before = treeCpuSeconds(t.target.started.pid);
      sum.jsonS += before - start;
      sum.requests += json.latencies.length + json.errors;
      const run = await runLoad(t.target.endpoint, { connections: 16, stream: true, amount: STREAMS });
      sum.cpuS += treeCpuSeconds(t.target.started.pid) - before;
      sum.streams += run.latencies.length + run.errors;
      sum.done += run.latencies.length;
      sum.seconds += run.seconds;
    }
  }
  console.log(
    `${ROUNDS} rounds of ${REQUESTS} requests and ${STREAMS} streams (20 chunks) each, 16 connections, interleaved.\n`,
  );
  console.log(
    "| target | CPU ms / request | × bare Worker | CPU ms / stream | × bare Worker | streams/s | × bare Worker |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  const bareJson = (sums[0]!.jsonS * 1000) / sums[0]!.requests;
  const bareCpu = (sums[0]!.cpuS * 1000) / sums[0]!.streams;
  const bareRate = sums[0]!.done / sums[0]!.seconds;
  for (const [i, t] of targets.entries()) {
    const s = sums[i]!;
    const json = (s.jsonS * 1000) / s.requests;
    const cpu = (s.cpuS * 1000) / s.streams;
    const rate = s.done / s.seconds;
    console.log(
      `| ${t.name} | ${json.toFixed(3)} | ${(json / bareJson).toFixed(2)}× | ${cpu.toFixed(3)} | ${(cpu / bareCpu).toFixed(2)}× | ${rate.toFixed(0)} | ${(rate / bareRate).toFixed(2)}× |`,
    );
  }
} finally {
  await stopAll();
}
process.exit(0);
