// The one error a request can be refused with, whatever transport or dialect carries it: a status (the HTTP status the
// same refusal gets over HTTP), a type and code, the offending param, and headers a transport that has them may add.
// Each transport writes it in its own shape (src/http/errors.ts: OpenAI's error body; src/rpc: a failure value).
export class GatewayError extends Error {
  override name = "GatewayError";
  readonly status: number;
  readonly type: string;
  readonly param: string | null;
  readonly code: string | null;
  /** Response headers that go with the refusal over HTTP (retry-after, x-budget-remaining-usd). */
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    message: string,
    opts: { type?: string; param?: string | null; code?: string | null; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.status = status;
    this.type = opts.type ?? defaultType(status);
    this.param = opts.param ?? null;
    this.code = opts.code ?? null;
    this.headers = opts.headers ?? {};
  }
}

function defaultType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}
