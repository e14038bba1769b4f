// A local receiver for what the gateway sends out after a response: OTLP/HTTP trace exports and budget alert
// webhooks. Each test makes its own session (its own URL prefix) and reads back what arrived there.
//   POST /sessions                       {status?, hang?, fail_first?} -> 201 {id, url}
//   PUT  /sessions/:id                   the same options, replacing the session's
//   GET  /sessions/:id/received          -> {received: [{method, path, headers, body}]}
//   ANY  /s/:id/...                      recorded, then answered: `status` (default 200), the first `fail_first` with
//                                        503, or never (hang: the connection is held open until the server closes)
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

export interface ReceiverOptions {
  status?: number;
  hang?: boolean;
  fail_first?: number;
}

export interface Received {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

interface Session {
  options: ReceiverOptions;
  received: Received[];
}

export async function startReceiver(): Promise<{ url: string; close(): Promise<void> }> {
  const sessions = new Map<string, Session>();
  const hanging = new Set<ServerResponse>();
  let next = 1;

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const body = await readBody(req);
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(value));
    };
    if (req.method === "POST" && url.pathname === "/sessions") {
      const id = `r${next++}`;
      sessions.set(id, { options: body === "" ? {} : (JSON.parse(body) as ReceiverOptions), received: [] });
      return json(201, { id, url: `${base()}/s/${id}` });
    }
    const admin = /^\/sessions\/([^/]+)(\/received)?$/.exec(url.pathname);
    if (admin !== null) {
      const session = sessions.get(admin[1] ?? "");
      if (session === undefined) return json(404, { error: "no such session" });
      if (req.method === "PUT" && admin[2] === undefined) {
        session.options = JSON.parse(body) as ReceiverOptions;
        return json(200, { ok: true });
      }
      if (req.method === "GET" && admin[2] !== undefined) return json(200, { received: session.received });
      return json(405, { error: "method not allowed" });
    }
    const match = /^\/s\/([^/]+)(\/.*)?$/.exec(url.pathname);
    const session = match === null ? undefined : sessions.get(match[1] ?? "");
    if (match === null || session === undefined) return json(404, { error: "no such session" });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
    session.received.push({ method: req.method ?? "GET", path: match[2] ?? "/", headers, body });
    const { options } = session;
    if (options.hang === true) {
      hanging.add(res);
      return;
    }
    if ((options.fail_first ?? 0) > 0) {
      options.fail_first = (options.fail_first ?? 0) - 1;
      return json(503, { error: "failing on purpose" });
    }
    return json(options.status ?? 200, {});
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = () => {
    const address = server.address();
    return `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`;
  };
  return {
    url: base(),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
