// The /__emulator routes: create a session, swap its faults, read what the gateway sent upstream.
import type { IncomingMessage, ServerResponse } from "node:http";
import { notFound, parseJsonBody, readBody, sendJson } from "./http-io.ts";
import { OptionsError, parseFaults, parseSessionOptions } from "./session-options.ts";
import { replaceFaults, type Session, type SessionStore } from "./sessions.ts";
import type { ProviderId } from "./types.ts";

/** Where each provider's official SDK expects its base URL: OpenAI-style with /v1, Anthropic and Ollama without. */
export function baseUrls(origin: string, prefix: string): Record<ProviderId, string> {
  return {
    openai: `${origin}${prefix}/openai/v1`,
    anthropic: `${origin}${prefix}/anthropic`,
    mistral: `${origin}${prefix}/mistral/v1`,
    together: `${origin}${prefix}/together/v1`,
    ollama: `${origin}${prefix}/ollama`,
  };
}

async function jsonBody(req: IncomingMessage): Promise<unknown> {
  const { body, badJson } = parseJsonBody(await readBody(req));
  if (badJson) throw new OptionsError("body is not valid JSON");
  return body;
}

function describe(session: Session, origin: string): Record<string, unknown> {
  return {
    id: session.id,
    base_urls: baseUrls(origin, `/s/${session.id ?? ""}`),
    chunk_delay_ms: session.options.chunk_delay_ms,
    faults: session.options.faults.map((fault, index) => {
      const left = session.usesLeft[index] ?? 0;
      return { ...fault, uses_left: Number.isFinite(left) ? left : null };
    }),
  };
}

export async function handleAdmin(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  store: SessionStore,
  origin: string,
): Promise<void> {
  const method = req.method ?? "GET";
  try {
    if (pathname === "/__emulator/health" && method === "GET") return sendJson(res, 200, { ok: true });
    if (pathname === "/__emulator/sessions" && method === "POST") {
      const session = store.create(parseSessionOptions(await jsonBody(req)));
      return sendJson(res, 201, { id: session.id, base_urls: baseUrls(origin, `/s/${session.id ?? ""}`) });
    }
    const match = /^\/__emulator\/sessions\/([^/]+)(\/faults|\/requests)?$/.exec(pathname);
    const session = match?.[1] === undefined ? undefined : store.get(match[1]);
    if (!match || !session) return notFound(res, `unknown emulator route or session: ${method} ${pathname}`);
    const id = match[1] ?? "";
    switch (`${method} ${match[2] ?? ""}`) {
      case "GET ":
        return sendJson(res, 200, describe(session, origin));
      case "DELETE ":
        store.delete(id);
        res.writeHead(204).end();
        return;
      case "PUT /faults":
        replaceFaults(session, parseFaults(await jsonBody(req)));
        return sendJson(res, 200, describe(session, origin));
      case "GET /requests":
        return sendJson(res, 200, { requests: session.requests ?? [] });
      default:
        return notFound(res, `unknown emulator route: ${method} ${pathname}`);
    }
  } catch (error) {
    if (error instanceof OptionsError) return sendJson(res, 400, { error: { message: error.message } });
    throw error;
  }
}
