// The shape of one bench run's results, shared by the runner and the report.
import type { LoadResult, StreamTiming } from "./load.ts";
import type { ProfileSummary } from "./profile.ts";

export const TARGETS = ["direct", "bare Worker", "Switchyard", "Portkey"] as const;
export type TargetName = (typeof TARGETS)[number];

export interface TargetResult {
  name: TargetName;
  json: Record<number, LoadResult>;
  stream16: LoadResult;
  probe: StreamTiming;
  /** CPU ms of the target's process tree per non-streaming request, and per streamed answer. */
  cpuMsPerRequest: number;
  cpuMsPerStream: number;
  /** V8 heap used by the target's isolate after a full GC (bytes), and its process tree's RSS. */
  heapUsed: number | null;
  rss: number;
}

export interface BundleSize {
  name: string;
  bytes: number;
  gzip: number;
  note: string;
}

export interface RunSettings {
  mode: "full" | "smoke";
  /** Each scenario's time (and request counts) is split into this many rounds, the targets taking turns. */
  rounds: number;
  loadSeconds: number;
  warmupSeconds: number;
  connections: number[];
  cpuRequests: number;
  cpuStreams: number;
  streamChunks: number;
  probeChunks: number;
  probeDelayMs: number;
  probeCount: number;
  profileSeconds: number;
}

export interface RunResults {
  settings: RunSettings;
  startedAt: string;
  durationS: number;
  targets: Record<TargetName, TargetResult>;
  bundles: BundleSize[];
  /** What the deployed bundle is made of (its minified bytes per module group, from esbuild's metafile). */
  composition: { name: string; bytes: number }[];
  profiles: { name: string; requests: number; summary: ProfileSummary }[];
  /** Heaps of the isolates that work for a target beside its own (Switchyard's Durable Objects, local D1). */
  helperHeaps: { name: string; used: number }[];
  machine: { nproc: number; cpu: string; memory: string; kernel: string; loadBefore: string; loadAfter: string };
  versions: Record<string, string>;
  commands: string[];
}
