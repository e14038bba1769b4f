// A minimal Chrome DevTools Protocol client over the inspector socket (workerd's and node's alike): heap and CPU profile.
export interface InspectorTarget {
  id: string;
  title: string;
  webSocketDebuggerUrl: string;
}

export async function listTargets(hostPort: string): Promise<InspectorTarget[]> {
  const res = await fetch(`http://${hostPort}/json/list`);
  return (await res.json()) as InspectorTarget[];
}

export class Inspector {
  private next = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private readonly ws: WebSocket;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.addEventListener("message", (event) => {
      const msg = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string } };
      if (msg.id === undefined) return;
      const waiter = this.pending.get(msg.id);
      if (!waiter) return;
      this.pending.delete(msg.id);
      if (msg.error) waiter.reject(new Error(msg.error.message));
      else waiter.resolve(msg.result);
    });
  }

  static connect(url: string): Promise<Inspector> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.addEventListener("open", () => resolve(new Inspector(ws)), { once: true });
      ws.addEventListener("error", () => reject(new Error(`cannot open inspector ${url}`)), { once: true });
    });
  }

  send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`inspector ${method} timed out`));
      }, 30_000);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /**
   * Sends commands while `poke` (one request to the target) repeats: workerd runs some inspector commands only when
   * the isolate next takes its lock, so an idle Worker would never answer them.
   */
  private async whilePoking<T>(poke: () => Promise<void>, work: () => Promise<T>): Promise<T> {
    const running = work();
    let done = false;
    running.then(
      () => (done = true),
      () => (done = true),
    );
    while (!done) {
      await poke().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return running;
  }

  /** V8 heap in use by this isolate after a full GC, in bytes. */
  async heapUsedAfterGc(poke: () => Promise<void>): Promise<{ used: number; total: number }> {
    const usage = await this.whilePoking(poke, async () => {
      await this.send("HeapProfiler.enable");
      await this.send("HeapProfiler.collectGarbage");
      return this.send<{ usedSize: number; totalSize: number }>("Runtime.getHeapUsage");
    });
    return { used: usage.usedSize, total: usage.totalSize };
  }

  /** A CPU profile of the isolate while `during` runs (the load itself keeps the isolate answering). */
  async profile(poke: () => Promise<void>, during: () => Promise<void>, intervalUs = 200): Promise<CpuProfile> {
    await this.whilePoking(poke, async () => {
      await this.send("Profiler.enable");
      await this.send("Profiler.setSamplingInterval", { interval: intervalUs });
      await this.send("Profiler.start");
    });
    let failure: unknown = null;
    try {
      await during();
    } catch (err) {
      failure = err;
    }
    // Stopped even when the load failed, so the isolate does not keep sampling.
    const { profile } = await this.whilePoking(poke, () => this.send<{ profile: CpuProfile }>("Profiler.stop"));
    if (failure !== null) throw failure;
    return profile;
  }

  close(): void {
    this.ws.close();
  }
}

export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}
