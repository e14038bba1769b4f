// The one interface every provider adapter implements: canonical request in, wire request out; wire answer back in.
import type { ModelEntry, ProviderId } from "../config/schema.ts";
import type { ProviderError } from "../core/errors.ts";
import type { CanonicalRequest, ChatResult, StreamEvent } from "../core/types.ts";
import type { WireFormat, WireMessage } from "../streams/wire-messages.ts";
import type { ProviderEnv } from "./specs.ts";

/** The model a call goes to: its upstream id and, when the registry lists it, its entry. */
export interface ModelTarget {
  /** The id sent to the provider. */
  upstreamId: string;
  entry: ModelEntry | null;
}

export interface UpstreamRequest {
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

export interface BuiltRequest {
  request: UpstreamRequest;
  /** Parameters this provider cannot take, said to the client (x_router.warnings, x-router-warnings). */
  warnings: string[];
}

export interface AdapterContext {
  env: ProviderEnv;
  /** Makes ids for things a provider leaves unnamed (Ollama tool calls). */
  newId: (prefix: string) => string;
}

export interface ProviderAdapter {
  readonly id: ProviderId;
  readonly streamFormat: WireFormat;
  /** Has what it needs to be called (a key; for Ollama, a base URL). */
  configured(env: ProviderEnv): boolean;
  /** Throws ProviderError (invalid_request) for a request this provider cannot carry at all. */
  buildChatRequest(req: CanonicalRequest, target: ModelTarget, ctx: AdapterContext): BuiltRequest;
  /** Reads a non-streaming answer; throws ProviderError (malformed) when it cannot. */
  parseChatResponse(json: unknown, ctx: AdapterContext): ChatResult;
  /** A decoder for one stream: its wire messages, one at a time, into canonical events. */
  streamDecoder(ctx: AdapterContext): StreamDecoder;
  /** Turns a non-2xx answer into the one error type; `env` is what the registry's guard redacts the answer with. */
  parseError(status: number, headers: Headers, body: string, now: number, env: ProviderEnv): ProviderError;
  /** A free call that proves the provider is reachable and the key works (model listing). */
  probeRequest(env: ProviderEnv): { url: string; headers: Record<string, string> };
}

/**
 * Appends the canonical events one wire message carries to `out`, synchronously (a stream's events are decoded as each
 * read of the body arrives, with no promise per event); the stream's own end is an `end` event, after which nothing
 * more is read. Throws ProviderError on an error event or a malformed chunk. `message.json` is its data parsed, where
 * the reader already parsed it (each message is parsed once).
 */
export type StreamDecoder = (message: WireMessage, out: StreamEvent[]) => void;

/** Joins a base URL and a path without doubling or dropping the slash. */
export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, "") + "/" + path.replace(/^\/+/, "");
}
