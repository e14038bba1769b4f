// OpenAI's error shape for every JSON error the HTTP API returns. The error itself is the transport-neutral
// GatewayError (src/core/gateway-error.ts); HttpError is the name the HTTP routes know it by.
import { GatewayError } from "../core/gateway-error.ts";

export { GatewayError as HttpError };

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export function errorBody(err: GatewayError): OpenAIErrorBody {
  return { error: { message: err.message, type: err.type, param: err.param, code: err.code } };
}

export function errorResponse(err: GatewayError, extraHeaders: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(errorBody(err)), {
    status: err.status,
    headers: { "content-type": "application/json", ...err.headers, ...extraHeaders },
  });
}
