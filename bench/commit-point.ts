// One-off experiment (not part of `npm run bench`): how much of Switchyard's later first token is the commit point itself.
//
//   npm run bench (or its build step) first, then: node bench/commit-point.ts
//   node bench/commit-point.ts --bundle NAME=PATH ...   # ... and other Switchyard bundles beside them (for instance
//                                                       # throwaway builds that answer early, under bench/out/)
//
// Times streams (20 chunks, 10 ms apart), in interleaved rounds, through:
// - the bare Worker (the runtime pipes the provider's body);
// - bench/transform-worker.js: JavaScript looks at every chunk, but the headers go at once (what reading the stream in
//   JavaScript costs without holding it);
// - bench/commit-worker.js: fifteen lines that hold the response until the first content chunk, then pass bytes on;
// - bench/identity-worker.js: the same hold, the client's body a native stream that JavaScript writes into;
// - Switchyard's bundle in bench/out/bundle (without ASSETS, as the bench runs it).
// Each target is first warmed with a second of streams at 16 connections (chunks back to back), so its code is
// optimised as under the bench's load. The commit-point Worker's delay over the bare one is what holding the headers
// costs on workerd; Switchyard's delay over the commit-point Worker is its own work. Prints a Markdown table.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { medianTiming, PROBE_GAP_MS, runLoad, type StreamTiming, streamProbe } from "./load.ts";
import { startEmulator, startWorker, stopAll } from "./targets.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
/** Extra Switchyard bundles, as NAME=PATH (a path from the repository's root: miniflare names modules by it). */
const extra = args.flatMap((a, i) => (args[i - 1] === "--bundle" ? [a.split("=") as [string, string]] : []));
try {
  const emulator = await startEmulator(root);
  await emulator.setStream({ chunks: 20, delayMs: 10 });
  const upstream = emulator.started.url;
  const targets = [
    { name: "bare Worker", target: await startWorker(root, "bare", join(root, "bench/bare-worker.js"), upstream) },
    // JavaScript sees every chunk but the headers go at once: what reading the stream costs without the hold.
    {
      name: "JS per chunk, no hold (transform-worker.js)",
      target: await startWorker(root, "bare", join(root, "bench/transform-worker.js"), upstream),
    },
    {
      name: "commit-point Worker",
      target: await startWorker(root, "bare", join(root, "bench/commit-worker.js"), upstream),
    },
    // The same hold, the client's body a native stream JavaScript writes into.
    {
      name: "commit point, native body (identity-worker.js)",
      target: await startWorker(root, "bare", join(root, "bench/identity-worker.js"), upstream),
    },
    {
      name: "Switchyard",
      target: await startWorker(root, "switchyard", join(root, "bench/out/bundle/index.js"), upstream, ["ASSETS"]),
    },
  ];
  // One at a time: each picks free ports, and two starting together could pick the same.
  for (const [name, path] of extra)
    targets.push({ name, target: await startWorker(root, "switchyard", join(root, path), upstream, ["ASSETS"]) });
  await emulator.setStream({ chunks: 20, delayMs: 0 });
  for (const t of targets) await runLoad(t.target.endpoint, { connections: 16, stream: true, durationS: 1 });
  await emulator.setStream({ chunks: 20, delayMs: 10 });
  for (const t of targets) await streamProbe(t.target.endpoint, 3);
  const runs = targets.map(() => [] as StreamTiming[]);
  for (let round = 0; round < 4; round++) {
    // A rotating order, so a burst of other work on the shared machine spreads over all targets.
    for (let k = 0; k < targets.length; k++) {
      const i = (k + round) % targets.length;
      runs[i]!.push(...(await streamProbe(targets[i]!.target.endpoint, 10)));
    }
  }
  console.log(
    `${new Date().toISOString()}: medians of 40 streams each, ${PROBE_GAP_MS} ms apart; ms from sending the request.\n`,
  );
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
