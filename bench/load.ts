// Load and probes against one target: autocannon for throughput (with exact per-response latencies), a stream probe.

import { Agent, type ClientRequest, type IncomingMessage, request } from "node:http";
import autocannon from "autocannon";

/** How to call one target: its chat URL and the headers it needs (Portkey routes by header). */
export interface Endpoint {
  url: string;
  headers: Record<string, string>;
  model: string;
}

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  /** Connection errors, timeouts and non-2xx answers together. */
  errors: number;
}

export function chatBody(endpoint: Endpoint, stream: boolean): string {
  const body: Record<string, unknown> = { model: endpoint.model, messages: [{ role: "user", content: "Say hello." }] };
  // The same upstream work for every target: Switchyard asks for usage on streams itself, so everyone does.
  if (stream) Object.assign(body, { stream: true, stream_options: { include_usage: true } });
  return JSON.stringify(body);
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function median(values: number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

/** One load run's raw outcome: every 2xx latency (ms) and the run's length. */
export interface LoadRun {
  latencies: number[];
  seconds: number;
  errors: number;
}

/** Several runs of one scenario on one target (interleaved with the other targets) as one result. */
export function summariseRuns(runs: LoadRun[]): LoadResult {
  const latencies = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const seconds = runs.reduce((sum, r) => sum + r.seconds, 0);
  return {
    requests: latencies.length,
    rps: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
  };
}

/**
 * Closed-loop load: `connections` keep-alive connections, each sending the next request when the last one answered.
 * autocannon's own histogram rounds to whole milliseconds, so latencies are taken from its per-response events.
 */
export async function runLoad(
  endpoint: Endpoint,
  opts: { connections: number; stream: boolean; durationS?: number; amount?: number },
): Promise<LoadRun> {
  const instance = autocannon({
    url: endpoint.url,
    method: "POST",
    headers: { "content-type": "application/json", ...endpoint.headers },
    body: chatBody(endpoint, opts.stream),
    connections: opts.connections,
    ...(opts.amount !== undefined ? { amount: opts.amount } : { duration: opts.durationS ?? 5 }),
    timeout: 10,
    // autocannon checks its stop flag on each sample tick (1 s by default): a short tick keeps short runs short.
    sampleInt: 100,
  });
  const latencies: number[] = [];
  instance.on("response", (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status >= 200 && status < 300) latencies.push(ms);
  });
  const result = await instance;
  return { latencies, seconds: result.duration, errors: result.errors + result.timeouts + result.non2xx };
}

export interface StreamTiming {
  /** From sending the request to the response headers. */
  ttfb: number;
  /** To the first chunk that carries content. */
  firstToken: number;
  /** To the last chunk that carries content. */
  lastToken: number;
  /** Largest gap between two content chunks. */
  maxGap: number;
  tokens: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** Sends the bench's chat request over the probe's kept-alive connection; `onResponse` gets the answer's head. */
function probeRequest(endpoint: Endpoint, stream: boolean, onResponse: (res: IncomingMessage) => void): ClientRequest {
  const body = chatBody(endpoint, stream);
  const req = request(
    endpoint.url,
    {
      method: "POST",
      agent,
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...endpoint.headers },
    },
    onResponse,
  );
  req.end(body);
  return req;
}

/** One streamed request over a kept-alive connection, timed at each content chunk as it arrives. */
export function streamOnce(endpoint: Endpoint): Promise<StreamTiming> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let ttfb = 0;
    const tokenTimes: number[] = [];
    let carry = "";
    const req = probeRequest(endpoint, true, (res) => {
      ttfb = performance.now() - started;
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`stream answered ${res.statusCode}`));
        return;
      }
      res.setEncoding("utf8");
      res.on("data", (text: string) => {
        const now = performance.now() - started;
        carry += text;
        const events = carry.split("\n\n");
        carry = events.pop() ?? "";
        for (const event of events) {
          // A content chunk is one whose delta carries non-empty text; role-only and usage chunks are not tokens.
          if (/"content":"[^"]/.test(event)) tokenTimes.push(now);
        }
      });
      res.on("end", () => {
        if (tokenTimes.length === 0) return reject(new Error("stream carried no content"));
        let maxGap = 0;
        for (let i = 1; i < tokenTimes.length; i++) maxGap = Math.max(maxGap, tokenTimes[i]! - tokenTimes[i - 1]!);
        resolve({
          ttfb,
          firstToken: tokenTimes[0]!,
          lastToken: tokenTimes[tokenTimes.length - 1]!,
          maxGap,
          tokens: tokenTimes.length,
        });
      });
      res.on("error", reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error("stream probe timed out")));
    req.on("error", reject);
  });
}

/** One non-streaming request over the probe's kept-alive connection: ms from sending it to the answer's last byte. */
export function jsonOnce(endpoint: Endpoint): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = probeRequest(endpoint, false, (res) => {
      res.resume();
      res.on("end", () => resolve(performance.now() - started));
    });
    req.on("error", reject);
  });
}

/** Idle time between probes, so each one times the stream path and not the previous request's after-work. */
export const PROBE_GAP_MS = 30;

/** Sequential stream probes, raw. */
export async function streamProbe(endpoint: Endpoint, count: number): Promise<StreamTiming[]> {
  const runs: StreamTiming[] = [];
  for (let i = 0; i < count; i++) {
    runs.push(await streamOnce(endpoint));
    await new Promise((resolve) => setTimeout(resolve, PROBE_GAP_MS));
  }
  return runs;
}

/** Medians of each timing. */
export function medianTiming(runs: StreamTiming[]): StreamTiming {
  return {
    ttfb: median(runs.map((r) => r.ttfb)),
    firstToken: median(runs.map((r) => r.firstToken)),
    lastToken: median(runs.map((r) => r.lastToken)),
    maxGap: median(runs.map((r) => r.maxGap)),
    tokens: median(runs.map((r) => r.tokens)),
  };
}

export function closeProbeAgent(): void {
  agent.destroy();
}
