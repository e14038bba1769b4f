// The one skeleton every adapter reads a non-2xx answer with: empty, the provider's own error shape, or anything else.
import type { ProviderId } from "../config/schema.ts";
import { type ErrorKind, kindForStatus, ProviderError, parseRetryAfter } from "../core/errors.ts";

/** What a provider's error shape says. */
export interface ErrorFields {
  message: string;
  code: string | null;
  type: string | null;
  /** The request field the provider named (OpenAI's `param`), where it named one. */
  param?: string | null;
}

/** At most this much of a body that is not the provider's error shape is kept. */
const EXCERPT_CHARS = 120;

/**
 * A body that is not the provider's error shape (a proxy's HTML page, a bare string) is not an error message:
 * "<provider> answered <status>" and a short excerpt of its text, markup stripped. The body reaching an adapter is
 * already redacted whole (./index.ts guards every adapter), so the excerpt never cuts a secret in two and misses it.
 */
export function unreadableBodyMessage(provider: string, status: number, body: string): string {
  const text = body
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  if (text === "") return `${provider} answered ${status} with an empty body`;
  const excerpt = text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
  return `${provider} answered ${status}: ${excerpt}`;
}

/** Reads the body with the provider's own reader (`read` returns null for JSON not in its shape). */
export function readErrorBody(
  provider: ProviderId,
  status: number,
  body: string,
  read: (json: unknown) => ErrorFields | null,
): ErrorFields {
  const unreadable = { message: unreadableBodyMessage(provider, status, body), code: null, type: null };
  if (body.trim() === "") return unreadable;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return unreadable;
  }
  return read(json) ?? unreadable;
}

/** The one error type for a non-2xx answer, classified by `classify` (default: the status alone). */
export function errorFromAnswer(
  provider: ProviderId,
  status: number,
  headers: Headers,
  now: number,
  fields: ErrorFields,
  classify: (status: number, fields: ErrorFields) => ErrorKind = (s) => kindForStatus(s),
): ProviderError {
  return new ProviderError({
    kind: classify(status, fields),
    provider,
    status,
    code: fields.code,
    message: fields.message,
    param: fields.param ?? null,
    retryAfterMs: parseRetryAfter(headers, now),
  });
}
