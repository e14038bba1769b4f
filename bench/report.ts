// Renders a run's results as docs/BENCHMARKS.md: the side-by-side tables, ratios, the reach verdicts and the method.
import { readFileSync } from "node:fs";
import { PROBE_GAP_MS } from "./load.ts";
import type { RunResults, TargetName, TargetResult } from "./results.ts";
import { TARGETS } from "./results.ts";

const ms = (v: number, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : "n/a");
const signed = (v: number, digits = 2) => (Number.isFinite(v) ? `${v >= 0 ? "+" : ""}${v.toFixed(digits)}` : "n/a");
const ratio = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : "n/a");
const int = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString("en-US") : "n/a");
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

export interface Verdict {
  what: string;
  target: string;
  measured: string;
  met: boolean;
  /** How far off, in the target's own unit, when missed. */
  miss: string;
}

/** The reach table: issue 17's goals, each measured against the bare Worker and Portkey in the same run. */
export function verdicts(r: RunResults): Verdict[] {
  const t = r.targets;
  const sy = t.Switchyard;
  const bare = t["bare Worker"];
  const pk = t.Portkey;
  const out: Verdict[] = [];
  const vsBoth = (
    what: string,
    ours: number,
    theirs: { bare: number; portkey: number },
    goal: { bareAtMost?: number; bareAtLeast?: number; portkey: "below" | "above" },
    show: (v: number) => string,
  ) => {
    const x = ours / theirs.bare;
    const bareOk =
      goal.bareAtMost !== undefined
        ? x <= goal.bareAtMost
        : goal.bareAtLeast !== undefined
          ? x >= goal.bareAtLeast
          : true;
    const pkOk = goal.portkey === "below" ? ours < theirs.portkey : ours > theirs.portkey;
    const bareGoal =
      goal.bareAtMost !== undefined
        ? `≤ ${goal.bareAtMost.toFixed(2)}× bare Worker, `
        : goal.bareAtLeast !== undefined
          ? `≥ ${goal.bareAtLeast.toFixed(2)}× bare Worker, `
          : "";
    const misses: string[] = [];
    if (!bareOk) misses.push(`${ratio(x)} of the bare Worker`);
    if (!pkOk) misses.push(`${goal.portkey === "below" ? "not below" : "not above"} Portkey's ${show(theirs.portkey)}`);
    out.push({
      what,
      target: `${bareGoal}${goal.portkey} Portkey`,
      measured: `${show(ours)} (${ratio(x)} bare Worker's ${show(theirs.bare)}; Portkey ${show(theirs.portkey)})`,
      met: bareOk && pkOk,
      miss: misses.join("; "),
    });
  };
  const cpuMs = (v: number) => `${ms(v, 3)} ms`;
  const rps = (v: number) => `${int(v)} req/s`;
  vsBoth(
    "CPU per non-streaming request",
    sy.cpuMsPerRequest,
    { bare: bare.cpuMsPerRequest, portkey: pk.cpuMsPerRequest },
    { bareAtMost: 2, portkey: "below" },
    cpuMs,
  );
  vsBoth(
    `CPU per stream (${r.settings.streamChunks} chunks)`,
    sy.cpuMsPerStream,
    { bare: bare.cpuMsPerStream, portkey: pk.cpuMsPerStream },
    { bareAtMost: 2, portkey: "below" },
    cpuMs,
  );
  vsBoth(
    "req/s, non-streaming, 1 connection",
    sy.json[1]!.rps,
    { bare: bare.json[1]!.rps, portkey: pk.json[1]!.rps },
    { portkey: "above" },
    rps,
  );
  vsBoth(
    "req/s, non-streaming, 16 connections",
    sy.json[16]!.rps,
    { bare: bare.json[16]!.rps, portkey: pk.json[16]!.rps },
    { bareAtLeast: 0.7, portkey: "above" },
    rps,
  );
  vsBoth(
    "req/s, streaming, 16 connections",
    sy.stream16.rps,
    { bare: bare.stream16.rps, portkey: pk.stream16.rps },
    { bareAtLeast: 0.6, portkey: "above" },
    rps,
  );
  const addedP50 = sy.json[1]!.p50 - bare.json[1]!.p50;
  out.push({
    what: "added p50 over the bare Worker, 1 connection",
    target: "≤ 0.30 ms",
    measured: `${signed(addedP50)} ms (Portkey ${signed(pk.json[1]!.p50 - bare.json[1]!.p50)} ms)`,
    met: addedP50 <= 0.3,
    miss: `${ms(addedP50 - 0.3)} ms over`,
  });
  const ttft = sy.probe.firstToken - bare.probe.firstToken;
  out.push({
    what: "time to first token vs the bare Worker",
    target: "within 1 ms",
    measured: `${signed(ttft)} ms (Portkey ${signed(pk.probe.firstToken - bare.probe.firstToken)} ms)`,
    met: Math.abs(ttft) <= 1,
    miss: `${ms(Math.abs(ttft) - 1)} ms beyond`,
  });
  const spread = sy.probe.lastToken - sy.probe.firstToken - (bare.probe.lastToken - bare.probe.firstToken);
  out.push({
    what: "added delay between chunks (first→last token) vs the bare Worker",
    target: "≤ 1 ms over the stream",
    measured: `${signed(spread)} ms over ${r.settings.probeChunks} chunks`,
    met: spread <= 1,
    miss: `${ms(spread - 1)} ms over`,
  });
  const ours = r.bundles.find((b) => b.name.startsWith("Switchyard"))!;
  const theirs = r.bundles.find((b) => b.name.startsWith("Portkey"))!;
  out.push({
    what: "deployed bundle (gzip) vs Portkey's published build",
    target: "smaller",
    measured: `${kib(ours.gzip)} vs ${kib(theirs.gzip)}`,
    met: ours.gzip < theirs.gzip,
    miss: `${kib(ours.gzip - theirs.gzip)} larger`,
  });
  return out;
}

