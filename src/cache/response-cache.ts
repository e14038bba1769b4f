// The exact-match response cache in the Workers Cache API: what a key is made of, what is stored, and the store.
// A key is the SHA-256 of the workspace, the resolved candidates and the canonical request, never the caller's key
// or dialect or whether it streams: an answer made for one dialect replays in any, as JSON or as a stream.
import type { CanonicalRequest, ChatResult, StreamEvent, ToolCall } from "../core/types.ts";

/** What a hit needs to answer without a provider. */
export interface CachedAnswer {
  v: 1;
  /** Who made the answer (the route report of a hit names them). */
  provider: string;
  model: string;
  /** The id the answering model was called by (a stream's chunks name it). */
  upstream_model: string;
  result: ChatResult;
  /** What the answer cost when it was made: what each hit saves. Null when the model has no price. */
  cost_pico: number | null;
  /** Epoch ms the answer was made. */
  created_at: number;
}

/** Where answers are kept; any failure is a miss (get) or nothing stored (put), never an error to the caller. */
export interface AnswerStore {
  get(key: string): Promise<CachedAnswer | null>;
  put(key: string, answer: CachedAnswer, ttlS: number): Promise<void>;
}

/** A key's URL in the Cache API (it wants an http(s) GET; the host is never resolved). */
const keyUrl = (key: string) => `https://response-cache.switchyard.invalid/v1/${key}`;

/** The Workers Cache API store (`caches.default`, per data centre); null where there is no Cache API. */
export function workersCacheStore(): AnswerStore | null {
  const cache = (globalThis as { caches?: { default?: Cache } }).caches?.default;
  if (cache === undefined) return null;
  return {
    async get(key) {
      try {
        const res = await cache.match(keyUrl(key));
        if (res === undefined) return null;
        const answer = (await res.json()) as CachedAnswer;
        return answer?.v === 1 && typeof answer.result === "object" ? answer : null;
      } catch (err) {
        console.warn("response cache read failed:", err instanceof Error ? err.message : String(err));
        return null;
      }
    },
    async put(key, answer, ttlS) {
      try {
        await cache.put(
          keyUrl(key),
          new Response(JSON.stringify(answer), {
            headers: { "content-type": "application/json", "cache-control": `max-age=${ttlS}` },
          }),
        );
      } catch (err) {
        console.warn("response cache write failed:", err instanceof Error ? err.message : String(err));
      }
    },
  };
}

/**
 * The key: hex SHA-256 of a canonical JSON (keys sorted, undefined left out) of the workspace, the candidates in
 * plan order and the request without `stream`.
 */
export async function cacheKey(workspaceId: string, candidates: readonly string[], request: CanonicalRequest) {
  const { stream: _stream, ...asked } = request;
  // One text block is the same turn as its text: a Messages client's `[{type: "text"}]` keys as chat's string does.
  const messages = asked.messages.map((m) =>
    Array.isArray(m.content) && m.content.length === 1 && m.content[0]?.type === "text" && !m.content[0].cache_control
      ? { ...m, content: m.content[0].text }
      : m,
  );
  const text = stableJson({ v: 1, workspace: workspaceId, candidates, request: { ...asked, messages } });
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export function stableJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : stableJson(v))).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
}

/**
 * Whether an answer may be stored: it finished, not cut short by the provider's content filter (what it withheld is
 * no answer to hand everyone asking the same), and carries no reasoning (thinking blocks and their signatures are the
 * provider's to vouch for, and a replay could not stream them as it sent them).
 */
export function storable(result: ChatResult): boolean {
  return result.finish_reason !== "content_filter" && (result.reasoning ?? []).length === 0;
}

/** A cached answer as the stream events a provider would have sent: text, tool calls, finish, usage. */
export function replayEvents(result: ChatResult): StreamEvent[] {
  const events: StreamEvent[] = [];
  // The prompt's count first, as Anthropic's message_start carries it (a Messages replay says it there too).
  if (result.usage !== null) {
    const { reasoning_tokens: _, ...prompt } = result.usage;
    events.push({ type: "prompt_usage", usage: { ...prompt, output_tokens: 0 } });
  }
  if (result.content !== null && result.content !== "") events.push({ type: "text", text: result.content });
  if (result.refusal !== undefined) events.push({ type: "refusal", text: result.refusal });
  result.tool_calls.forEach((call, index) => {
    events.push({ type: "tool_call_start", index, id: call.id, name: call.name });
    if (call.arguments !== "") events.push({ type: "tool_call_delta", index, arguments: call.arguments });
  });
  const { finish_reason, stop_sequence } = result;
  events.push({ type: "finish", finish_reason, ...(stop_sequence === undefined ? {} : { stop_sequence }) });
  if (result.usage !== null) events.push({ type: "usage", usage: result.usage });
  return events;
}

/** Gathers a stream's events into the answer they make, to be stored once the stream finished (see `storable`). */
export class AnswerCollector {
  #text = "";
  #refusal: string | undefined;
  readonly #calls: ToolCall[] = [];
  #finish: ChatResult["finish_reason"] | null = null;
  /** Anthropic says which of the caller's stop sequences ended the answer; a replay must say it too. */
  #stopSequence: string | undefined;
  #usage: ChatResult["usage"] = null;
  #reasoned = false;

  note(e: StreamEvent): void {
    if (e.type === "text") this.#text += e.text;
    else if (e.type === "refusal") this.#refusal = (this.#refusal ?? "") + e.text;
    else if (e.type === "tool_call_start") this.#calls[e.index] = { id: e.id, name: e.name, arguments: "" };
    else if (e.type === "tool_call_delta") {
      const call = this.#calls[e.index];
      if (call !== undefined) call.arguments += e.arguments;
    } else if (e.type === "finish") {
      this.#finish = e.finish_reason;
      this.#stopSequence = e.stop_sequence;
    } else if (e.type === "usage") this.#usage = e.usage;
    else if (e.type === "reasoning" || e.type === "reasoning_signature" || e.type === "reasoning_redacted")
      this.#reasoned = true;
  }

  /** The finished answer, or null when it did not finish, or streamed reasoning, or left a gap in its tool calls. */
  result(model: string): ChatResult | null {
    if (this.#finish === null || this.#reasoned) return null;
    if (this.#calls.some((c) => c === undefined) || this.#calls.length !== Object.keys(this.#calls).length) return null;
    return {
      model,
      content: this.#text === "" ? null : this.#text,
      ...(this.#refusal === undefined ? {} : { refusal: this.#refusal }),
      tool_calls: [...this.#calls],
      finish_reason: this.#finish,
      usage: this.#usage,
      ...(this.#stopSequence === undefined ? {} : { stop_sequence: this.#stopSequence }),
    };
  }
}
