// Anthropic's error shape, {"type":"error","error":{"type","message"}}, for every refusal on the Messages routes.
import type { GatewayError } from "../../core/gateway-error.ts";

/** Anthropic's error `type` for an HTTP status (its documented table). */
export function anthropicErrorType(status: number): string {
  if (status === 400 || status === 422) return "invalid_request_error";
  if (status === 401) return "authentication_error";
  if (status === 402) return "billing_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 413) return "request_too_large";
  if (status === 429) return "rate_limit_error";
  if (status === 504) return "timeout_error";
  if (status === 529 || status === 503) return "overloaded_error";
  return status >= 500 ? "api_error" : "invalid_request_error";
}

export interface AnthropicErrorBody {
  type: "error";
  error: { type: string; message: string };
  [extra: string]: unknown;
}

export function anthropicErrorBody(
  status: number,
  message: string,
  extra: Record<string, unknown> = {},
): AnthropicErrorBody {
  return { type: "error", error: { type: anthropicErrorType(status), message }, ...extra };
}

/** A GatewayError as Anthropic's body, keeping Switchyard's own code beside it for clients that read it. */
export function anthropicErrorResponse(err: GatewayError, headers: Record<string, string> = {}): Response {
  const body = anthropicErrorBody(err.status, err.message, err.code === null ? {} : { code: err.code });
  return new Response(JSON.stringify(body), {
    status: err.status,
    headers: { "content-type": "application/json", ...err.headers, ...headers },
  });
}