function loadTable(r: RunResults, pick: (t: TargetResult) => import("./load.ts").LoadResult): string[] {
  const direct = pick(r.targets.direct);
  const bare = pick(r.targets["bare Worker"]);
  const lines = [
    "| target | req/s | × direct | × bare Worker | p50 ms | p50 vs direct | p50 vs bare Worker | p90 ms | p99 ms | errors |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const name of TARGETS) {
    const l = pick(r.targets[name]);
    lines.push(
      `| ${name} | ${int(l.rps)} | ${ratio(l.rps / direct.rps)} | ${ratio(l.rps / bare.rps)} | ${ms(l.p50)} | ${signed(l.p50 - direct.p50)} | ${signed(l.p50 - bare.p50)} | ${ms(l.p90)} | ${ms(l.p99)} | ${l.errors} |`,
    );
  }
  return lines;
}

export function renderReport(r: RunResults, analysisPath: string | null): string {
  const s = r.settings;
  const t = r.targets;
  const out: string[] = [];
  out.push("# Benchmarks");
  out.push("");
  out.push(
    `<!-- Generated by \`npm run bench\` (bench/run.ts). Do not edit by hand: edit bench/ and run it again. -->`,
  );
  out.push("");
  out.push(
    `Run of ${r.startedAt} (${s.mode}, ${Math.round(r.durationS)} s). Every figure below comes from this one run, on one shared and noisy machine: ` +
      "compare the ratios within a run, never absolute times across runs. The load generator, the upstream emulator and the target share the same " +
      `${r.machine.nproc} CPUs, so absolute req/s are lower than on a dedicated box; the ratios are what the targets are held to.`,
  );
  out.push("");
  out.push("## Reach");
  out.push("");
  out.push("| goal | target | measured | met |");
  out.push("| --- | --- | --- | --- |");
  for (const v of verdicts(r))
    out.push(`| ${v.what} | ${v.target} | ${v.measured} | ${v.met ? "yes" : `**no**: ${v.miss}`} |`);
  out.push("");

  for (const c of s.connections) {
    out.push(`## Non-streaming, ${c} connection${c === 1 ? "" : "s"}`);
    out.push("");
    out.push(
      `${s.loadSeconds} s closed loop per target (autocannon), in ${s.rounds} round(s) taken in turns with the other targets; keep-alive, one small chat request; latency is per response, exact (not autocannon's whole-ms histogram).`,
    );
    out.push("");
    out.push(...loadTable(r, (x) => x.json[c]!));
    out.push("");
  }

  out.push("## Streaming, 16 connections");
  out.push("");
  out.push(
    `${s.loadSeconds} s closed loop; each answer is ${s.streamChunks} content chunks written back to back by the emulator, plus role, finish and usage chunks and \`[DONE]\`; latency is to the end of the stream.`,
  );
  out.push("");
  out.push(...loadTable(r, (x) => x.stream16));
  out.push("");

  out.push("## Stream probe: time to first byte, first token, last token");
  out.push("");
  out.push(
    `One stream at a time, ${s.probeCount} times, ${PROBE_GAP_MS} ms apart (so a probe does not wait behind the previous request's after-response work; the load tables above include that); the emulator sends the role chunk at once, then ${s.probeChunks} content chunks ${s.probeDelayMs} ms apart. ` +
      "Medians; ms from sending the request. Switchyard answers with headers only at its commit point (the first content chunk), so its time to first byte is its time to first token by design.",
  );
  out.push("");
  out.push(
    "| target | first byte | first token | last token | first token vs bare Worker | first→last token | vs bare Worker | largest gap |",
  );
  out.push("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  const bareP = t["bare Worker"].probe;
  for (const name of TARGETS) {
    const p = t[name].probe;
    out.push(
      `| ${name} | ${ms(p.ttfb)} | ${ms(p.firstToken)} | ${ms(p.lastToken)} | ${signed(p.firstToken - bareP.firstToken)} | ${ms(p.lastToken - p.firstToken)} | ${signed(p.lastToken - p.firstToken - (bareP.lastToken - bareP.firstToken))} | ${ms(p.maxGap)} |`,
    );
  }
  out.push("");

  out.push("## CPU per request");
  out.push("");
  out.push(
    `utime + stime of the target's whole process tree (from /proc/<pid>/stat, before and after) over a fixed count: ${int(s.cpuRequests)} non-streaming requests, then ${int(s.cpuStreams)} streams of ${s.streamChunks} chunks, at 16 connections. ` +
      "For the Workers the tree is miniflare's Node host (idle while serving: requests go straight to workerd's socket) and workerd; for direct it is the emulator itself, whose own CPU is not counted in the other rows. " +
      "Switchyard's workerd also runs its Durable Objects' isolate and miniflare's local D1 (SQLite): on Cloudflare that work runs outside the Worker, here it is counted, and on one workerd thread it also delays the next request (the Profiles section splits it).",
  );
  out.push("");
  out.push("| target | CPU ms / request | × bare Worker | CPU ms / stream | × bare Worker |");
  out.push("| --- | ---: | ---: | ---: | ---: |");
  for (const name of TARGETS) {
    const x = t[name];
    out.push(
      `| ${name} | ${ms(x.cpuMsPerRequest, 3)} | ${ratio(x.cpuMsPerRequest / t["bare Worker"].cpuMsPerRequest)} | ${ms(x.cpuMsPerStream, 3)} | ${ratio(x.cpuMsPerStream / t["bare Worker"].cpuMsPerStream)} |`,
    );
  }
  out.push("");

  out.push("## Bundle size");
  out.push("");
  out.push("| build | bytes | gzip | note |");
  out.push("| --- | ---: | ---: | --- |");
  for (const b of r.bundles) out.push(`| ${b.name} | ${kib(b.bytes)} | ${kib(b.gzip)} | ${b.note} |`);
  out.push("");
  if ((r.composition ?? []).length > 0) {
    out.push(
      "What the deployed bundle is made of (its minified bytes per source, from its source map: each mapped segment counts for the file it came from; our files by directory, dependencies by package; largest 15):",
    );
    out.push("");
    out.push("| part | bytes | share |");
    out.push("| --- | ---: | ---: |");
    const total = r.bundles[0]?.bytes ?? 1;
    for (const c of r.composition)
      out.push(`| ${c.name} | ${kib(c.bytes)} | ${((c.bytes / total) * 100).toFixed(1)}% |`);
    out.push("");
  }

  out.push("## Memory");
  out.push("");
  out.push(
    "V8 heap in use by the target's isolate after a forced full GC (`HeapProfiler.collectGarbage`, then `Runtime.getHeapUsage` over the inspector), taken after all load. " +
      "For the Workers that is the user Worker's own isolate in workerd (miniflare's helper Workers are other isolates and are not counted; Switchyard's Durable Objects and local D1 have rows of their own); for Portkey and the emulator it is Node's main isolate. " +
      "RSS is the whole process tree's and includes each runtime's fixed cost (workerd also hosts miniflare's helper isolates).",
  );
  out.push("");
  out.push("| target | isolate heap used | process tree RSS |");
  out.push("| --- | ---: | ---: |");
  for (const name of TARGETS)
    out.push(
      `| ${name} | ${t[name].heapUsed === null ? "not measurable" : mib(t[name].heapUsed!)} | ${mib(t[name].rss)} |`,
    );
  for (const h of r.helperHeaps) out.push(`| ${h.name} | ${mib(h.used)} | (in the row above) |`);
  out.push("");

  out.push("## Profiles");
  out.push("");
  out.push(
    `V8 CPU profiles (inspector \`Profiler\`, 200 µs sampling) of each isolate that serves a Worker target, one isolate at a time, each during ${s.profileSeconds} s of load at 16 connections, after the measurements above so the sampling does not skew them. ` +
      "Self time. Read the shares and the µs per request of named code, not the totals: workerd runs all of a process's isolates on one thread and does not tell V8 when it is idle, " +
      "so an isolate's samples also cover time the thread spent elsewhere, under `(program)` and anonymous builtins. Work in workerd's C++ (HTTP, sockets) is not in these profiles; the CPU table has it. " +
      "In the helper isolates (the Durable Objects', local D1's) even named code's µs are not its cost, only a pointer to where it is: the stats object's code (src/stats, src/observability/metrics.ts) is sampled there at hundreds of µs per request, and its two calls (`record`, `recordMetrics`) measured exactly by `node bench/node-stats.ts` at about 4 µs per request (bench/ANALYSIS.md, section 2, the ninth round).",
  );
  out.push("");
  for (const p of r.profiles) {
    const perReq = (selfMs: number) => (p.requests > 0 ? ms((selfMs / p.requests) * 1000, 1) : "n/a");
    out.push(`### ${p.name}`);
    out.push("");
    out.push(
      `${int(p.requests)} requests; ${ms(p.summary.codeMs, 0)} ms sampled in the Worker's own code and bundled dependencies = **${perReq(p.summary.codeMs)} µs per request**. Modules, lines and names are the source's, mapped through the deployed bundle's source map (a dependency counts as its package).`,
    );
    out.push("");
    out.push("| module | self ms | µs / request | share of samples |");
    out.push("| --- | ---: | ---: | ---: |");
    for (const row of p.summary.byModule.slice(0, 12))
      out.push(`| ${row.name} | ${ms(row.selfMs, 1)} | ${perReq(row.selfMs)} | ${(row.share * 100).toFixed(1)}% |`);
    out.push("");
    out.push("| function · module:line | self ms | µs / request | share of samples |");
    out.push("| --- | ---: | ---: | ---: |");
    for (const row of p.summary.byFunction.slice(0, 12))
      out.push(
        `| ${row.name.replace(/\|/g, "\\|")} | ${ms(row.selfMs, 1)} | ${perReq(row.selfMs)} | ${(row.share * 100).toFixed(1)}% |`,
      );
    out.push("");
  }

  if (analysisPath !== null) {
    out.push(fillFigures(readFileSync(analysisPath, "utf8").trim(), r));
    out.push("");
  }

  out.push("## Machine and versions");
  out.push("");
  out.push(
    `- ${r.machine.nproc} CPUs (\`nproc\`), ${r.machine.cpu}, ${r.machine.memory} memory, Linux ${r.machine.kernel}`,
  );
  out.push(
    `- load average (1, 5, 15 min) before the run: ${r.machine.loadBefore}; after: ${r.machine.loadAfter} (the machine is shared: other work slows every target, not one)`,
  );
  for (const [k, v] of Object.entries(r.versions)) out.push(`- ${k}: ${v}`);
  out.push("");
  out.push("## How it was run");
  out.push("");
  out.push("```sh");
  out.push(...r.commands);
  out.push("```");
  out.push("");
  out.push(
    [
      "- **direct**: the bench emulator (`bench/emulator.ts`, Node `node:http`), the physical floor. Every other target calls it.",
      "- **bare Worker**: `bench/bare-worker.js`, a pass-through Worker, under workerd with the same compatibility date and flags as Switchyard.",
      "- **Switchyard**: the production bundle of `node scripts/build.ts bench/out/bundle` (what `npm run build` and `npm run deploy` make: wrangler's minified bundle, minified again by terser), run by workerd through miniflare's API (`bench/worker-host.ts`), not `wrangler dev`, " +
        "with every binding wrangler.toml declares but the dashboard's static assets (read at start through wrangler's `unstable_getMiniflareWorkerOptions`: vars, D1 with its migrations applied, Durable Objects), " +
        "`SWITCHYARD_ENV=development` (no gateway key), `OPENAI_BASE_URL` at the emulator and a dummy key; every request asks for `openai/gpt-4o-mini`.",
      "- Switchyard's Durable Objects run in an isolate of their own (the same bundle loaded a second time as `switchyard-objects`, which the Worker's bindings point at), as on Cloudflare, where an object does not share the Worker's isolate; workerd would otherwise run them inside it.",
      "- Both Workers listen on a direct workerd socket (miniflare's `unsafeDirectSockets`), so no miniflare entry Worker or Node proxy sits in front of them; their subrequests go out through miniflare's outbound service, the same for both.",
      "- The static assets are left out for the same reason: with them, miniflare runs its assets router (a JavaScript Worker) in front of Switchyard for every request, dashboard or not, and the process tree's CPU counts it. The load never asks for the dashboard. `node bench/assets-router.ts` measures what the router costs, alone and under Switchyard (bench/ANALYSIS.md, section 2).",
      "- **Portkey**: `@portkey-ai/gateway`'s published `build/start-server.js` on the same Node, `--headless`, with headers `x-portkey-provider: openai` and `x-portkey-custom-host` at the emulator. " +
        "npm nests `@hono/node-server` 1.19 under it (its range is ^1.3.3), and with that every streamed answer fails; `bench/portkey-pin.ts` resolves it to the top-level 1.13.5 that Portkey's own lockfile pins. " +
        "Its `postinstall` (patch-package) did not run under npm 11, and it does not matter: the published package ships no `patches/` folder, so there is nothing to apply. Portkey listens on all interfaces (it takes no host option); the bench reaches it on 127.0.0.1.",
      "- After a warm-up of every target, each scenario runs in rounds in which the targets take turns in a rotating order (load, CPU counts and stream probes alike), so a burst of other work on the shared machine spreads over all of them.",
      "- Each process is spawned in its own process group with a stdin lifeline and killed as a group when the bench ends, fails or is interrupted.",
    ].join("\n"),
  );
  out.push("");
  return out.join("\n");
}

/**
 * The hand-written analysis quotes this run's figures through placeholders, so it never disagrees with the tables:
 * {{mod:<profile>|<module>}} and {{fn:<profile>|<function>}} (µs per request, from the profile whose name starts
 * with <profile>), {{code:<profile>}}, {{cpu:<target>}} and {{cpustream:<target>}} (ms), {{rps:<target>|<connections>}},
 * {{srps:<target>}} (streamed req/s), {{p50:<target>|<connections>}}, {{ttfb:<target>}} and {{ttft:<target>}} (the
 * stream probe's medians, ms), {{spread:<target>}} (its first→last token against the bare Worker's, ms),
 * {{bundle:<build>}} (gzip) and {{part:<composition part>}} (minified bytes).
 */
export function fillFigures(text: string, r: RunResults): string {
  const profile = (name: string) => r.profiles.find((p) => p.name.startsWith(name));
  const perReq = (name: string, selfMs: number | undefined) => {
    const p = profile(name);
    return p && selfMs !== undefined && p.requests > 0 ? ms((selfMs / p.requests) * 1000, 0) : "n/a";
  };
  return text.replace(
    /\{\{(\w+):([^}|]+)(?:\|([^}]+))?\}\}/g,
    (_all, kind: string, a: string, b: string | undefined) => {
      const target = isTargetName(a) ? r.targets[a] : undefined;
      switch (kind) {
        case "mod":
          return perReq(a, profile(a)?.summary.byModule.find((m) => m.name === b)?.selfMs);
        case "fn":
          return perReq(
            a,
            profile(a)
              ?.summary.byFunction.filter((f) => f.name.startsWith(`${b} · `))
              .reduce((sum, f) => sum + f.selfMs, 0) || undefined,
          );
        case "code":
          return perReq(a, profile(a)?.summary.codeMs);
        case "cpu":
          return target ? ms(target.cpuMsPerRequest, 3) : "n/a";
        case "cpustream":
          return target ? ms(target.cpuMsPerStream, 3) : "n/a";
        case "srps":
          return target ? int(target.stream16.rps) : "n/a";
        case "bundle": {
          const bundle = r.bundles.find((x) => x.name.startsWith(a));
          return bundle ? kib(bundle.gzip) : "n/a";
        }
        case "part": {
          const part = r.composition.find((x) => x.name === a);
          return part ? kib(part.bytes) : "n/a";
        }
        case "ttfb":
          return target ? ms(target.probe.ttfb, 1) : "n/a";
        case "ttft":
          return target ? ms(target.probe.firstToken, 1) : "n/a";
        case "spread": {
          const bare = r.targets["bare Worker"].probe;
          return target
            ? signed(target.probe.lastToken - target.probe.firstToken - (bare.lastToken - bare.firstToken))
            : "n/a";
        }
        case "rps":
          return target ? int(target.json[Number(b)]?.rps ?? Number.NaN) : "n/a";
        case "p50":
          return target ? ms(target.json[Number(b)]?.p50 ?? Number.NaN) : "n/a";
        default:
          return "n/a";
      }
    },
  );
}

export function isTargetName(name: string): name is TargetName {
  return (TARGETS as readonly string[]).includes(name);
}
