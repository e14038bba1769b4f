// One-off probe (not part of `npm run bench`): the JavaScript the stats Durable Object runs per request, measured in
// node, where a CPU clock is exact (workerd's sampler, in the bench's Profiles section, shares one thread among a
// process's isolates and attributes loosely: it has put the object's `record` at hundreds of µs per request).
//
//   node bench/node-stats.ts [--n BATCHES] [--models N]
//
// StatsObject (src/stats/stats-object.ts) is bundled by esbuild with a stand-in for `cloudflare:workers` and run on a
// SQL storage that takes every statement and holds no rows, so what is timed is the object's own code: validation, the
// health rows, the sketches, the snapshot it answers with, and the metric series. SQLite's part is not in it (the
// native profile, bench/native-profile.ts, counts it: bench/ANALYSIS.md). Each batch is what the bench's load sends
// (src/stats/stats-cache.ts batches them, bench/ANALYSIS.md): 100 outcomes of one model in one `record` call, and the
// folded metric increments of 100 streamed requests in one `recordMetrics` call. Prints µs of CPU per batch and per
// request. `--models N` first records calls of N other models of the same provider (names outside the registry, so at
// most UNLISTED_MODELS_CAP of them, 64, keep a health row), as a deployment that serves many models has them.
import { join } from "node:path";
import { build } from "esbuild";

const root = join(import.meta.dirname, "..");
const args = process.argv.slice(2);
const at = args.indexOf("--n");
const BATCHES = at >= 0 ? Number(args[at + 1]) : 2000;
const PER_BATCH = 100;
const modelsAt = args.indexOf("--models");
const OTHER_MODELS = modelsAt >= 0 ? Number(args[modelsAt + 1]) : 0;

const entry = [
  `export { StatsObject } from ${JSON.stringify(join(root, "src/stats/stats-object.ts"))};`,
  `export { requestIncrements, foldIncrements } from ${JSON.stringify(join(root, "src/observability/metrics.ts"))};`,
].join("\n");
const out = join(root, "bench/out/node-stats/index.mjs");
await build({
  stdin: { contents: entry, resolveDir: root, loader: "ts" },
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2023",
  conditions: ["workerd", "worker", "browser"],
  mainFields: ["module", "main"],
  outfile: out,
  logLevel: "error",
  plugins: [
    {
      name: "cloudflare-shim",
      setup(b) {
        b.onResolve({ filter: /^cloudflare:workers$/ }, () => ({ path: "cf", namespace: "shim" }));
        b.onLoad({ filter: /.*/, namespace: "shim" }, () => ({
          contents: "export class DurableObject { constructor(ctx, env) { this.ctx = ctx; this.env = env; } }\n",
          loader: "js",
        }));
      },
    },
  ],
});

interface Mod {
  StatsObject: new (
    ctx: unknown,
    env: unknown,
  ) => {
    record(outcomes: unknown[]): unknown;
    recordMetrics(increments: unknown[]): void;
  };
  requestIncrements(record: unknown): unknown[];
  foldIncrements(increments: unknown[]): unknown[];
}
const mod = (await import(out)) as Mod;

let statements = 0;
const sql = {
  exec() {
    statements++;
    const rows: unknown[] = [];
    return Object.assign(rows[Symbol.iterator](), { toArray: () => rows });
  },
};
const object = new mod.StatsObject({ storage: { sql } }, {});

let now = Date.now();
const outcome = (i: number) => ({
  provider: "openai",
  model: "gpt-4o-mini",
  at: now + i,
  ok: true,
  kind: null,
  http_status: 200,
  latency_ms: 30 + (i % 40),
  ttft_ms: 8 + (i % 12),
  error: null,
});
/** A streamed request's record as the sinks see it (the fields requestIncrements reads). */
const completion = (i: number) => ({
  provider: "openai",
  model: "gpt-4o-mini",
  dialect: "chat",
  status: "ok",
  http_status: 200,
  stream: true,
  attempts: [{ provider: "openai", model: "gpt-4o-mini", status: "ok", error_kind: null }],
  cache: "bypass",
  usage: { input_tokens: 12, output_tokens: 20, cached_input_tokens: 0, cache_write_tokens: 0 },
  cost_pico: 13_800_000,
  latency_ms: 30 + (i % 40),
  ttft_ms: 8 + (i % 12),
});

const batch = (n: number) => Array.from({ length: PER_BATCH }, (_, i) => outcome(n * PER_BATCH + i));
const metrics = () =>
  mod.foldIncrements(Array.from({ length: PER_BATCH }, (_, i) => mod.requestIncrements(completion(i))).flat());
const increments = metrics().length;

function cpuUs(run: () => void): number {
  const t = process.cpuUsage();
  run();
  const u = process.cpuUsage(t);
  return u.user + u.system;
}

for (let m = 0; m < OTHER_MODELS; m += PER_BATCH)
  object.record(
    Array.from({ length: Math.min(PER_BATCH, OTHER_MODELS - m) }, (_, i) => ({
      ...outcome(i),
      model: `model-${m + i}`,
    })),
  );
// Warm up (the JIT), then measure, each call on fresh inputs made outside the timed part.
const outcomes = Array.from({ length: BATCHES }, (_, n) => batch(n));
const metricBatches = Array.from({ length: BATCHES }, () => metrics());
for (let n = 0; n < 200; n++) {
  object.record(batch(n));
  object.recordMetrics(metrics());
}
statements = 0;
const recordUs = cpuUs(() => {
  for (const b of outcomes) {
    now += 10;
    object.record(b);
  }
});
const recordStatements = statements;
statements = 0;
const metricsUs = cpuUs(() => {
  for (const m of metricBatches) object.recordMetrics(m);
});

const row = (name: string, us: number, calls: number, sqlStatements: number) =>
  `| ${name} | ${(us / calls).toFixed(1)} | ${(us / calls / PER_BATCH).toFixed(2)} | ${(sqlStatements / calls).toFixed(1)} |`;
console.log(
  `${BATCHES} batches of ${PER_BATCH} requests each, ${OTHER_MODELS} other models called first, node ${process.version}, ${new Date().toISOString()}`,
);
console.log("");
console.log("| call | µs CPU per call | µs per request | SQL statements per call |");
console.log("| --- | ---: | ---: | ---: |");
console.log(row(`record (${PER_BATCH} outcomes)`, recordUs, BATCHES, recordStatements));
console.log(row(`recordMetrics (${increments} folded increments)`, metricsUs, BATCHES, statements));
