// One-off probe (not part of `npm run bench`): how many page writes SQLite makes for Switchyard's storage per request,
// by file (local D1's database and its write-ahead log, each Durable Object's, and SQLite's temporary files).
//
//   npm run bench (or its build step) first, then: node bench/sqlite-writes.ts [BUNDLE ...]
//
// Each bundle (bench/out/bundle/index.js by default; `node bench/ab.ts <commit>` leaves one per commit under
// bench/out/ab/) is served as the bench serves it (without ASSETS), warmed with 3,000 non-streaming requests at 16
// connections, then followed with `strace -f -y -e trace=pwrite64` through 2,000 more and the 1.5 s after them, so
// the batched ledger writes of those requests are counted. A page write is one `pwrite64` (SQLite writes a page, or a
// journal's record of one, at a time); a temporary file (`/var/tmp/etilqs_*`) is SQLite spilling a statement's
// journal or sort to disk. Prints a Markdown table per bundle.
import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runLoad } from "./load.ts";
import { workerdPid } from "./proc.ts";
import { startEmulator, startWorker, stopAll } from "./targets.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bundles = process.argv.slice(2);
if (bundles.length === 0) bundles.push("bench/out/bundle/index.js");
const REQUESTS = 2000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a file written to is, without the run's own directory and hashes. */
function fileKind(path: string): string {
  if (path.includes("/etilqs_")) return "SQLite temporary files";
  const m = /\/(d1|do)\/([^/]+)\/[0-9a-f]+\.sqlite(-wal|-shm)?$/.exec(path);
  if (m === null) return path;
  const owner = m[1] === "d1" ? "local D1" : m[2]!.replace(/^switchyard-objects-/, "");
  return `${owner} ${m[3] === "-wal" ? "write-ahead log" : m[3] === "-shm" ? "shared memory" : "database"}`;
}

try {
  for (const bundle of bundles) {
    // Each bundle with its own emulator and host, stopped before the next (a fresh local D1 each).
    const emulator = await startEmulator(root);
    const target = await startWorker(root, "switchyard", join(root, bundle), emulator.started.url, ["ASSETS"]);
    await runLoad(target.endpoint, { connections: 16, stream: false, amount: 3000 });
    await sleep(1500);
    const file = join(tmpdir(), `switchyard-sqlite-writes-${process.pid}.txt`);
    const strace = spawn(
      "strace",
      ["-f", "-y", "-e", "trace=pwrite64", "-o", file, "-p", String(workerdPid(target.started.pid))],
      { stdio: "ignore" },
    );
    await sleep(1000);
    const run = await runLoad(target.endpoint, { connections: 16, stream: false, amount: REQUESTS });
    await sleep(1500);
    strace.kill("SIGINT");
    await new Promise((resolve) => strace.once("exit", resolve));
    const writes = new Map<string, number>();
    const temporary = new Set<string>();
    for (const line of readFileSync(file, "utf8").split("\n")) {
      const m = /pwrite64\(\d+<([^>]*)>/.exec(line);
      if (m === null) continue;
      const kind = fileKind(m[1]!);
      writes.set(kind, (writes.get(kind) ?? 0) + 1);
      if (kind === "SQLite temporary files") temporary.add(m[1]!);
    }
    rmSync(file, { force: true });
    const total = [...writes.values()].reduce((a, b) => a + b, 0);
    console.log(`\n${new Date().toISOString()}: ${bundle}, ${run.latencies.length} requests at 16 connections\n`);
    console.log("| file | page writes | per request |");
    console.log("| --- | ---: | ---: |");
    for (const [kind, n] of [...writes].sort((a, b) => b[1] - a[1])) {
      const note = kind === "SQLite temporary files" ? ` (${temporary.size} files)` : "";
      console.log(`| ${kind}${note} | ${n} | ${(n / run.latencies.length).toFixed(2)} |`);
    }
    console.log(`| all | ${total} | ${(total / run.latencies.length).toFixed(2)} |`);
    await stopAll();
  }
} finally {
  await stopAll();
}
process.exit(0);
