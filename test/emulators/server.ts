// One node:http server that speaks the five providers' wire formats from recorded bytes, with per-session fault injection.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { baseUrls, handleAdmin } from "./admin.ts";
import { flatHeaders, notFound, parseJsonBody, readBody, sendJson } from "./http-io.ts";
import { lifeline } from "./lifeline.ts";
import { PROVIDERS } from "./providers/registry.ts";
import { isObject } from "./providers/shared.ts";
import { respond, sendBody } from "./respond.ts";
import { parseSessionOptions } from "./session-options.ts";
import { createSessionStore, defaultSession, logRequest, type Session, takeFault } from "./sessions.ts";
import { PROVIDER_IDS, type ProviderId } from "./types.ts";

export type { Fault, FaultMode, LoggedRequest, ProviderId, SessionOptions } from "./types.ts";
export { baseUrls };

export interface Emulator {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Pause between stream events on the session-less routes (default 0). */
  chunkDelayMs?: number;
  /**
   * Sessions made at start under these ids, with default options: for a Worker whose base URLs are fixed before any
   * test runs (the rpc project's), so its tests can still set faults and read the request log.
   */
  sessions?: readonly string[];
}

interface Target {
  sessionId: string | undefined;
  provider: ProviderId;
  /** Provider-relative path, e.g. /v1/chat/completions. */
  path: string;
}

const isProviderId = (value: string | undefined): value is ProviderId => PROVIDER_IDS.includes(value as ProviderId);

/** `/s/<id>/<provider>/...` or `/<provider>/...`. */
function parseTarget(pathname: string): Target | undefined {
  const inSession = /^\/s\/([^/]+)\/([^/]+)(\/.*)?$/.exec(pathname);
  if (inSession) {
    const provider = inSession[2];
    return isProviderId(provider) ? { sessionId: inSession[1], provider, path: inSession[3] ?? "/" } : undefined;
  }
  const bare = /^\/([^/]+)(\/.*)?$/.exec(pathname);
  const provider = bare?.[1];
  return bare && isProviderId(provider) ? { sessionId: undefined, provider, path: bare[2] ?? "/" } : undefined;
}

export function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const host = opts.host ?? "127.0.0.1";
  const sessions = createSessionStore();
  for (const id of opts.sessions ?? []) sessions.create(parseSessionOptions({}), id);
  const sessionless = defaultSession(opts.chunkDelayMs ?? 0);
  let url = "";

  async function handleProvider(req: IncomingMessage, res: ServerResponse, target: Target, search: string) {
    const session: Session | undefined = target.sessionId === undefined ? sessionless : sessions.get(target.sessionId);
    if (!session) return notFound(res, `unknown emulator session: ${target.sessionId ?? ""}`);
    const method = req.method ?? "GET";
    const headers = flatHeaders(req);
    const { body, badJson } = parseJsonBody(await readBody(req));
    const life = lifeline(res);
    const entry = logRequest(session, {
      provider: target.provider,
      method,
      path: `${target.path}${search}`,
      headers,
      body: body ?? null,
      received_at: Date.now(),
      aborted: false,
      fault: null,
    });
    res.once("close", () => {
      if (!res.writableFinished && !life.dropped) entry.aborted = true;
    });

    const provider = PROVIDERS[target.provider];
    const endpoint = provider.route(method, target.path);
    if (endpoint === undefined) return notFound(res, `${target.provider} has no route ${method} ${target.path}`);
    const request = { method, path: target.path, headers, body, badJson };
    const refusal = provider.refuse(endpoint, request, session.options);
    if (refusal) return sendBody(res, refusal);

    const model = isObject(body) && typeof body.model === "string" ? body.model : undefined;
    const bearer = /^Bearer (.+)$/.exec(headers.authorization ?? "")?.[1];
    const fault = takeFault(session, target.provider, model, bearer ?? headers["x-api-key"]);
    entry.fault = fault?.mode ?? null;
    const reply = provider.answer(endpoint, request, session.options);
    await respond(res, life, reply, fault, provider, session.options.chunk_delay_ms, headers);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { pathname, search } = new URL(req.url ?? "/", "http://emulator.invalid");
    const origin = req.headers.host ? `http://${req.headers.host}` : url;
    if (pathname === "/__emulator" || pathname.startsWith("/__emulator/")) {
      return handleAdmin(req, res, pathname, sessions, origin);
    }
    const target = parseTarget(pathname);
    if (!target) return notFound(res, `unknown path: ${req.method ?? "GET"} ${pathname}`);
    return handleProvider(req, res, target, search);
  }

  const server = createServer((req, res) => {
    res.on("error", () => {});
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else sendJson(res, 500, { error: { message: `emulator failure: ${String(error)}` } });
    });
  });

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      const { port } = server.address() as AddressInfo;
      const shownHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
      url = `http://${shownHost}:${port}`;
      resolve({
        url,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Hung and stalled responses hold their sockets open; dropping them also stops their timers.
            server.closeAllConnections();
          }),
      });
    });
  });
}
