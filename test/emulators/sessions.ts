// Sessions: one test's faults, pacing and request log, kept apart from every other test sharing the server.
import { randomUUID } from "node:crypto";
import type { Fault, LoggedRequest, ProviderId, SessionOptions } from "./types.ts";

/** Oldest entries go first past these bounds: a long benchmark must not grow the emulator without end. */
const MAX_SESSIONS = 1000;
const MAX_LOGGED_REQUESTS = 1000;

export interface Session {
  /** Undefined for the session-less default routes. */
  readonly id: string | undefined;
  options: SessionOptions;
  /** Uses left per fault, index for index with `options.faults`. */
  usesLeft: number[];
  /** Undefined when requests are not logged (the session-less routes). */
  requests: LoggedRequest[] | undefined;
}

function newSession(id: string | undefined, options: SessionOptions): Session {
  return {
    id,
    options,
    usesLeft: options.faults.map((fault) => fault.times ?? Number.POSITIVE_INFINITY),
    requests: id === undefined ? undefined : [],
  };
}

/** The session-less routes: no faults, no log. */
export function defaultSession(chunkDelayMs = 0): Session {
  return newSession(undefined, { faults: [], chunk_delay_ms: chunkDelayMs });
}

export function replaceFaults(session: Session, faults: Fault[]): void {
  session.options = { ...session.options, faults };
  session.usesLeft = faults.map((fault) => fault.times ?? Number.POSITIVE_INFINITY);
}

/** The first matching fault with uses left, spending one use; undefined means behave normally. */
export function takeFault(
  session: Session,
  provider: ProviderId,
  model: string | undefined,
  key?: string,
): Fault | undefined {
  const { faults } = session.options;
  for (let index = 0; index < faults.length; index++) {
    const fault = faults[index];
    const left = session.usesLeft[index] ?? 0;
    if (fault === undefined || fault.provider !== provider || left <= 0) continue;
    if (fault.model !== undefined && fault.model !== model) continue;
    if (fault.key !== undefined && fault.key !== key) continue;
    session.usesLeft[index] = left - 1;
    return fault;
  }
  return undefined;
}

/** Appends to the session's log (when it keeps one) and hands back the entry for later updates. */
export function logRequest(session: Session, entry: LoggedRequest): LoggedRequest {
  if (session.requests) {
    session.requests.push(entry);
    if (session.requests.length > MAX_LOGGED_REQUESTS) session.requests.shift();
  }
  return entry;
}

export interface SessionStore {
  /** A new session; `id` names it (else a random id). */
  create(options: SessionOptions, id?: string): Session;
  get(id: string): Session | undefined;
  delete(id: string): boolean;
}

export function createSessionStore(newId: () => string = randomUUID): SessionStore {
  const sessions = new Map<string, Session>();
  return {
    create(options, id) {
      const session = newSession(id ?? newId(), options);
      sessions.set(session.id ?? "", session);
      if (sessions.size > MAX_SESSIONS) {
        const oldest = sessions.keys().next();
        if (!oldest.done) sessions.delete(oldest.value);
      }
      return session;
    },
    get: (id) => sessions.get(id),
    delete: (id) => sessions.delete(id),
  };
}
