// The one bound on a model name, for every dialect's `model` and `models` entries.
import * as z from "zod/mini";

/**
 * No model id is near this long. A longer name would be carried upstream, into response headers and into two D1 rows
 * (a 5,000,000-character one made a 500 and, on real D1's 2 MB rows, a failed batch that takes other rows with it).
 */
export const MAX_MODEL_CHARS = 256;

/** A model name: non-empty (with the dialect's own wording for a missing one) and at most MAX_MODEL_CHARS. */
export function modelNameSchema(requiredMessage?: string): z.ZodMiniString {
  return z
    .string()
    .check(
      z.minLength(1, requiredMessage),
      z.maxLength(MAX_MODEL_CHARS, `must be at most ${MAX_MODEL_CHARS} characters`),
    );
}
