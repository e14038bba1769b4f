// The measurements of one bench run, each over all targets in interleaved rounds: load, CPU, stream probe, profiles, memory.
import { Inspector, listTargets } from "./inspector.ts";
import {
  chatBody,
  type Endpoint,
  type LoadResult,
  type LoadRun,
  medianTiming,
  runLoad,
  type StreamTiming,
  streamProbe,
  summariseRuns,
} from "./load.ts";
import { treeCpuSeconds } from "./proc.ts";
import { sourceLocator, summarise } from "./profile.ts";
import { type RunResults, type RunSettings, TARGETS, type TargetName } from "./results.ts";
import type { Started } from "./targets.ts";

export type Targets = Record<TargetName, { started: Started; endpoint: Endpoint }>;
type Log = (msg: string) => void;

/**
 * The targets' order in round `round`: each scenario runs in rounds, the targets taking turns in a rotating order, so
 * a burst of other work on the shared machine lands on every target rather than on whichever happened to be running.
 */
function turns(round: number): TargetName[] {
  return TARGETS.map((_, i) => TARGETS[(i + round) % TARGETS.length]!);
}

async function inspectorFor(started: Started, isolate = started.inspectorTargetId): Promise<Inspector> {
  const targets = await listTargets(started.inspector);
  const target = isolate === null ? targets[0] : targets.find((t) => t.id === isolate);
  if (!target) throw new Error(`${started.name}: no inspector target ${isolate} at ${started.inspector}`);
  return Inspector.connect(target.webSocketDebuggerUrl);
}

/** One request, answered and read: what gets an idle isolate to run its queued inspector commands. */
function pokeOf(endpoint: Endpoint): () => Promise<void> {
  return async () => {
    const res = await fetch(endpoint.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...endpoint.headers },
      body: chatBody(endpoint, false),
    });
    await res.arrayBuffer();
  };
}

/** Closed-loop load, non-streaming at each connection count, then streaming at 16. */
export async function measureLoad(
  targets: Targets,
  settings: RunSettings,
  log: Log,
): Promise<{ json: Record<TargetName, Record<number, LoadResult>>; stream16: Record<TargetName, LoadResult> }> {
  const perRound = settings.loadSeconds / settings.rounds;
  const json: Record<TargetName, Record<number, LoadResult>> = {
    direct: {},
    "bare Worker": {},
    Switchyard: {},
    Portkey: {},
  };
  for (const c of settings.connections) {
    log(`non-streaming, ${c} connection(s)`);
    const runs = new Map<TargetName, LoadRun[]>(TARGETS.map((n) => [n, []]));
    for (let r = 0; r < settings.rounds; r++) {
      for (const name of turns(r))
        runs
          .get(name)!
          .push(await runLoad(targets[name].endpoint, { connections: c, stream: false, durationS: perRound }));
    }
    for (const name of TARGETS) json[name][c] = summariseRuns(runs.get(name)!);
  }
  log("streaming, 16 connections");
  const stream16 = {} as Record<TargetName, LoadResult>;
  const runs = new Map<TargetName, LoadRun[]>(TARGETS.map((n) => [n, []]));
  for (let r = 0; r < settings.rounds; r++) {
    for (const name of turns(r))
      runs
        .get(name)!
        .push(await runLoad(targets[name].endpoint, { connections: 16, stream: true, durationS: perRound }));
  }
  for (const name of TARGETS) stream16[name] = summariseRuns(runs.get(name)!);
  return { json, stream16 };
}

/** CPU ms of each target's process tree per non-streaming request and per stream, over fixed request counts. */
export async function measureCpu(
  targets: Targets,
  settings: RunSettings,
  log: Log,
): Promise<{ perRequest: Record<TargetName, number>; perStream: Record<TargetName, number> }> {
  log("CPU per request");
  const cpu = new Map<TargetName, { jsonS: number; jsonN: number; streamS: number; streamN: number }>(
    TARGETS.map((n) => [n, { jsonS: 0, jsonN: 0, streamS: 0, streamN: 0 }]),
  );
  for (let r = 0; r < settings.rounds; r++) {
    for (const name of turns(r)) {
      const { pid } = targets[name].started;
      const sum = cpu.get(name)!;
      const a = treeCpuSeconds(pid);
      const jsonRun = await runLoad(targets[name].endpoint, {
        connections: 16,
        stream: false,
        amount: Math.ceil(settings.cpuRequests / settings.rounds),
      });
      const b = treeCpuSeconds(pid);
      const streamRun = await runLoad(targets[name].endpoint, {
        connections: 16,
        stream: true,
        amount: Math.ceil(settings.cpuStreams / settings.rounds),
      });
      const c = treeCpuSeconds(pid);
      sum.jsonS += b - a;
      sum.jsonN += jsonRun.latencies.length + jsonRun.errors;
      sum.streamS += c - b;
      sum.streamN += streamRun.latencies.length + streamRun.errors;
    }
  }
  const perRequest = {} as Record<TargetName, number>;
  const perStream = {} as Record<TargetName, number>;
  for (const name of TARGETS) {
    const sum = cpu.get(name)!;
    perRequest[name] = (sum.jsonS * 1000) / Math.max(1, sum.jsonN);
    perStream[name] = (sum.streamS * 1000) / Math.max(1, sum.streamN);
  }
  return { perRequest, perStream };
}

