// One-off probe (not part of `npm run bench`): the JavaScript the gateway runs per request, measured in node, where a
// CPU profile is exact (workerd's sampler shares one thread among a process's isolates and attributes loosely).
//
//   node bench/node-request.ts                  # CPU µs per request, non-streaming and streaming
//   node bench/node-request.ts --profile DIR     # ... and a .cpuprofile of each into DIR, with a top-30 table
//   node bench/node-request.ts --heap            # ... and the bytes each function allocates per request (top 30)
//   node bench/node-request.ts --prompt 18000    # ... with a user message of that many characters (prose)
//
// The Worker's fetch handler (src/index.ts, bundled by esbuild unminified) runs in this process with the bench's
// bindings: development mode, one OpenAI key, a D1 that accepts every statement and answers nothing, an empty
// governance directory, budget objects that take charges, no stats object (the stats cache then does nothing), and `fetch` answering the upstream call with the bench emulator's
// bytes. What it leaves out is the runtime's own work (sockets, the subrequest, workerd's Response), which the
// workerd bench measures; what it keeps is every line of Switchyard's request path.
import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { completion, DONE, finishChunk, MODEL, ROLE, TOKEN } from "./emulator.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const profileAt = args.indexOf("--profile");
const profileDir = profileAt >= 0 ? args[profileAt + 1] : undefined;
const N = Number(args[args.indexOf("--n") + 1] || 0) || 20_000;
const promptAt = args.indexOf("--prompt");
const promptChars = promptAt >= 0 ? Number(args[promptAt + 1]) : 0;
const PROSE = "The quick brown fox jumps over the lazy dog, and then it writes some code: const x = 42; ";
const prompt =
  promptChars > 0 ? PROSE.repeat(Math.ceil(promptChars / PROSE.length)).slice(0, promptChars) : "Say hello.";

const out = join(root, "bench/out/node-request/index.mjs");
mkdirSync(dirname(out), { recursive: true });
await build({
  entryPoints: [join(root, "src/index.ts")],
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2023",
  conditions: ["workerd", "worker", "browser"],
  mainFields: ["module", "main"],
  outfile: out,
  sourcemap: "inline",
  logLevel: "error",
  plugins: [
    {
      name: "cloudflare-shim",
      setup(b) {
        b.onResolve({ filter: /^cloudflare:workers$/ }, () => ({ path: "cf", namespace: "shim" }));
        b.onLoad({ filter: /.*/, namespace: "shim" }, () => ({
          contents:
            "export class DurableObject { constructor(ctx, env) { this.ctx = ctx; this.env = env; } }\n" +
            "export class WorkerEntrypoint { constructor(ctx, env) { this.ctx = ctx; this.env = env; } }\n",
          loader: "js",
        }));
      },
    },
  ],
});

// The bench emulator's own bytes (bench/emulator.ts): the same answer, and a stream read as the emulator writes it
// (the role chunk, 20 content chunks, then the finish, usage and [DONE] together).
const streamParts = [ROLE, ...Array.from({ length: 20 }, () => TOKEN), Buffer.concat([finishChunk(20, true), DONE])];

globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
  const body = JSON.parse(String(init?.body ?? (input instanceof Request ? await input.text() : "{}")));
  if (body.stream === true) {
    let i = 0;
    return new Response(
      new ReadableStream<Uint8Array>({
        pull(c) {
          const part = streamParts[i++];
          if (part === undefined) c.close();
          else c.enqueue(part);
        },
      }),
      { headers: { "content-type": "text/event-stream" } },
    );
  }
  return new Response(new Uint8Array(completion), { headers: { "content-type": "application/json" } });
}) as typeof fetch;

const mod = (await import(pathToFileURL(out).href)) as {
  default: { fetch(req: Request, env: unknown, ctx: unknown): Promise<Response> };
};
const noRows = { results: [], success: true, meta: {} };
const statement = {
  bind: () => statement,
  run: async () => noRows,
  all: async () => noRows,
  first: async () => null,
  raw: async () => [],
};
const env = {
  SWITCHYARD_ENV: "development",
  LLM_ROUTING_STRATEGY: "balanced",
  LLM_ENABLE_FALLBACK: "true",
  LLM_PREFER_LOCAL: "false",
  OPENAI_BASE_URL: "http://127.0.0.1:9/v1",
  OPENAI_API_KEY: "sk-bench-dummy",
  DB: { prepare: () => statement, batch: async (s: unknown[]) => s.map(() => noRows), exec: async () => noRows },
  // The directory with no keys, budgets or limits (as a fresh development gateway has): one snapshot per isolate.
  GOVERNANCE: {
    idFromName: (name: string) => name,
    get: () => ({ snapshot: async () => ({ keys: [], budgets: [], limits: [] }) }),
  },
  // A workspace without a budget: its spend is still charged after the fact, in batches.
  BUDGETS: { idFromName: (name: string) => name, get: () => ({ charge: async () => undefined }) },
};
// Background work (batched writes, waiting up to a second for company) runs on; nothing here waits for it.
const ctx = {
  waitUntil: (p: Promise<unknown>) => void p.catch((err: unknown) => console.error("waitUntil failed", err)),
  passThroughOnException: () => undefined,
};

