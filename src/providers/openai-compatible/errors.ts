// Reads an OpenAI-compatible error answer (OpenAI, Mistral, Together) into the one error type.
import type { ProviderId } from "../../config/schema.ts";
import { type ErrorKind, kindForStatus, type ProviderError } from "../../core/errors.ts";
import { type ErrorFields, errorFromAnswer, readErrorBody } from "../error-body.ts";
import { ErrorBodySchema } from "./wire.ts";

export function parseOpenAICompatibleError(
  provider: ProviderId,
  status: number,
  headers: Headers,
  body: string,
  now: number,
): ProviderError {
  const fields = readErrorBody(provider, status, body, readOpenAIError);
  return errorFromAnswer(provider, status, headers, now, fields, (s, f) => classify(s, f.code, f.type, f.message));
}

/** `{"error": {...}}` (OpenAI, Together) or the fields at the top level (Mistral); null for any other JSON. */
export function readOpenAIError(json: unknown): ErrorFields | null {
  const parsed = ErrorBodySchema.safeParse(json);
  if (!parsed.success) return null;
  const e = parsed.data.error ?? parsed.data;
  const message = stringifyMessage(e.message);
  if (message === undefined) return null;
  return {
    message,
    code: e.code === null || e.code === undefined ? null : String(e.code),
    type: e.type ?? null,
    param: parsed.data.error?.param ?? null,
  };
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
