// Failover test helpers: tight clocks, a chat body for an explicit chain, and upstream call counts from the emulator log.
import { type Fault, type LoggedRequest, type ProviderId, type Session, sseData } from "../gateway.ts";

/** Tight clocks so a hang costs a fraction of a second, not the production defaults. */
export const FAST = { headers_ms: 400, first_token_ms: 600, idle_ms: 400, total_ms: 4000 };

export const USER = [{ role: "user", content: "What is 10 + 5?" }];

/** A chat body for an explicit fallback chain with fast clocks. */
export function body(models: string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { router, ...rest } = extra;
  return {
    model: models[0],
    models,
    messages: USER,
    router: { timeouts: FAST, ...(router as object | undefined) },
    ...rest,
  };
}

/** Completion calls the emulator saw for a provider (listings and other paths left out). */
export async function completionCalls(session: Session, provider: ProviderId): Promise<LoggedRequest[]> {
  const all = await session.requests();
  return all.filter((r) => r.provider === provider && r.method === "POST");
}

/** Every logged request of a session: for asserting what was, and was not, called. */
export async function allCalls(session: Session): Promise<LoggedRequest[]> {
  return session.requests();
}

export type { Fault };

/** The text a client assembles from an OpenAI SSE stream's chunks. */
export function streamedText(events: (Record<string, unknown> | "[DONE]")[]): string {
  let text = "";
  for (const e of events) {
    if (e === "[DONE]") continue;
    const choices = e.choices as { delta?: { content?: string | null } }[] | undefined;
    for (const c of choices ?? []) text += c.delta?.content ?? "";
  }
  return text;
}

/** Waits until `check` holds (the emulator logs an abort a moment after the socket closes). */
export async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, ms = 2000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The route report a streamed chat answer ends with, as far as the failover tests read it. */
export interface StreamedRoute {
  provider: string;
  attempts: { provider: string; model: string; status: string; error: string | null; via?: string }[];
}

/** A chat stream read to its end: its events, the final chunk's x_router, and an error event's error, if any. */
export async function readRoutedStream(
  res: Response,
): Promise<{ events: (Record<string, unknown> | "[DONE]")[]; x: StreamedRoute | undefined; error: unknown }> {
  const events = await sseData(res);
  let x: StreamedRoute | undefined;
  let error: unknown = null;
  for (const e of events) {
    if (e === "[DONE]") continue;
    if (e.x_router) x = e.x_router as StreamedRoute;
    if (e.error) error = e.error;
  }
  return { events, x, error };
}
