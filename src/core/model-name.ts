// The one bound on a model name, for every dialect's `model` and `models` entries.
import * as z from "zod/mini";

/**
 * No model id is near this long. A longer name would be carried upstream, into response headers and into two D1 rows
 * (a 5,000,000-character one made a 500 and, on real D1's 2 MB rows, a failed batch that takes other rows with it).
 */
export const MAX_MODEL_CHARS = 256;

/** A control character (C0, DEL or C1): no model id has one, and one in a response header breaks the response. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * A model name: non-empty (with the dialect's own wording for a missing one), at most MAX_MODEL_CHARS, and free of
 * control characters.
 */
export function modelNameSchema(requiredMessage?: string): z.ZodMiniString {
  return z.string().check(
    z.minLength(1, requiredMessage),
    z.maxLength(MAX_MODEL_CHARS, `must be at most ${MAX_MODEL_CHARS} characters`),
    z.refine((name) => !CONTROL.test(name), "must not contain control characters"),
  );
}

/**
 * A model name as a header value: as it is when it is printable ASCII (every registry id is), percent-encoded (as
 * `encodeURIComponent` does) when it holds anything else, so a caller's non-ASCII name never reaches the wire raw.
 */
export function modelHeaderValue(name: string): string {
  return /^[\x20-\x7e]*$/.test(name) ? name : encodeURIComponent(name);
}
