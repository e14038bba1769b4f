// Helpers for the security tests: a Worker call with a full URL (the Host under test), read to the end.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { expect } from "vitest";
import type { Env } from "../../../src/env.ts";
import worker from "../../../src/index.ts";

/** Where `npm start` listens: a loopback Host, as development mode requires. */
export const LOCAL = "http://127.0.0.1:8787";
export const ADMIN = "admin-key-for-security-tests-0123456789";
export const CHAT = {
  model: "openai/gpt-4o-mini",
  messages: [{ role: "user", content: "hi" }],
  router: { fallback: false },
};

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: error bodies are read loosely in assertions
  json: any;
}

export async function send(
  sessionEnv: Env,
  method: string,
  url: string,
  init: { headers?: Record<string, string>; json?: unknown; body?: BodyInit } = {},
): Promise<Answer> {
  const headers = new Headers(init.headers);
  if (init.json !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
  const body = init.json !== undefined ? JSON.stringify(init.json) : init.body;
  const request = new Request(url, { method, headers, body });
  const ctx = createExecutionContext();
  const res = await worker.fetch(request, sessionEnv, ctx);
  const text = await res.text();
  await waitOnExecutionContext(ctx);
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON (an empty preflight answer)
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** A refusal in OpenAI's error shape (exactly its four fields) with this status and code. */
export function expectError(answer: Answer, status: number, code: string): void {
  expect(answer.status, answer.text.slice(0, 300)).toBe(status);
  expect(Object.keys(answer.json?.error ?? {}).sort()).toEqual(["code", "message", "param", "type"]);
  expect(answer.json.error.code).toBe(code);
  expect(answer.headers.get("content-type")).toContain("application/json");
}
