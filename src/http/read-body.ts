// Reads and validates a JSON request body: 415 unless it is JSON, 413 past the limit, 400 for nesting deeper than 64
// levels (found before parsing) and otherwise naming the offending param.
import { HttpError } from "./errors.ts";

/** Requests larger than this are refused with 413 (base64 images are the usual reason for a big body). */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** Deeper JSON is refused unread: no request needs it, and parsing and validating millions of levels takes seconds. */
export const MAX_JSON_DEPTH = 64;

/**
 * A POST or PUT with a body must say it is JSON (`application/json`, optionally with a UTF-8 charset): text/plain and
 * forms are what a web page can send cross-site without a preflight, so they are refused before anything else.
 */
export function requireJsonContent(request: Request): void {
  const method = request.method;
  if ((method !== "POST" && method !== "PUT" && method !== "PATCH") || request.body === null) return;
  const header = request.headers.get("content-type");
  // What every JSON client sends, decided without splitting it.
  if (header === "application/json") return;
  const [type = "", ...params] = (header ?? "").split(";").map((p) => p.trim().toLowerCase());
  const charset = params
    .find((p) => p.startsWith("charset="))
    ?.slice("charset=".length)
    .replaceAll('"', "");
  if (type === "application/json" && (charset === undefined || charset === "utf-8" || charset === "utf8")) return;
  const got = header === null ? "no content-type" : `content-type ${header.slice(0, 100)}`;
  throw new HttpError(415, `Send the body as JSON with content-type: application/json (got ${got}).`, {
    code: "unsupported_media_type",
  });
}

export async function readJsonBody(request: Request, limit = MAX_BODY_BYTES): Promise<unknown> {
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  if (request.body === null)
    throw new HttpError(400, "The request body is empty; send a JSON object.", { code: "invalid_json" });
  requireJsonContent(request);
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
  if (nestsDeeperThan(text, MAX_JSON_DEPTH))
    throw new HttpError(400, `The request body nests deeper than ${MAX_JSON_DEPTH} levels.`, { code: "invalid_json" });
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, `The request body is not valid JSON: ${(err as Error).message}`, { code: "invalid_json" });
  }
}

/** Counts [ and { outside strings, skipping each string whole (a base64 image is one indexOf, not a loop). */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      i = stringEnd(text, i);
      if (i < 0) return false; // unterminated: JSON.parse says so
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** The index of the quote that closes the string opened at `open` (one preceded by an even run of backslashes). */
function stringEnd(text: string, open: number): number {
  let from = open + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) return -1;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return quote;
    from = quote + 1;
  }
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, `The request body is larger than ${limit} bytes.`, { code: "request_too_large" });
}

/** Zod validation lives in src/core/validate.ts (the gateway validates too); re-exported for the routes here. */
export { parseOrThrow } from "../core/validate.ts";
