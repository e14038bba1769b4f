// Test helpers: an emulator session per test, an env pointing every provider at it, and the Worker to call.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { inject } from "vitest";
import type { Env } from "../../src/env.ts";
import worker from "../../src/index.ts";
import { SPEC_LIST } from "../../src/providers/index.ts";

import type { LoggedRequest as EmulatorRequest, Fault, ProviderId } from "../emulators/types.ts";

export type { Fault, ProviderId };
/** Every provider the gateway declares (src/providers/specs.ts), in its order. */
export const PROVIDERS: readonly ProviderId[] = SPEC_LIST.map((spec) => spec.id);

/** Dummy keys in each provider's own shape where a test needs one; the others get `test-<provider>`. */
const TEST_KEYS: { readonly [Id in ProviderId]?: string } = { openai: "sk-test-openai", anthropic: "sk-ant-test" };

/** Each declared provider's key and base URL, pointed at the emulator session: a provider added to the registry is too. */
function providerVars(baseUrls: Record<ProviderId, string>): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const spec of SPEC_LIST) {
    vars[spec.env.baseUrl] = baseUrls[spec.id];
    if (spec.env.key !== undefined) vars[spec.env.key] = TEST_KEYS[spec.id] ?? `test-${spec.id}`;
  }
  return vars;
}

/** A request the emulator received; bodies the gateway sends are always JSON objects. */
export type LoggedRequest = Omit<EmulatorRequest, "body"> & { body: Record<string, unknown> | null };

export interface Session {
  id: string;
  baseUrls: Record<ProviderId, string>;
  env: Env;
  requests(): Promise<LoggedRequest[]>;
  setFaults(faults: Fault[]): Promise<void>;
}

export async function newSession(
  options: {
    faults?: Fault[];
    chunk_delay_ms?: number;
    ollama_access?: { client_id: string; client_secret: string };
    ollama_models?: string[];
  } = {},
  envOverrides: Partial<Env> = {},
): Promise<Session> {
  const url = inject("emulatorUrl");
  const res = await fetch(`${url}/__emulator/sessions`, {
    method: "POST",
    body: JSON.stringify(options),
    headers: { "content-type": "application/json" },
  });
  if (res.status !== 201) throw new Error(`emulator session: ${res.status} ${await res.text()}`);
  const { id, base_urls } = (await res.json()) as { id: string; base_urls: Record<ProviderId, string> };
  const sessionEnv: Env = {
    ...env,
    SWITCHYARD_ENV: "development",
    ...providerVars(base_urls),
    // Each session is its own world of providers: its own live stats, so circuits one test opens never leak into the next.
    STATS_INSTANCE: `session-${id}`,
    ...envOverrides,
  };
  return {
    id,
    baseUrls: base_urls,
    env: sessionEnv,
    async requests() {
      const r = await fetch(`${url}/__emulator/sessions/${id}/requests`);
      return ((await r.json()) as { requests: LoggedRequest[] }).requests;
    },
    async setFaults(faults) {
      const r = await fetch(`${url}/__emulator/sessions/${id}/faults`, {
        method: "PUT",
        body: JSON.stringify(faults),
        headers: { "content-type": "application/json" },
      });
      if (!r.ok) throw new Error(`emulator faults: ${r.status} ${await r.text()}`);
    },
  };
}

/** Calls the Worker as the platform would, and waits for its waitUntil work before returning. */
export async function call(
  sessionEnv: Env,
  path: string,
  init: RequestInit & { json?: unknown } = {},
): Promise<Response> {
  const { json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (json !== undefined) headers.set("content-type", "application/json");
  const request = new Request(`http://127.0.0.1:8787${path}`, {
    ...rest,
    headers,
    body: json !== undefined ? JSON.stringify(json) : rest.body,
  });
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, sessionEnv, ctx);
  if (response.body === null || response.headers.get("content-type")?.includes("json")) {
    await waitOnExecutionContext(ctx);
    return response;
  }
  // A stream: let the caller read it; the execution context settles once the stream is done.
  return response;
}

export function chat(
  sessionEnv: Env,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return call(sessionEnv, "/v1/chat/completions", { method: "POST", json: body, headers });
}

/** Reads an SSE response into its data payloads ([DONE] kept as the string). */
export async function sseData(response: Response): Promise<(Record<string, unknown> | "[DONE]")[]> {
  const text = await response.text();
  return text
    .split("\n\n")
    .map((block) => block.trim())
    .filter((block) => block.startsWith("data: "))
    .map((block) => {
      const data = block.slice("data: ".length);
      return data === "[DONE]" ? "[DONE]" : (JSON.parse(data) as Record<string, unknown>);
    });
}
