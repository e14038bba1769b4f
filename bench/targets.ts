// Starts the bench's processes (emulator, bare Worker, Switchyard, Portkey) and guarantees they all die with the bench.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import type { Endpoint } from "./load.ts";
import { type HostSpec, OBJECTS } from "./worker-host.ts";

export interface Started {
  name: string;
  /** The process whose tree is the target (its CPU and memory are measured). */
  pid: number;
  /** host:port of its V8 inspector. */
  inspector: string;
  /** The inspector target to attach to (workerd lists one per worker). */
  inspectorTargetId: string | null;
  /** Other isolates of the same process that do this target's work (Switchyard's Durable Objects, local D1). */
  helperIsolates: { id: string; label: string }[];
  url: string;
}

const children = new Set<ChildProcess>();

/** Kills every child's whole process group (workerd runs as a grandchild under miniflare's host). */
export function killAll(): void {
  for (const child of children) {
    if (child.pid === undefined) continue;
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  children.clear();
}

/**
 * Ends every child's lifeline (each one shuts down cleanly: miniflare waits for its workerd), then kills the groups of
 * those still alive after `graceMs`, so nothing is left behind either way.
 */
export async function stopAll(graceMs = 3000): Promise<void> {
  await Promise.all([...children].map((child) => (child.pid === undefined ? undefined : stopOne(child.pid, graceMs))));
  killAll();
}

/** Stops one target (its lifeline ended, then its group killed after `graceMs`), leaving the others running. */
export async function stopOne(pid: number, graceMs = 3000): Promise<void> {
  const child = [...children].find((c) => c.pid === pid);
  if (child === undefined) return;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.stdin?.end();
    await Promise.race([exited, new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref())]);
  }
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // Already gone.
  }
  children.delete(child);
}

let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on("exit", killAll);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      killAll();
      process.exit(130);
    });
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/**
 * Spawns a process in its own group with a stdin lifeline (it exits when the bench's end of the pipe closes) and
 * waits for `ready` to match a line of its output.
 */
function launch(
  name: string,
  command: string,
  args: string[],
  ready: RegExp,
  cwd: string,
  timeoutMs: number,
): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  hookExit();
  const child = spawn(command, args, {
    cwd,
    detached: true,
    stdio: ["pipe", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1", WRANGLER_SEND_METRICS: "false" },
  });
  children.add(child);
  let log = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} did not start within ${timeoutMs} ms:\n${log.slice(-2000)}`)),
      timeoutMs,
    );
    const onData = (data: Buffer) => {
      log += data.toString();
      const match = ready.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (data: Buffer) => (log += data.toString()));
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before it was ready:\n${log.slice(-2000)}`));
    });
  });
}

const node = process.execPath;

export async function startEmulator(root: string): Promise<{
  started: Started;
  endpoint: Endpoint;
  setStream(shape: { chunks: number; delayMs: number }): Promise<void>;
}> {
  const inspectorPort = await freePort();
  const { child, match } = await launch(
    "emulator",
    node,
    [`--inspect=127.0.0.1:${inspectorPort}`, join(root, "bench/emulator.ts"), "0"],
    /READY (\S+)/,
    root,
    15_000,
  );
  const url = match[1]!;
  return {
    started: {
      name: "direct",
      pid: child.pid!,
      inspector: `127.0.0.1:${inspectorPort}`,
      inspectorTargetId: null,
      helperIsolates: [],
      url,
    },
    endpoint: { url: `${url}/v1/chat/completions`, headers: {}, model: "gpt-4o-mini" },
    async setStream(shape) {
      const res = await fetch(`${url}/__bench/stream`, { method: "POST", body: JSON.stringify(shape) });
      if (!res.ok) throw new Error(`emulator refused stream shape: ${res.status}`);
    },
  };
}

const SWITCHYARD_HELPERS = [
  { id: `core:user:${OBJECTS}`, label: "its Durable Objects' isolate" },
  // miniflare's stand-in for D1 (SQLite behind a Durable Object); on Cloudflare this work happens in D1's service.
  { id: "d1:db", label: "local D1's isolate (miniflare)" },
];

export async function startWorker(
  root: string,
  kind: HostSpec["kind"],
  scriptPath: string,
  upstream: string,
  drop: string[] = [],
): Promise<{ started: Started; endpoint: Endpoint }> {
  const spec: HostSpec = {
    kind,
    scriptPath,
    upstream,
    port: await freePort(),
    inspectorPort: await freePort(),
    root,
    drop,
  };
  const { child, match } = await launch(
    kind,
    node,
    [join(root, "bench/worker-host.ts"), JSON.stringify(spec)],
    /READY (\{.*\})/,
    root,
    60_000,
  );
  const ready = JSON.parse(match[1]!) as { url: string; inspector: string; workerName: string };
  const name = kind === "bare" ? "bare Worker" : "Switchyard";
  return {
    started: {
      name,
      pid: child.pid!,
      inspector: ready.inspector,
      inspectorTargetId: `core:user:${ready.workerName}`,
      helperIsolates: kind === "bare" ? [] : SWITCHYARD_HELPERS,
      url: ready.url,
    },
    endpoint: {
      url: `${ready.url}/v1/chat/completions`,
      headers: {},
      model: kind === "bare" ? "gpt-4o-mini" : "openai/gpt-4o-mini",
    },
  };
}

export async function startPortkey(root: string, upstream: string): Promise<{ started: Started; endpoint: Endpoint }> {
  const port = await freePort();
  const inspectorPort = await freePort();
  const entry = join(root, "node_modules/@portkey-ai/gateway/build/start-server.js");
  const args = [
    `--inspect=127.0.0.1:${inspectorPort}`,
    "--import",
    join(root, "bench/portkey-pin.ts"),
    entry,
    `--port=${port}`,
    "--headless",
  ];
  const { child } = await launch("portkey", node, args, /Ready for connections/, root, 30_000);
  const url = `http://127.0.0.1:${port}`;
  return {
    started: {
      name: "Portkey",
      pid: child.pid!,
      inspector: `127.0.0.1:${inspectorPort}`,
      inspectorTargetId: null,
      helperIsolates: [],
      url,
    },
    endpoint: {
      url: `${url}/v1/chat/completions`,
      headers: {
        "x-portkey-provider": "openai",
        "x-portkey-custom-host": `${upstream}/v1`,
        authorization: "Bearer sk-bench-dummy",
      },
      model: "gpt-4o-mini",
    },
  };
}
