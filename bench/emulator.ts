// The bench upstream: a minimal, fast OpenAI-compatible server (JSON and SSE) whose stream shape is set at run time.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";

/** How streamed answers look; changed between scenarios through POST /__bench/stream. */
export interface StreamShape {
  /** Content chunks per answer (each one token), after the role chunk and before the finish chunk. */
  chunks: number;
  /** Milliseconds between content chunks (0: written back to back). */
  delayMs: number;
}

export const MODEL = "gpt-4o-mini";
const JSON_HEADERS = { "content-type": "application/json" };
const SSE_HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" };

// Built once: the non-streaming answer never changes, so serialising it per request would only measure JSON.stringify.
export const completion = Buffer.from(
  JSON.stringify({
    id: "chatcmpl-bench",
    object: "chat.completion",
    created: 1_760_000_000,
    model: MODEL,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: "Hello! How can I help you today?" },
        logprobs: null,
        finish_reason: "stop",
      },
    ],
    usage: { prompt_tokens: 9, completion_tokens: 9, total_tokens: 18 },
  }),
);

function sseChunk(delta: Record<string, unknown>, finish: string | null): Buffer {
  const chunk = {
    id: "chatcmpl-bench",
    object: "chat.completion.chunk",
    created: 1_760_000_000,
    model: MODEL,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  };
  return Buffer.from(`data: ${JSON.stringify(chunk)}\n\n`);
}

export const ROLE = sseChunk({ role: "assistant", content: "" }, null);
export const TOKEN = sseChunk({ content: "tok " }, null);
export const DONE = Buffer.from("data: [DONE]\n\n");

export function finishChunk(chunks: number, includeUsage: boolean): Buffer {
  const finish = sseChunk({}, "stop");
  if (!includeUsage) return finish;
  // OpenAI sends usage in a chunk of its own, with empty choices, when include_usage is set.
  const usage = { prompt_tokens: 9, completion_tokens: chunks, total_tokens: 9 + chunks };
  const usageOnly = {
    id: "chatcmpl-bench",
    object: "chat.completion.chunk",
    created: 1_760_000_000,
    model: MODEL,
    choices: [],
    usage,
  };
  return Buffer.concat([finish, Buffer.from(`data: ${JSON.stringify(usageOnly)}\n\n`)]);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString("utf8");
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function stream(res: ServerResponse, shape: StreamShape, includeUsage: boolean): Promise<void> {
  res.writeHead(200, SSE_HEADERS);
  res.write(ROLE);
  let gone = false;
  res.on("close", () => (gone = true));
  for (let i = 0; i < shape.chunks && !gone; i++) {
    if (shape.delayMs > 0) await sleep(shape.delayMs);
    res.write(TOKEN);
  }
  if (!gone) res.end(Buffer.concat([finishChunk(shape.chunks, includeUsage), DONE]));
}

export function startEmulator(port: number, initial: StreamShape): Promise<{ url: string; close(): void }> {
  const shape: StreamShape = { ...initial };
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "POST" && path === "/__bench/stream") {
      const next = JSON.parse(body) as Partial<StreamShape>;
      if (typeof next.chunks === "number") shape.chunks = next.chunks;
      if (typeof next.delayMs === "number") shape.delayMs = next.delayMs;
      res.writeHead(200, JSON_HEADERS).end(JSON.stringify(shape));
      return;
    }
    if (req.method === "POST" && path?.endsWith("/chat/completions")) {
      // A substring test instead of JSON.parse: the body's shape is the load generator's, and parsing it would
      // make the floor slower than it needs to be. Both spellings cover every client in the bench.
      const wantsStream = body.includes('"stream":true') || body.includes('"stream": true');
      if (wantsStream) return void stream(res, shape, body.includes('"include_usage":true'));
      res.writeHead(200, { ...JSON_HEADERS, "content-length": String(completion.length) }).end(completion);
      return;
    }
    if (req.method === "GET" && path?.endsWith("/models")) {
      res
        .writeHead(200, JSON_HEADERS)
        .end(JSON.stringify({ object: "list", data: [{ id: MODEL, object: "model", created: 0, owned_by: "bench" }] }));
      return;
    }
    res.writeHead(404, JSON_HEADERS).end(
      JSON.stringify({
        error: {
          message: `no route ${req.method} ${path}`,
          type: "invalid_request_error",
          param: null,
          code: "not_found",
        },
      }),
    );
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => {
    server.listen(port, "127.0.0.1", () => {
      const { port: bound } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${bound}`, close: () => server.close() });
    });
  });
}

// As a child process of the bench: `node bench/emulator.ts <port>`; prints READY <url>; exits when stdin closes.
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const port = Number(process.argv[2] ?? 0);
  const { url } = await startEmulator(port, { chunks: 20, delayMs: 0 });
  process.stdout.write(`READY ${url}\n`);
  process.stdin.on("end", () => process.exit(0));
  process.stdin.resume();
}