/** Sequential streams with paced chunks: medians of time to first byte, first token and last token. */
export async function measureProbe(
  targets: Targets,
  settings: RunSettings,
  emulator: { setStream(shape: { chunks: number; delayMs: number }): Promise<void> },
  log: Log,
): Promise<Record<TargetName, StreamTiming>> {
  log(`stream probe (${settings.probeChunks} chunks, ${settings.probeDelayMs} ms apart)`);
  await emulator.setStream({ chunks: settings.probeChunks, delayMs: settings.probeDelayMs });
  const probeRuns = new Map<TargetName, StreamTiming[]>(TARGETS.map((n) => [n, []]));
  for (let r = 0; r < settings.rounds; r++) {
    for (const name of turns(r))
      probeRuns
        .get(name)!
        .push(...(await streamProbe(targets[name].endpoint, Math.ceil(settings.probeCount / settings.rounds))));
  }
  const probe = {} as Record<TargetName, StreamTiming>;
  for (const name of TARGETS) probe[name] = medianTiming(probeRuns.get(name)!);
  await emulator.setStream({ chunks: settings.streamChunks, delayMs: 0 });
  return probe;
}

/** CPU profiles of every isolate that serves a Worker target, one isolate and one scenario at a time. */
export async function measureProfiles(
  targets: Targets,
  settings: RunSettings,
  bundle: { script: string; sourceMap: string },
  log: Log,
): Promise<RunResults["profiles"]> {
  log("profiling the Worker isolates");
  const locate = sourceLocator(bundle.sourceMap, bundle.script);
  const profiles: RunResults["profiles"] = [];
  for (const name of ["Switchyard", "bare Worker"] as const) {
    const { started, endpoint } = targets[name];
    const isolates = [{ id: started.inspectorTargetId, label: "the Worker's isolate" }, ...started.helperIsolates];
    for (const stream of [false, true]) {
      // One isolate at a time: workerd runs its isolates on one thread, and sampling several at once slows all.
      for (const isolate of isolates) {
        const inspector = await inspectorFor(started, isolate.id);
        let requests = 0;
        const profile = await inspector.profile(pokeOf(endpoint), async () => {
          requests = (await runLoad(endpoint, { connections: 16, stream, durationS: settings.profileSeconds }))
            .latencies.length;
        });
        inspector.close();
        const scenario = stream ? `streaming (${settings.streamChunks} chunks)` : "non-streaming";
        const locating = name === "Switchyard" && isolate.id !== null && isolate.id.startsWith("core:user:");
        profiles.push({
          name: `${name}, ${scenario}: ${isolate.label}`,
          requests,
          // More rows than the report's tables show, so the analysis can quote a module outside the top.
          summary: summarise(profile, "index.js", locating ? locate : null, 40),
        });
      }
    }
  }
  return profiles;
}

/** Each target's isolate heap after a full GC, and those of the isolates that work for it. */
export async function measureMemory(
  targets: Targets,
  log: Log,
): Promise<{ heap: Record<TargetName, number | null>; helperHeaps: RunResults["helperHeaps"] }> {
  log("memory");
  const heap = {} as Record<TargetName, number | null>;
  const helperHeaps: RunResults["helperHeaps"] = [];
  for (const name of TARGETS) {
    const { started, endpoint } = targets[name];
    try {
      const inspector = await inspectorFor(started);
      heap[name] = (await inspector.heapUsedAfterGc(pokeOf(endpoint))).used;
      inspector.close();
    } catch (err) {
      log(`${name}: heap not measurable: ${(err as Error).message}`);
      heap[name] = null;
    }
    for (const helper of started.helperIsolates) {
      const inspector = await inspectorFor(started, helper.id);
      helperHeaps.push({
        name: `${name}: ${helper.label}`,
        used: (await inspector.heapUsedAfterGc(pokeOf(endpoint))).used,
      });
      inspector.close();
    }
  }
  return { heap, helperHeaps };
}
