// Reading request bodies and writing the emulator's own JSON answers (admin routes, unknown paths).
import type { IncomingMessage, ServerResponse } from "node:http";

const MAX_BODY_BYTES = 20 * 1024 * 1024;

export class BodyTooLarge extends Error {
  override name = "BodyTooLarge";
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge(`request body over ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
    req.on("close", () => {
      if (!req.complete) reject(new Error("client left before the request body ended"));
    });
  });
}

/** Parses a request body: undefined when empty, `badJson` when it does not parse. */
export function parseJsonBody(text: string): { body: unknown; badJson: boolean } {
  if (text.trim() === "") return { body: undefined, badJson: false };
  try {
    return { body: JSON.parse(text) as unknown, badJson: false };
  } catch {
    return { body: undefined, badJson: true };
  }
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(body)) });
  res.end(body);
}

export function notFound(res: ServerResponse, message: string): void {
  sendJson(res, 404, { error: { message, type: "not_found", code: "emulator_unknown_path" } });
}

/** Lower-cased header names (Node already lower-cases them) with repeated headers joined. */
export function flatHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}
