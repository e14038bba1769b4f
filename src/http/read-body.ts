// Reads and validates a JSON request body: 413 past the limit, 400 naming the offending param otherwise.
import { HttpError } from "./errors.ts";

/** Requests larger than this are refused with 413 (base64 images are the usual reason for a big body). */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

export async function readJsonBody(request: Request, limit = MAX_BODY_BYTES): Promise<unknown> {
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  if (request.body === null)
    throw new HttpError(400, "The request body is empty; send a JSON object.", { code: "invalid_json" });
  // A declared length is enforced by the runtime, so the body can be read whole; only a chunked body is counted.
  if (Number.isFinite(declared)) return parseJson(await request.text());
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  return parseJson(new TextDecoder().decode(bytes));
}

function parseJson(text: string): unknown {
  if (text.trim() === "")
    throw new HttpError(400, "The request body is empty; send a JSON object.", { code: "invalid_json" });
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, `The request body is not valid JSON: ${(err as Error).message}`, { code: "invalid_json" });
  }
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, `The request body is larger than ${limit} bytes.`, { code: "request_too_large" });
}

/** Zod validation lives in src/core/validate.ts (the gateway validates too); re-exported for the routes here. */
export { parseOrThrow } from "../core/validate.ts";
