// Reads the recorded provider payloads in test/fixtures (once each) and the response headers recorded beside them.
import { existsSync, readFileSync } from "node:fs";
import type { HeaderMap, ProviderId } from "./types.ts";

const FIXTURES = new URL("../fixtures/", import.meta.url);

// Transport, CDN and cookie headers of the recording: replaying them would lie about this connection
// (a Content-Encoding: gzip over plain bytes, a Content-Length of another body) or only add noise.
const DROPPED_HEADERS = new Set([
  "connection",
  "content-encoding",
  "content-length",
  "transfer-encoding",
  "keep-alive",
  "date",
  "server",
  "set-cookie",
  "vary",
  "etag",
  "alt-svc",
  "via",
  "strict-transport-security",
  "cf-ray",
  "cf-cache-status",
  "x-cloud-trace-context",
  "server-timing",
]);

const texts = new Map<string, string>();

/** The exact text of test/fixtures/<provider>/<name>. */
export function fixture(provider: ProviderId, name: string): string {
  const key = `${provider}/${name}`;
  let text = texts.get(key);
  if (text === undefined) {
    text = readFileSync(new URL(key, FIXTURES), "utf8");
    texts.set(key, text);
  }
  return text;
}

/** The replayable response headers of `<stem>.headers.json`, or undefined when nothing was recorded. */
export function recordedHeaders(provider: ProviderId, stem: string): HeaderMap | undefined {
  const name = `${stem}.headers.json`;
  if (!existsSync(new URL(`${provider}/${name}`, FIXTURES))) return undefined;
  const sidecar = JSON.parse(fixture(provider, name)) as { headers?: Record<string, unknown> };
  const headers: HeaderMap = {};
  for (const [header, value] of Object.entries(sidecar.headers ?? {})) {
    if (DROPPED_HEADERS.has(header.toLowerCase())) continue;
    if (typeof value === "string") headers[header] = value;
    else if (Array.isArray(value)) headers[header] = value.map(String);
  }
  return headers;
}

/** A recorded body with its recorded headers, or `fallback` headers when the recording kept none. */
export function recording(
  provider: ProviderId,
  file: string,
  options: { headersOf?: string; fallback?: HeaderMap } = {},
): { body: string; headers: HeaderMap } {
  const stem = options.headersOf ?? file.replace(/\.[^.]+$/, "");
  return {
    body: fixture(provider, file),
    headers: recordedHeaders(provider, stem) ?? { ...options.fallback },
  };
}
