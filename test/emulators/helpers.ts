// What the emulator tests share: the recorded bytes, provider credentials and a few calls against a running emulator.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll } from "vitest";
import { baseUrls, type Emulator, startEmulator } from "./server.ts";
import type { LoggedRequest, ProviderId, SessionOptions } from "./types.ts";

/**
 * An emulator for the calling test file: started before its tests, closed after them. `emulator` is the running
 * server, `base` each provider's base URL outside any session (read them inside tests, once it has started).
 */
export function runningEmulator(): { readonly emulator: Emulator; readonly base: Record<ProviderId, string> } {
  let emulator: Emulator | undefined;
  let base: Record<ProviderId, string> | undefined;
  beforeAll(async () => {
    emulator = await startEmulator();
    base = baseUrls(emulator.url, "");
  });
  afterAll(() => emulator?.close());
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the emulator is read before it started");
    return value;
  };
  return {
    get emulator() {
      return started(emulator);
    },
    get base() {
      return started(base);
    },
  };
}

export const fixtureText = (provider: ProviderId, name: string): string =>
  readFileSync(new URL(`../fixtures/${provider}/${name}`, import.meta.url), "utf8");

/** The Content-Type recorded beside a fixture. */
export function recordedContentType(provider: ProviderId, stem: string): string {
  const sidecar = JSON.parse(fixtureText(provider, `${stem}.headers.json`)) as { headers: Record<string, string> };
  const entry = Object.entries(sidecar.headers).find(([name]) => name.toLowerCase() === "content-type");
  if (!entry) throw new Error(`no content-type recorded for ${provider}/${stem}`);
  return entry[1];
}

export const AUTH: Record<ProviderId, Record<string, string>> = {
  openai: { authorization: "Bearer sk-test-openai" },
  mistral: { authorization: "Bearer test-mistral" },
  together: { authorization: "Bearer test-together" },
  anthropic: { "x-api-key": "sk-ant-test", "anthropic-version": "2023-06-01" },
  ollama: {},
};

/** Paths below each provider's SDK base URL. */
export const CHAT_PATH: Record<ProviderId, string> = {
  openai: "/chat/completions",
  mistral: "/chat/completions",
  together: "/chat/completions",
  anthropic: "/v1/messages",
  ollama: "/api/chat",
};

export const MODELS_PATH: Record<ProviderId, string> = {
  openai: "/models",
  mistral: "/models",
  together: "/models",
  anthropic: "/v1/models",
  ollama: "/api/tags",
};

/** The smallest request body each provider accepts. */
export function chatBody(provider: ProviderId, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = { model: "test-model", messages: [{ role: "user", content: "hi" }] };
  if (provider === "anthropic") base.max_tokens = 64;
  return { ...base, ...extra };
}

export const TOOLS = [
  {
    type: "function",
    function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
  },
];

export interface SessionInfo {
  id: string;
  base_urls: Record<ProviderId, string>;
}

export async function createSession(url: string, options: Partial<SessionOptions> = {}): Promise<SessionInfo> {
  const res = await fetch(`${url}/__emulator/sessions`, { method: "POST", body: JSON.stringify(options) });
  if (res.status !== 201) throw new Error(`session not created: ${res.status} ${await res.text()}`);
  return (await res.json()) as SessionInfo;
}

export async function loggedRequests(url: string, id: string): Promise<LoggedRequest[]> {
  const res = await fetch(`${url}/__emulator/sessions/${id}/requests`);
  return ((await res.json()) as { requests: LoggedRequest[] }).requests;
}

/** Polls the log until `ready` holds, for what arrives after the client gave up (a bounded wait). */
export async function waitForLog(
  url: string,
  id: string,
  ready: (requests: LoggedRequest[]) => boolean,
): Promise<LoggedRequest[]> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const requests = await loggedRequests(url, id);
    if (ready(requests)) return requests;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("the request log never reached the expected state");
}

export function chat(
  base: string,
  provider: ProviderId,
  body: unknown,
  init: { headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<Response> {
  return fetch(`${base}${CHAT_PATH[provider]}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...AUTH[provider], ...init.headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
    signal: init.signal,
  });
}

/** Reads a body chunk by chunk; `error` is set when the connection broke before the body ended. */
export async function readAll(res: Response): Promise<{ text: string; chunks: number; error: unknown }> {
  const reader = res.body?.getReader();
  if (!reader) return { text: "", chunks: 0, error: undefined };
  const decoder = new TextDecoder();
  let text = "";
  let chunks = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks++;
      text += decoder.decode(value, { stream: true });
    }
  } catch (error) {
    return { text, chunks, error };
  }
  return { text: text + decoder.decode(), chunks, error: undefined };
}

/** SSE events (each with its blank line) or NDJSON lines (each with its newline), as the emulator replays them. */
export function splitEvents(text: string, framing: "sse" | "ndjson"): string[] {
  const separator = framing === "sse" ? "\n\n" : "\n";
  return text
    .split(separator)
    .filter((part) => part !== "")
    .map((part) => part + separator);
}
