// A provider's stream as raw bytes: the emulator's `raw` fault writes the pieces a test gives, each on its own, so
// framing no recording has (CRLF, comments, split UTF-8, hand-written event sequences) reaches the gateway over a real
// connection.
import type { Env } from "../../../src/env.ts";
import { call, newSession, type ProviderId } from "../gateway.ts";

export type Piece = string | Uint8Array;

/** The model id each provider is called by for MODEL below: the fault answers that model's calls only. */
const UPSTREAM: Record<ProviderId, string> = {
  openai: "gpt-4o-mini",
  anthropic: "claude-haiku-4-5-20251001",
  mistral: "mistral-small-latest",
  together: "meta-llama/Llama-3.3-70B-Instruct-Turbo",
  ollama: "llama3.2",
};

/** An env whose `provider` answers MODEL's calls with `pieces` (status 200, `contentType`), with `vars` added. */
export async function rawEnv(
  provider: ProviderId,
  pieces: Piece[],
  contentType = "text/event-stream",
  vars: Record<string, string> = {},
): Promise<Env> {
  const b64 = (p: Piece) => btoa(String.fromCharCode(...(typeof p === "string" ? new TextEncoder().encode(p) : p)));
  const s = await newSession(
    {
      faults: [
        { provider, model: UPSTREAM[provider], mode: "raw", pieces: pieces.map(b64), content_type: contentType },
      ],
    },
    vars,
  );
  return s.env;
}

export const MODEL = {
  openai: "openai/gpt-4o-mini",
  anthropic: "anthropic/claude-haiku-4-5",
  mistral: "mistral/mistral-small-latest",
  together: "together/meta-llama/Llama-3.3-70B-Instruct-Turbo",
  ollama: "ollama/llama3.2",
} as const;

export type Dialect = "chat" | "responses" | "messages";

export function post(
  env: Env,
  dialect: Dialect,
  model: string,
  extra: Record<string, unknown> = {},
): Promise<Response> {
  const headers = { "x-router-fallback": "false" };
  if (dialect === "chat")
    return call(env, "/v1/chat/completions", {
      method: "POST",
      headers,
      json: { model, stream: true, messages: [{ role: "user", content: "hi" }], ...extra },
    });
  if (dialect === "responses")
    return call(env, "/v1/responses", {
      method: "POST",
      headers,
      json: { model, stream: true, store: false, input: "hi", ...extra },
    });
  return call(env, "/v1/messages", {
    method: "POST",
    headers,
    json: { model, stream: true, max_tokens: 100, messages: [{ role: "user", content: "hi" }], ...extra },
  });
}

/** An OpenAI chat.completion.chunk's JSON. */
export function oaChunk(delta: Record<string, unknown>, finish: string | null = null, usage: unknown = null): string {
  return JSON.stringify({
    id: "chatcmpl-x",
    object: "chat.completion.chunk",
    created: 1,
    model: "gpt-4o-mini-2024-07-18",
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    usage,
  });
}
export const USAGE = { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 };

/** The text the client's stream carried, whichever dialect. */
export function streamedText(dialect: Dialect, raw: string): string {
  let text = "";
  for (const block of raw.split("\n\n")) {
    const line = block.split("\n").find((l) => l.startsWith("data: "));
    if (!line || line === "data: [DONE]") continue;
    const d = JSON.parse(line.slice(6));
    if (dialect === "chat") text += d.choices?.[0]?.delta?.content ?? "";
    if (dialect === "responses" && d.type === "response.output_text.delta") text += d.delta;
    if (dialect === "messages" && d.delta?.type === "text_delta") text += d.delta.text;
  }
  return text;
}
