// One-off control experiment (not part of `npm run bench`): what the parts of a JSON request cost on workerd, apart
// from any gateway code.
//
//   node bench/request-floor.ts
//
// Small Workers (written under bench/out/request-floor/), each under the bare Worker's host, against the bare Worker,
// CPU per non-streaming request at 16 connections in five rotating rounds of 1,000 requests: one that reads the body
// and answers at once (no upstream call); one that makes the upstream call and reads its JSON, and answers a constant;
// bench/parse-worker.js as it is; and variants of parse-worker.js: with 2,000 small objects made before its upstream
// call and read after it (about the volume Switchyard allocates per request, bench/node-request.ts --heap); with as
// many made and dropped before the call (allocated, never alive while it waits); with a 40,000-object table held by
// the module (an isolate's long-lived data, as Switchyard's registry and config are); with both; and with an
// AbortController, a timer and the signal on its fetch (an attempt's clock, alone). Prints a Markdown table.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runLoad } from "./load.ts";
import { treeCpuSeconds } from "./proc.ts";
import { startEmulator, startWorker, stopAll } from "./targets.ts";

const root = join(import.meta.dirname, "..");
const ROUNDS = 5;
const REQUESTS = 1000;

const source = readFileSync(join(root, "bench/parse-worker.js"), "utf8");
const BEFORE_CALL = "    const url = new URL(request.url);\n";
const AFTER_CALL = "    if (!upstream.headers";
const HANDLER = "export default {";
const CALL_BODY = "      body: JSON.stringify(JSON.parse(await request.text())),\n";
for (const marker of [BEFORE_CALL, AFTER_CALL, HANDLER, CALL_BODY])
  if (!source.includes(marker)) throw new Error(`bench/parse-worker.js changed: no ${JSON.stringify(marker)}`);

function variant(opts: { state?: boolean; garbage?: boolean; table?: boolean; clock?: boolean }): string {
  let s = source;
  if (opts.garbage)
    s = s.replace(
      BEFORE_CALL,
      `    if (Array.from({ length: 2000 }, (_, i) => ({ i, s: \`g\${i}\` })).length === -1) return null;\n${BEFORE_CALL}`,
    );
  if (opts.table) {
    s = s.replace(
      HANDLER,
      `const table = Array.from({ length: 40000 }, (_, i) => ({ i, s: \`x\${i}\`, a: [i, i + 1] }));\n${HANDLER}`,
    );
    s = s.replace(AFTER_CALL, `    if (table.length === -1) console.log(table);\n${AFTER_CALL}`);
  }
  if (opts.state) {
    s = s.replace(
      BEFORE_CALL,
      `    const state = Array.from({ length: 2000 }, (_, i) => ({ i, s: \`r\${i}\` }));\n${BEFORE_CALL}`,
    );
    s = s.replace(AFTER_CALL, `    if (state.length === -1) console.log(state);\n${AFTER_CALL}`);
  }
  if (opts.clock) {
    s = s.replace(
      BEFORE_CALL,
      `    const ac = new AbortController();\n    const timer = setTimeout(() => ac.abort(), 60000);\n${BEFORE_CALL}`,
    );
    s = s.replace(CALL_BODY, `${CALL_BODY}      signal: ac.signal,\n`);
    s = s.replace(AFTER_CALL, `    clearTimeout(timer);\n${AFTER_CALL}`);
  }
  return s;
}

const dir = join(root, "bench/out/request-floor");
mkdirSync(dir, { recursive: true });
const ANSWER = `new Response('{"id":"x","choices":[]}', { headers: { "content-type": "application/json" } })`;
const variants = [
  {
    name: "reads the body, answers at once (no upstream call)",
    file: "answer.js",
    code: `export default {\n  async fetch(request) {\n    await request.text();\n    return ${ANSWER};\n  },\n};\n`,
  },
  {
    name: "reads the body, makes the upstream call and reads its JSON, answers a constant",
    file: "call.js",
    code:
      "export default {\n  async fetch(request, env) {\n    await request.text();\n" +
      '    const r = await fetch(env.UPSTREAM + "/v1/chat/completions", { method: "POST", headers: { "content-type": "application/json" }, ' +
      `body: '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}' });\n` +
      `    await r.json();\n    return ${ANSWER};\n  },\n};\n`,
  },
  { name: "parse-worker.js", file: "plain.js", code: variant({}) },
  { name: "... with 2,000 objects alive across its upstream call", file: "state.js", code: variant({ state: true }) },
  {
    name: "... with 2,000 objects made and dropped before its upstream call",
    file: "garbage.js",
    code: variant({ garbage: true }),
  },
  { name: "... with a 40,000-object table in the module", file: "table.js", code: variant({ table: true }) },
  { name: "... with both", file: "both.js", code: variant({ state: true, table: true }) },
  {
    name: "... with a controller, a timer and the signal on its fetch",
    file: "clock.js",
    code: variant({ clock: true }),
  },
];
for (const v of variants) writeFileSync(join(dir, v.file), v.code);

try {
  const emulator = await startEmulator(root);
  const upstream = emulator.started.url;
  const targets = [
    { name: "bare Worker", target: await startWorker(root, "bare", join(root, "bench/bare-worker.js"), upstream) },
  ];
  for (const v of variants)
    targets.push({ name: v.name, target: await startWorker(root, "bare", join(dir, v.file), upstream) });
  for (const t of targets) await runLoad(t.target.endpoint, { connections: 16, stream: false, durationS: 1 });
  const sums = targets.map(() => ({ cpuS: 0, requests: 0 }));
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < targets.length; k++) {
      const i = (k + round) % targets.length;
      const t = targets[i]!;
      const start = treeCpuSeconds(t.target.started.pid);
      const run = await runLoad(t.target.endpoint, { connections: 16, stream: false, amount: REQUESTS });
      sums[i]!.cpuS += treeCpuSeconds(t.target.started.pid) - start;
      sums[i]!.requests += run.latencies.length + run.errors;
    }
  }
  console.log(`${ROUNDS} rotating rounds of ${REQUESTS} requests at 16 connections; ${new Date().toISOString()}\n`);
  console.log("| target | CPU ms / request | × bare Worker |");
  console.log("| --- | ---: | ---: |");
  const bare = (sums[0]!.cpuS * 1000) / sums[0]!.requests;
  for (const [i, t] of targets.entries()) {
    const ms = (sums[i]!.cpuS * 1000) / sums[i]!.requests;
    console.log(`| ${t.name} | ${ms.toFixed(3)} | ${(ms / bare).toFixed(2)}× |`);
  }
} finally {
  await stopAll();
}
process.exit(0);
