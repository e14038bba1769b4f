// The one bound on a model name, for every dialect's `model` and `models` entries.
import * as z from "zod/mini";
import { parseOrThrow } from "./validate.ts";

/**
 * No model id is near this long. A longer name would be carried upstream, into response headers and into two D1 rows
 * (a 5,000,000-character one made a 500 and, on real D1's 2 MB rows, a failed batch that takes other rows with it).
 */
export const MAX_MODEL_CHARS = 256;

/** Whether the name holds a control character (C0, DEL or C1): no model id has one, and one in a header breaks it. */
function hasControl(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

/**
 * A model name: non-empty (with the dialect's own wording for a missing one), at most MAX_MODEL_CHARS, and free of
 * control characters.
 */
export function modelNameSchema(requiredMessage?: string): z.ZodMiniString {
  return z.string().check(
    z.minLength(1, requiredMessage),
    z.maxLength(MAX_MODEL_CHARS, `must be at most ${MAX_MODEL_CHARS} characters`),
    z.refine((name) => !hasControl(name), "must not contain control characters"),
  );
}

/**
 * A model name as a header value: as it is when it is printable ASCII (every registry id is), percent-encoded (as
 * `encodeURIComponent` does) when it holds anything else, so a caller's non-ASCII name never reaches the wire raw.
 */
export function modelHeaderValue(name: string): string {
  return /^[\x20-\x7e]*$/.test(name) ? name : encodeURIComponent(name);
}

/** Every dialect's `models` list: the request's own chain, one to ten names. */
export const ModelsListSchema = z.array(modelNameSchema()).check(z.minLength(1), z.maxLength(10));

/**
 * A body with a `models` list and no `model` (OpenRouter's convention): the list is the request's whole chain, so its
 * first entry is the model asked for. The list is checked first, so a bad entry is named as `models.<i>`; a body
 * with `model`, or without a list, is returned as it is.
 */
export function modelFromModels<T extends object>(raw: T): T {
  const body = raw as { model?: unknown; models?: unknown };
  if (body.model !== undefined || !Array.isArray(body.models)) return raw;
  const models = parseOrThrow(ModelsListSchema, body.models, "models");
  return { ...raw, model: models[0] };
}
