// The Vercel AI SDK providers (@ai-sdk/openai, @ai-sdk/anthropic) wired to the Worker under test, as a user points them at the gateway.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { createAnthropic } from "@ai-sdk/anthropic";
import { createOpenAI } from "@ai-sdk/openai";
import worker from "../../../src/index.ts";
import type { Session } from "../gateway.ts";

export const ADMIN = "ai-sdk-admin-key-0123456789";

export const workerFetch = (s: Session, log?: { url: string; body: unknown }[]): typeof fetch =>
  (async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = new Request(input, init);
    if (log)
      log.push({
        url: req.url,
        body: await req
          .clone()
          .text()
          .then((t) => {
            try {
              return JSON.parse(t);
            } catch {
              return t;
            }
          }),
      });
    const ctx = createExecutionContext();
    const res = await worker.fetch(req, s.env, ctx);
    if (!res.headers.get("content-type")?.includes("event-stream")) await waitOnExecutionContext(ctx);
    return res;
  }) as typeof fetch;

export const openaiFor = (s: Session, headers: Record<string, string> = {}, log?: { url: string; body: unknown }[]) =>
  createOpenAI({ baseURL: "http://127.0.0.1:8787/v1", apiKey: ADMIN, fetch: workerFetch(s, log), headers });

export const anthropicFor = (
  s: Session,
  headers: Record<string, string> = {},
  log?: { url: string; body: unknown }[],
) => createAnthropic({ baseURL: "http://127.0.0.1:8787/v1", apiKey: ADMIN, fetch: workerFetch(s, log), headers });
