// Provider secrets never reach a caller, D1 or a log: an upstream that echoes the credentials it was sent (its key,
// the Authorization header, an internal URL carrying the key) in a JSON error, an HTML error page and a mid-stream
// error event, for every provider, leaves no trace in any output of the gateway.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Env } from "../../../src/env.ts";
import { ECHO_INTERNAL_HOST } from "../../emulators/respond.ts";
import type { EchoShape } from "../../emulators/types.ts";
import { newSession, PROVIDERS, type ProviderId } from "../gateway.ts";
import { callFull, chatDone, uniqueWorkspace } from "../ledger/ledger-helpers.ts";

const ADMIN = "sy-admin-redaction-0123456789abcdef";

/** Realistic secrets: prefixed ones, and Mistral's and the Access token's bare ones that only their values give away. */
const SECRETS = {
  OPENAI_API_KEY: "sk-proj-Redact1OpenAIkeyZ9x8c7v6b5n4m3",
  ANTHROPIC_API_KEY: "sk-ant-api03-Redact2AnthropicKeyQ1w2e3r4t5",
  MISTRAL_API_KEY: "Rq7Lm2Xv9Pz4Kd8Wn3Hs6Tb1Yc5Gf0Ja",
  TOGETHER_API_KEY: "tgp_v1_Redact4TogetherKeyA1s2d3f4g5h6j7",
  OLLAMA_ACCESS_CLIENT_ID: "3f2a9c7d1e4b8a6f0c5d2e9b7a1f4c8d.access",
  OLLAMA_ACCESS_CLIENT_SECRET: "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d",
  ADMIN_KEY: ADMIN,
} as const;

const MODEL: Record<ProviderId, string> = {
  openai: "openai/gpt-4o-mini",
  anthropic: "anthropic/claude-haiku-4-5",
  mistral: "mistral/mistral-large-latest",
  together: "together/meta-llama/Llama-3.3-70B-Instruct-Turbo",
  ollama: "ollama/llama3.2",
};

/** Events before the echoed error: past each recording's first content event, so the error arrives mid-stream. */
const AFTER_CONTENT: Record<ProviderId, number> = { openai: 2, anthropic: 4, mistral: 2, together: 2, ollama: 2 };

/** Nothing of a secret may survive: not the value, not a header carrying it, not the internal URL. */
function expectClean(where: string, text: string): void {
  for (const [name, value] of Object.entries(SECRETS)) {
    expect(text.includes(value), `${where} carries ${name}`).toBe(false);
    // A fragment is as bad as the whole: the key's distinctive middle.
    expect(text.includes(value.slice(8, 24)), `${where} carries part of ${name}`).toBe(false);
  }
  expect(text, `${where} carries the internal host`).not.toContain(ECHO_INTERNAL_HOST);
  expect(text, `${where} carries a bearer token`).not.toMatch(/Bearer\s+(?!\[redacted\])[^\s"',;\\]+/i);
}

let logged: string[] = [];
beforeEach(() => {
  logged = [];
  for (const level of ["log", "info", "warn", "error", "debug"] as const) {
    const original = console[level].bind(console);
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logged.push(args.map((a) => (a instanceof Error ? `${a.message} ${a.stack ?? ""}` : String(a))).join(" "));
      original(...args);
    });
  }
});
afterEach(() => vi.restoreAllMocks());

async function session(provider: ProviderId, echo: EchoShape) {
  const fault = { provider, mode: "echo_key" as const, echo, after_chunks: AFTER_CONTENT[provider] };
  return newSession(
    {
      faults: [fault],
      ollama_access: { client_id: SECRETS.OLLAMA_ACCESS_CLIENT_ID, client_secret: SECRETS.OLLAMA_ACCESS_CLIENT_SECRET },
    },
    { ...SECRETS, LEDGER_FLUSH_MS: "0", STATS_FLUSH_MS: "0" },
  );
}

async function read(env: Env, path: string): Promise<string> {
  const { res, done } = await callFull(env, path, { headers: { authorization: `Bearer ${ADMIN}` } });
  const text = await done();
  expect(res.status, `${path}: ${text}`).toBe(200);
  return text;
}

const headerText = (headers: Headers) => [...headers.entries()].map(([k, v]) => `${k}: ${v}`).join("\n");

describe.each(PROVIDERS)("%s echoing its credentials", (provider) => {
  it.each(["json", "text", "stream"] as const)("in a %s error leaves no secret in any output", async (echo) => {
    const s = await session(provider, echo);
    const ws = uniqueWorkspace(`redact-${provider}-${echo}`);
    const answer = await chatDone(
      s.env,
      {
        model: MODEL[provider],
        router: { fallback: false },
        stream: echo === "stream",
        messages: [{ role: "user", content: "hi" }],
      },
      { "x-router-workspace": ws, authorization: `Bearer ${ADMIN}` },
    );
    // The upstream really was called with the secret and really echoed it.
    // (A 502 page is retried once on the same candidate: both answers echo.)
    const calls = (await s.requests()).filter((r) => r.method === "POST");
    expect(calls.length).toBeGreaterThanOrEqual(1);
    expect(calls.every((c) => c.fault === "echo_key")).toBe(true);

    expectClean("the answer", answer.text);
    expectClean("the answer's headers", headerText(answer.headers));
    if (echo === "stream") {
      expect(answer.status).toBe(200);
      expect(answer.text).toContain("cut off");
    } else {
      expect(answer.status).toBeGreaterThanOrEqual(400);
      const error = JSON.parse(answer.text) as {
        error: { message: string };
        x_router: { attempts: { provider: string; error: string | null }[] };
      };
      const attempt = error.x_router.attempts.find((a) => a.provider === provider);
      expect(attempt?.error).toBeTruthy();
      if (echo === "text") {
        // A page is not an error message: the provider and the status, and at most a short excerpt.
        expect(attempt?.error).toMatch(new RegExp(`^${provider} answered 502`));
        expect(attempt?.error?.length).toBeLessThanOrEqual(200);
        expect(attempt?.error).not.toContain("<");
      } else {
        // The provider's own message survives, its secrets do not.
        expect(attempt?.error).toContain("Incorrect API key provided");
        expect(attempt?.error).toContain("[redacted]");
      }
    }

    const requests = await read(s.env, `/v1/requests?workspace_id=${ws}&limit=10`);
    expect((JSON.parse(requests) as { data: unknown[] }).data).toHaveLength(1);
    expectClean("GET /v1/requests", requests);
    expectClean("GET /v1/health/providers", await read(s.env, "/v1/health/providers"));
    expectClean("GET /v1/usage", await read(s.env, `/v1/usage?workspace_id=${ws}`));
    expectClean("the console", logged.join("\n"));
  });
});
