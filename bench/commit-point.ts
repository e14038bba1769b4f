// One-off experiment (not part of `npm run bench`): how much of Switchyard's later first token is the commit point itself.
//
//   npm run bench (or its build step) first, then: node bench/commit-point.ts
//
// Times streams (20 chunks, 10 ms apart) through the bare Worker, through bench/commit-worker.js (fifteen lines that
// hold the response until the first content chunk, then pass bytes through) and through Switchyard's bundle in
// bench/out/bundle (without ASSETS, as the bench runs it), in interleaved rounds. The commit-point Worker's delay over the bare one is what holding the
// headers costs on workerd; Switchyard's delay over the commit-point Worker is its own work. Prints a Markdown table.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { medianTiming, PROBE_GAP_MS, type StreamTiming, streamProbe } from "./load.ts";
import { startEmulator, startWorker, stopAll } from "./targets.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
try {
  const emulator = await startEmulator(root);
  await emulator.setStream({ chunks: 20, delayMs: 10 });
  const upstream = emulator.started.url;
  const targets = [
    { name: "bare Worker", target: await startWorker(root, "bare", join(root, "bench/bare-worker.js"), upstream) },
    {
      name: "commit-point Worker",
      target: await startWorker(root, "bare", join(root, "bench/commit-worker.js"), upstream),
    },
    {
      name: "Switchyard",
      target: await startWorker(root, "switchyard", join(root, "bench/out/bundle/index.js"), upstream, ["ASSETS"]),
    },
  ];
  for (const t of targets) await streamProbe(t.target.endpoint, 3);
  const runs = targets.map(() => [] as StreamTiming[]);
  for (let round = 0; round < 4; round++) {
    for (const [i, t] of targets.entries()) runs[i]!.push(...(await streamProbe(t.target.endpoint, 10)));
  }
  console.log(`Medians of 40 streams each, ${PROBE_GAP_MS} ms apart; ms from sending the request.\n`);
  console.log("| target | first byte | first token | first token vs bare Worker | last token |");
  console.log("| --- | ---: | ---: | ---: | ---: |");
  const bare = medianTiming(runs[0]!);
  for (const [i, t] of targets.entries()) {
    const p = medianTiming(runs[i]!);
    console.log(
      `| ${t.name} | ${p.ttfb.toFixed(2)} | ${p.firstToken.toFixed(2)} | +${(p.firstToken - bare.firstToken).toFixed(2)} | ${p.lastToken.toFixed(2)} |`,
    );
  }
} finally {
  await stopAll();
}
process.exit(0);
