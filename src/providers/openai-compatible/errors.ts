// Reads an OpenAI-compatible error answer (OpenAI, Mistral, Together) into the one error type.
import type { ProviderId } from "../../config/schema.ts";
import { type ErrorKind, kindForStatus, ProviderError, parseRetryAfter } from "../../core/errors.ts";
import { ErrorBodySchema } from "./wire.ts";

export function parseOpenAICompatibleError(
  provider: ProviderId,
  status: number,
  headers: Headers,
  body: string,
  now: number,
): ProviderError {
  let message = body.trim() === "" ? `${provider} answered ${status} with an empty body` : body.slice(0, 500);
  let code: string | null = null;
  let type: string | null = null;
  try {
    const parsed = ErrorBodySchema.safeParse(JSON.parse(body));
    if (parsed.success) {
      const e = parsed.data.error ?? parsed.data;
      message = stringifyMessage(e.message) ?? message;
      code = e.code === null || e.code === undefined ? null : String(e.code);
      type = e.type ?? null;
    }
  } catch {
    // Not JSON (an HTML error page from a proxy, say): keep the text.
  }
  return new ProviderError({
    kind: classify(status, code, type, message),
    provider,
    status,
    code,
    message,
    retryAfterMs: parseRetryAfter(headers, now),
  });
}

/** Provider-specific codes first; the status decides the rest. */
export function classify(status: number, code: string | null, type: string | null, message: string): ErrorKind {
  if (
    code === "context_length_exceeded" ||
    /maximum context length|context length|too many tokens|prompt is too long/i.test(message)
  ) {
    if (status === 400 || status === 413 || status === 422) return "context_length";
  }
  if (code === "content_policy_violation" || code === "content_filter" || type === "content_policy_violation")
    return "content_policy";
  return kindForStatus(status);
}

function stringifyMessage(message: unknown): string | undefined {
  if (typeof message === "string") return message;
  if (message === undefined || message === null) return undefined;
  // Mistral's 422 carries pydantic's detail list in `message`.
  return JSON.stringify(message);
}