function request(stream: boolean): Request {
  const body: Record<string, unknown> = {
    model: `openai/${MODEL}`,
    messages: [{ role: "user", content: prompt }],
  };
  if (stream) Object.assign(body, { stream: true, stream_options: { include_usage: true } });
  return new Request("http://127.0.0.1:8787/v1/chat/completions", {
    method: "POST",
    headers: { "content-type": "application/json", host: "127.0.0.1:8787" },
    body: JSON.stringify(body),
  });
}

async function once(stream: boolean): Promise<void> {
  const res = await mod.default.fetch(request(stream), env, ctx);
  if (res.status !== 200) throw new Error(`status ${res.status}: ${await res.text()}`);
  await res.arrayBuffer();
}

async function measure(stream: boolean, n: number): Promise<number> {
  for (let i = 0; i < 500; i++) await once(stream);
  const before = process.cpuUsage();
  for (let i = 0; i < n; i++) await once(stream);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / n;
}

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
  children?: number[];
}

function top(profile: { nodes: Node[]; samples: number[] }, n: number, perRequest: number): string {
  const self = new Map<string, number>();
  for (const node of profile.nodes) {
    const f = node.callFrame;
    const where = f.url.includes("/node_modules/") ? f.url.replace(/.*node_modules\//, "") : f.url.replace(/.*\//, "");
    const key = `${f.functionName || "(anonymous)"} · ${where}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + node.hitCount);
  }
  const total = profile.samples.length;
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${((v / total) * perRequest).toFixed(1).padStart(8)}  ${k}`)
    .join("\n");
}

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

/** Bytes allocated per request by each function (the sampling heap profiler, collected objects included). */
function topAllocations(head: HeapNode, n: number, requests: number): string {
  const self = new Map<string, number>();
  const walk = (node: HeapNode) => {
    const f = node.callFrame;
    const where = f.url.includes("/node_modules/") ? f.url.replace(/.*node_modules\//, "") : f.url.replace(/.*\//, "");
    const key = `${f.functionName || "(anonymous)"} · ${where}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + node.selfSize);
    for (const c of node.children) walk(c);
  };
  walk(head);
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  return [
    `${(total / requests / 1024).toFixed(1)} KiB allocated per request`,
    ...[...self.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `${(v / requests / 1024).toFixed(2).padStart(8)} KiB  ${k}`),
  ].join("\n");
}

for (const stream of [false, true]) {
  const label = stream ? "stream (20 chunks)" : "non-streaming";
  const us = await measure(stream, stream ? N / 4 : N);
  console.log(`${label}: ${us.toFixed(1)} µs CPU per request`);
  if (args.includes("--heap")) {
    const session = new Session();
    session.connect();
    await session.post("HeapProfiler.enable");
    await session.post("HeapProfiler.startSampling", {
      samplingInterval: 256,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    const n = stream ? N / 8 : N / 2;
    for (let i = 0; i < n; i++) await once(stream);
    const { profile } = await session.post("HeapProfiler.stopSampling");
    console.log(topAllocations((profile as { head: HeapNode }).head, 30, n));
    session.disconnect();
  }
  if (profileDir !== undefined) {
    const session = new Session();
    session.connect();
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: 50 });
    await session.post("Profiler.start");
    const n = stream ? N / 8 : N / 2;
    const before = process.cpuUsage();
    for (let i = 0; i < n; i++) await once(stream);
    const used = process.cpuUsage(before);
    const { profile } = await session.post("Profiler.stop");
    mkdirSync(profileDir, { recursive: true });
    writeFileSync(join(profileDir, `${stream ? "stream" : "json"}.cpuprofile`), JSON.stringify(profile));
    console.log(top(profile as never, 30, (used.user + used.system) / n));
    session.disconnect();
  }
}
