// Writes a provider's reply to the wire, event by event, bent by the fault the request drew.
import type { ServerResponse } from "node:http";
import type { Lifeline } from "./lifeline.ts";
import type { BodyReply, Fault, HeaderMap, ProviderEmulator, Reply, StreamReply } from "./types.ts";

/** Where a careless upstream (or a proxy in front of it) reveals what it was sent: what echo_key writes. */
export const ECHO_INTERNAL_HOST = "10.20.30.40:8443";

/** The credentials a request carried: bearer token, x-api-key, Cloudflare Access service token. */
function credentials(headers: Record<string, string>): string[] {
  const bearer = /^Bearer\s+(\S+)/i.exec(headers.authorization ?? "")?.[1];
  const found = [bearer, headers["x-api-key"], headers["cf-access-client-id"], headers["cf-access-client-secret"]];
  return found.filter((value): value is string => value !== undefined && value !== "");
}

/** The message echo_key sends: every credential bare, the header as sent, and an internal URL carrying the key. */
export function echoMessage(headers: Record<string, string>): string {
  const creds = credentials(headers);
  const first = creds[0] ?? "none";
  const sent = Object.entries(headers)
    .filter(([name]) => /^(authorization|x-api-key|cf-access-client-(id|secret))$/i.test(name))
    .map(([name, value]) => `${name}: ${value}`)
    .join("; ");
  return (
    `Incorrect API key provided: ${creds.join(", ")}. Request headers: ${sent}. ` +
    `Upstream http://${ECHO_INTERNAL_HOST}/internal/v1/chat?api_key=${first} refused it.`
  );
}

function echoPage(status: number, message: string): BodyReply {
  return {
    kind: "body",
    status,
    headers: { "Content-Type": "text/html; charset=utf-8" },
    body: `<!DOCTYPE html><html><head><title>${status}</title></head><body><h1>Upstream error</h1><pre>${message}</pre></body></html>`,
  };
}

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
  requestHeaders: Record<string, string> = {},
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
    case "echo_key": {
      const message = echoMessage(requestHeaders);
      if (fault.echo === "text") return failWith(echoPage(fault.status ?? 502, message));
      if (fault.echo === "stream" && reply.kind === "stream") {
        const echoed = { ...reply, midstreamError: provider.streamError(message) };
        return stream(res, life, echoed, { chunkDelayMs }, { ...fault, mode: "midstream_error" });
      }
      return failWith(provider.errorWith(fault.status ?? 401, message));
    }
    case "no_usage":
      return write(res, life, reply.kind === "body" ? withoutUsage(reply) : reply, { chunkDelayMs });
    case "raw": {
      res.writeHead(200, { "Content-Type": fault.content_type ?? "text/event-stream" });
      res.flushHeaders();
      for (const piece of fault.pieces ?? []) {
        if (!(await life.wait(1))) return;
        res.write(Buffer.from(piece, "base64"));
      }
      res.end();
      return;
    }
    default: {
      const unhandled: never = fault.mode;
      throw new Error(`unhandled fault mode ${String(unhandled)}`);
    }
  }
}

/** The answer with `usage: null`, as some OpenAI-compatible servers send it; a body without `usage` is unchanged. */
function withoutUsage(reply: BodyReply): BodyReply {
  let parsed: unknown;
  try {
    parsed = JSON.parse(reply.body);
  } catch {
    return reply;
  }
  if (typeof parsed !== "object" || parsed === null || !("usage" in parsed)) return reply;
  return { ...reply, body: JSON.stringify({ ...parsed, usage: null }) };
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
