// The emulator's shared vocabulary: providers, faults, sessions and the replies a provider emulator builds.

export const PROVIDER_IDS = ["openai", "anthropic", "mistral", "together", "ollama"] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

export const FAULT_MODES = [
  "status",
  "empty_error",
  "context_length",
  "content_policy",
  "reset",
  "hang",
  "slow_headers",
  "slow_first_token",
  "cut",
  "stall",
  "malformed",
  "no_done",
  "midstream_error",
  "echo_key",
  "no_usage",
  "raw",
] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

export interface Fault {
  provider: ProviderId;
  /** Matches the request's `model` exactly; omitted matches every request of the provider (model listings too). */
  model?: string;
  /** Matches the API key the request carries (`Authorization: Bearer`, or `x-api-key`) exactly; omitted: any key. */
  key?: string;
  mode: FaultMode;
  /** Applies to the first N matching requests, then the provider behaves normally; omitted = always. */
  times?: number;
  status?: number;
  /** Value of a `Retry-After` header. */
  retry_after?: string;
  /** Value of a `retry-after-ms` header. */
  retry_after_ms?: number;
  /** Omitted on slow_headers, slow_first_token and stall: wait until the client leaves. */
  delay_ms?: number;
  /** Stream events written before the fault strikes (default 1). */
  after_chunks?: number;
  /**
   * echo_key: where the upstream echoes the credentials it was sent (its key, the `Authorization: Bearer` header, an
   * internal URL carrying the key): "json" (default) in its error shape, "text" in an HTML error page, "stream" in an
   * error event after `after_chunks` events.
   */
  echo?: EchoShape;
  /**
   * raw: the answer's body, as base64 pieces, each written on its own (1 ms apart), with status 200 and
   * `content_type` (default text/event-stream): framing no recording has (CRLF, comments, UTF-8 split across reads).
   */
  pieces?: string[];
  content_type?: string;
}

export const ECHO_SHAPES = ["json", "text", "stream"] as const;
export type EchoShape = (typeof ECHO_SHAPES)[number];

export interface OllamaAccess {
  client_id: string;
  client_secret: string;
}

export interface SessionOptions {
  faults: Fault[];
  chunk_delay_ms: number;
  ollama_access?: OllamaAccess;
  ollama_models?: string[];
}

export interface LoggedRequest {
  provider: ProviderId;
  method: string;
  /** Path below the provider prefix, with the query string: `/v1/chat/completions`, `/api/chat`. */
  path: string;
  headers: Record<string, string>;
  body: unknown;
  received_at: number;
  aborted: boolean;
  fault: FaultMode | null;
}

export type HeaderMap = Record<string, string | string[]>;

export interface BodyReply {
  kind: "body";
  status: number;
  headers: HeaderMap;
  body: string;
}

export interface StreamEvent {
  /** The exact bytes of one SSE event (with its blank line) or one NDJSON line (with its newline). */
  text: string;
  /** `data: [DONE]`, Anthropic's `message_stop`, Ollama's `done: true` line: what `no_done` leaves out. */
  terminator: boolean;
}

export interface StreamReply {
  kind: "stream";
  status: number;
  headers: HeaderMap;
  events: StreamEvent[];
  /** What the `malformed` fault slips in: an event whose data is not valid JSON. */
  malformed: string;
  /** What the `midstream_error` fault writes before closing. */
  midstreamError: string;
}

export type Reply = BodyReply | StreamReply;

export type Endpoint = "chat" | "models" | "embeddings" | "count_tokens";

export interface ProviderRequest {
  method: string;
  /** Provider-relative path without the query string. */
  path: string;
  headers: Record<string, string>;
  /** The parsed JSON body; undefined when there was none or it did not parse. */
  body: unknown;
  /** A body was sent but is not a JSON object. */
  badJson: boolean;
}

/** Error answers a provider gives in its own shape. */
export type ErrorCase = "status" | "context_length" | "content_policy" | "bad_json";

export interface ProviderEmulator {
  readonly id: ProviderId;
  route(method: string, path: string): Endpoint | undefined;
  /** What the real API refuses before doing any work (auth, bad JSON, wire rules); runs before faults. */
  refuse(endpoint: Endpoint, req: ProviderRequest, session: SessionOptions): BodyReply | undefined;
  /** The normal answer, replayed from the recordings. */
  answer(endpoint: Endpoint, req: ProviderRequest, session: SessionOptions): Reply;
  error(kind: ErrorCase, status: number): BodyReply;
  /** An error answer in the provider's shape with the given message (what echo_key sends). */
  errorWith(status: number, message: string): BodyReply;
  /** A mid-stream error event in the provider's shape with the given message. */
  streamError(message: string): string;
}
