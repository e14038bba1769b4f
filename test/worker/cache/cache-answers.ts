// A response-cache test's calls: a POST read whole (status, headers, text, JSON or SSE events), the upstream calls a
// session saw, and the header that opts a request in.
import type { Env } from "../../../src/env.ts";
import type { Session } from "../gateway.ts";
import { callFull } from "../ledger/ledger-helpers.ts";

export const prompt = (label: string) => `${label} ${crypto.randomUUID()}: What is 10 + 5?`;

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: () => any;
  events: () => { event: string | null; data: any }[];
}

export async function post(e: Env, path: string, json: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const { res, done } = await callFull(e, path, { method: "POST", json, headers });
  const text = await done();
  return {
    status: res.status,
    headers: res.headers,
    text,
    json: () => JSON.parse(text),
    events: () =>
      text
        .split("\n\n")
        .map((b) => b.trim())
        .filter((b) => b !== "")
        .map((b) => {
          const lines = b.split("\n");
          const ev = lines.find((l) => l.startsWith("event: "))?.slice(7) ?? null;
          const data = lines.find((l) => l.startsWith("data: "))?.slice(6);
          return { event: ev, data: data === undefined || data === "[DONE]" ? (data ?? null) : JSON.parse(data) };
        }),
  };
}

export async function upstreamPosts(s: Session): Promise<number> {
  return (await s.requests()).filter((r) => r.method === "POST").length;
}

export const cache = (ttl = 60) => ({ "x-router-cache-ttl": String(ttl) });
