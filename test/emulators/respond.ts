// Writes a provider's reply to the wire, event by event, bent by the fault the request drew.
import type { ServerResponse } from "node:http";
import type { Lifeline } from "./lifeline.ts";
import type { BodyReply, Fault, HeaderMap, ProviderEmulator, Reply, StreamReply } from "./types.ts";

interface Pacing {
  chunkDelayMs: number;
  /** Headers go out at once, the first event (or the body) only after this pause; `ms` undefined = never. */
  holdFirst?: { ms: number | undefined };
}

export function sendBody(res: ServerResponse, reply: BodyReply): void {
  res.writeHead(reply.status, { ...reply.headers, "Content-Length": String(Buffer.byteLength(reply.body)) });
  res.end(reply.body);
}

function withHeaders(reply: BodyReply, headers: HeaderMap): BodyReply {
  return { ...reply, headers: { ...reply.headers, ...headers } };
}

/** Retry hints a fault asks for, sent on its error answers. */
function retryHeaders(fault: Fault): HeaderMap {
  const headers: HeaderMap = {};
  if (fault.retry_after !== undefined) headers["Retry-After"] = fault.retry_after;
  if (fault.retry_after_ms !== undefined) headers["retry-after-ms"] = String(fault.retry_after_ms);
  return headers;
}

export async function respond(
  res: ServerResponse,
  life: Lifeline,
  reply: Reply,
  fault: Fault | undefined,
  provider: ProviderEmulator,
  chunkDelayMs: number,
): Promise<void> {
  if (fault === undefined) return write(res, life, reply, { chunkDelayMs });
  const failWith = (error: BodyReply): void => sendBody(res, withHeaders(error, retryHeaders(fault)));
  switch (fault.mode) {
    case "status":
      return failWith(provider.error("status", fault.status ?? 500));
    case "empty_error":
      return failWith({ kind: "body", status: fault.status ?? 500, headers: {}, body: "" });
    case "context_length":
      return failWith(provider.error("context_length", 400));
    case "content_policy":
      return failWith(provider.error("content_policy", 400));
    case "reset":
      return life.reset();
    case "hang":
      await life.wait(undefined);
      return;
    case "slow_headers":
      if (await life.wait(fault.delay_ms)) await write(res, life, reply, { chunkDelayMs });
      return;
    case "slow_first_token":
      return write(res, life, reply, { chunkDelayMs, holdFirst: { ms: fault.delay_ms } });
    case "cut":
    case "stall":
    case "malformed":
    case "no_done":
    case "midstream_error":
      if (reply.kind === "stream") return stream(res, life, reply, { chunkDelayMs }, fault);
      // A plain body has no events to bend: `cut` drops the connection after the headers, the rest answer 500.
      if (fault.mode === "cut") {
        res.writeHead(reply.status, { ...reply.headers, "Content-Length": String(Buffer.byteLength(reply.body)) });
        res.flushHeaders();
        return life.cut();
      }
      return failWith(provider.error("status", 500));
    default: {
      const unhandled: never = fault.mode;
      throw new Error(`unhandled fault mode ${String(unhandled)}`);
    }
  }
}

async function write(res: ServerResponse, life: Lifeline, reply: Reply, pacing: Pacing): Promise<void> {
  if (reply.kind === "stream") return stream(res, life, reply, pacing, undefined);
  if (pacing.holdFirst === undefined) return sendBody(res, reply);
  res.writeHead(reply.status, { ...reply.headers, "Content-Length": String(Buffer.byteLength(reply.body)) });
  res.flushHeaders();
  if (await life.wait(pacing.holdFirst.ms)) res.end(reply.body);
}

async function stream(
  res: ServerResponse,
  life: Lifeline,
  reply: StreamReply,
  pacing: Pacing,
  fault: Fault | undefined,
): Promise<void> {
  res.writeHead(reply.status, reply.headers);
  res.flushHeaders();
  if (pacing.holdFirst && !(await life.wait(pacing.holdFirst.ms))) return;
  const events = fault?.mode === "no_done" ? reply.events.filter((event) => !event.terminator) : reply.events;
  // The index of the event before which the fault strikes; past the end it strikes after the last one.
  const strikeAt = fault && fault.mode !== "no_done" ? Math.min(fault.after_chunks ?? 1, events.length) : -1;
  for (let index = 0; index <= events.length; index++) {
    if (fault && index === strikeAt) {
      switch (fault.mode) {
        case "cut":
          return life.cut();
        case "stall":
          if (!(await life.wait(fault.delay_ms))) return;
          break;
        case "malformed":
          res.write(reply.malformed);
          break;
        case "midstream_error":
          res.end(reply.midstreamError);
          return;
        default:
          break;
      }
    }
    const event = events[index];
    if (event === undefined) break;
    if (index > 0 && !(await life.wait(pacing.chunkDelayMs))) return;
    res.write(event.text);
  }
  res.end();
}
