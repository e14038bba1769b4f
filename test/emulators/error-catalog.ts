// Stand-in error wording for statuses no recording covers, in OpenAI's vocabulary; each provider wraps it in its own shape.

export interface ErrorFields {
  message: string;
  type: string;
  code: string | null;
  param?: string | null;
}

const GENERIC: Record<number, ErrorFields> = {
  400: { message: "Invalid request.", type: "invalid_request_error", code: null },
  401: { message: "Incorrect API key provided.", type: "invalid_request_error", code: "invalid_api_key" },
  403: { message: "You do not have access to this resource.", type: "invalid_request_error", code: null },
  404: {
    message: "The model does not exist or you do not have access to it.",
    type: "invalid_request_error",
    code: "model_not_found",
  },
  408: { message: "Request timed out.", type: "server_error", code: null },
  409: { message: "Conflict.", type: "invalid_request_error", code: null },
  422: { message: "Unprocessable request.", type: "invalid_request_error", code: null },
  429: { message: "Rate limit reached. Please try again later.", type: "requests", code: "rate_limit_exceeded" },
  500: {
    message: "The server had an error while processing your request. Sorry about that!",
    type: "server_error",
    code: null,
  },
  502: { message: "Bad gateway.", type: "server_error", code: null },
  503: { message: "The server is overloaded or not ready yet.", type: "server_error", code: null },
  504: { message: "Gateway timeout.", type: "server_error", code: null },
  529: { message: "The server is overloaded.", type: "server_error", code: null },
};

export function genericError(status: number): ErrorFields {
  return (
    GENERIC[status] ?? {
      message: `Upstream answered HTTP ${status}.`,
      type: status >= 500 ? "server_error" : "invalid_request_error",
      code: null,
    }
  );
}

export const CONTENT_POLICY: ErrorFields = {
  message:
    "Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system.",
  type: "invalid_request_error",
  code: "content_policy_violation",
};

/** The error an OpenAI-compatible provider writes into a stream that has already started. */
export const OPENAI_STREAM_ERROR =
  'data: {"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}\n\n';

/** An SSE event whose data is cut off mid-JSON. */
export const MALFORMED_SSE_EVENT = 'data: {"choices":[{"delta":{"content":"oops\n\n';
