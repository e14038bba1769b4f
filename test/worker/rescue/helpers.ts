// Rescue test helpers: the official openai client wired to the Worker (no network hop), and emulator log readers.
import { createExecutionContext } from "cloudflare:test";
import OpenAI from "openai";
import type { Env } from "../../../src/env.ts";
import worker from "../../../src/index.ts";
import { type LoggedRequest, type ProviderId, type Session, sseData } from "../gateway.ts";

const ADMIN = "admin-key-for-rescue-tests-0123456789";

/** The official client, its fetch answered by the Worker with the session's env (an admin key: no gateway key needed). */
export function client(session: Session, headers: Record<string, string> = {}): OpenAI {
  const sessionEnv: Env = { ...session.env, ADMIN_KEY: ADMIN };
  return new OpenAI({
    baseURL: "http://127.0.0.1:8787/v1",
    apiKey: ADMIN,
    maxRetries: 0,
    defaultHeaders: headers,
    fetch: async (url: string | URL | Request, init?: RequestInit) =>
      worker.fetch(new Request(url, init), sessionEnv, createExecutionContext()),
  });
}

/** A client's params with the gateway's own body fields (models, router) beside them, as a caller sends them. */
export function withGateway<T extends object>(params: T, extra: Record<string, unknown>): T {
  return { ...params, ...extra };
}

/** Tight clocks: a stall costs a fraction of a second. The first-token clock stays adaptive (not set here). */
export const CLOCKS = { headers_ms: 1000, idle_ms: 300, total_ms: 8000 };

/** Chat completion calls the emulator saw, in order, for a provider (or all). */
export async function completions(session: Session, provider?: ProviderId): Promise<LoggedRequest[]> {
  const all = await session.requests();
  return all.filter((r) => r.method === "POST" && (provider === undefined || r.provider === provider));
}

/** The last message of a logged upstream body (the prefill, on a continuation). */
export function lastMessage(r: LoggedRequest | undefined): Record<string, unknown> | undefined {
  const messages = r?.body?.messages as Record<string, unknown>[] | undefined;
  return messages?.at(-1);
}

interface XRouter {
  provider: string;
  model: string;
  attempts: { provider: string; model: string; status: string; error: string | null; via?: string }[];
  cost_usd: number | null;
  warnings: string[];
}

/** The text, x_router, usage and error of a chat stream read with the official client. */
export async function readChatStream(stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>) {
  let text = "";
  let xRouter: XRouter | undefined;
  let usage: OpenAI.CompletionUsage | undefined;
  let finishes = 0;
  let error: unknown = null;
  try {
    for await (const chunk of stream) {
      for (const c of chunk.choices) {
        text += c.delta?.content ?? "";
        if (c.finish_reason) finishes++;
      }
      if (chunk.usage) usage = chunk.usage;
      const x = (chunk as unknown as { x_router?: XRouter }).x_router;
      if (x) xRouter = x;
    }
  } catch (err) {
    error = err;
  }
  return { text, xRouter, usage, finishes, error };
}

/** The whole text an unfaulted stream of `model` gives (the emulator replays one recording per provider). */
export async function recordedText(session: Session, model: string): Promise<string> {
  const res = await client(session).chat.completions.create(
    withGateway(
      { model, messages: [{ role: "user" as const, content: "What is 10 + 5?" }], stream: true as const },
      { router: { fallback: false, timeouts: CLOCKS } },
    ),
  );
  return (await readChatStream(res)).text;
}

export { sseData };
