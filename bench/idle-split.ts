// One-off experiment (not part of `npm run bench`): where a request's time goes inside workerd when it comes alone,
// as the stream probe's do (time to first token) and as a lightly used gateway's do.
//
//   npm run bench (or its build step) first, then: node bench/idle-split.ts [--gap MS] [--n N]
//
// The bare Worker and Switchyard's bundle (without ASSETS, as the bench runs them), each warmed with 3,000 requests,
// then N non-streaming requests (20 by default) one at a time, GAP ms apart (100 by default), while `strace -tt`
// records workerd's socket calls. Each request is split at the socket: from reading the client's request to sending
// the upstream one (the Worker's work before its call), from the upstream's answer to writing the client's (its work
// after), and the call itself. strace slows every system call a little, the same for both Workers; compare the
// columns, not the absolute times. Prints a Markdown table of medians.
import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { jsonOnce, median } from "./load.ts";
import { workerdPid } from "./proc.ts";
import { startEmulator, startWorker, stopAll } from "./targets.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const GAP_MS = option("--gap", 100);
const N = option("--n", 20);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Split {
  before: number;
  call: number;
  after: number;
}

/** Per request: client read -> upstream send -> upstream answer read -> client answer written (strace -tt lines). */
function splits(trace: string): Split[] {
  const at = (line: string) => {
    const [h, m, s] = line.split(" ")[1]!.split(":").map(Number) as [number, number, number];
    return ((h * 60 + m) * 60 + s) * 1000;
  };
  const out: Split[] = [];
  let t: number[] = [];
  for (const line of trace.split("\n")) {
    if (/recvfrom\(\d+, "POST /.test(line)) t = [at(line)];
    else if (t.length === 1 && /sendto\(\d+, "POST /.test(line)) t.push(at(line));
    else if (t.length === 2 && /recvfrom\(\d+, "HTTP\/1\.1 /.test(line)) t.push(at(line));
    else if (t.length === 3 && /writev\(\d+, \[\{iov_base="HTTP\/1\.1 /.test(line)) {
      t.push(at(line));
      out.push({ before: t[1]! - t[0]!, call: t[2]! - t[1]!, after: t[3]! - t[2]! });
      t = [];
    }
  }
  return out;
}

try {
  const emulator = await startEmulator(root);
  const upstream = emulator.started.url;
  const targets = [
    { name: "bare Worker", target: await startWorker(root, "bare", join(root, "bench/bare-worker.js"), upstream) },
    {
      name: "Switchyard",
      target: await startWorker(root, "switchyard", join(root, "bench/out/bundle/index.js"), upstream, ["ASSETS"]),
    },
  ];
  const rows: string[] = [];
  for (const { name, target } of targets) {
    for (let i = 0; i < 3000; i++) await jsonOnce(target.endpoint);
    const file = join(tmpdir(), `switchyard-idle-${process.pid}-${name.replace(/\W/g, "")}.txt`);
    const strace = spawn(
      "strace",
      ["-f", "-tt", "-e", "trace=recvfrom,sendto,writev", "-o", file, "-p", String(workerdPid(target.started.pid))],
      { stdio: "ignore" },
    );
    await sleep(1000);
    const latencies: number[] = [];
    for (let i = 0; i < N; i++) {
      latencies.push(await jsonOnce(target.endpoint));
      await sleep(GAP_MS);
    }
    strace.kill("SIGINT");
    await new Promise((resolve) => strace.once("exit", resolve));
    const parts = splits(readFileSync(file, "utf8"));
    rmSync(file, { force: true });
    const m = (f: (s: Split) => number) => median(parts.map(f)).toFixed(2);
    rows.push(
      `| ${name} | ${parts.length} | ${median(latencies).toFixed(2)} | ${m((s) => s.before)} | ${m((s) => s.call)} | ${m((s) => s.after)} |`,
    );
  }
  console.log(
    `${new Date().toISOString()}: ${N} non-streaming requests one at a time, ${GAP_MS} ms apart, under strace; medians, ms.\n`,
  );
  console.log(
    "| target | requests split | latency at the client | client request read → upstream request sent | upstream call | upstream answer read → client answer written |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
  for (const row of rows) console.log(row);
} finally {
  await stopAll();
}
