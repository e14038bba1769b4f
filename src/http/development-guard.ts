// Development mode is keyless, so it answers this machine only: loopback Hosts and loopback or same-origin Origins.
import type { Env } from "../env.ts";
import { isDevelopment } from "../env.ts";
import { HttpError } from "./errors.ts";

/** 127.0.0.0/8, localhost and [::1], as the WHATWG URL parser spells them (lowercase, IPv4 dotted, IPv6 bracketed). */
export function isLoopbackHostname(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** An http(s) origin on a loopback host, any port. "null" (a sandboxed frame, a file) is not one. */
export function isLoopbackOrigin(origin: string): boolean {
  const url = parse(origin);
  return url !== null && (url.protocol === "http:" || url.protocol === "https:") && isLoopbackHostname(url.hostname);
}

/**
 * Without this, any web page the developer opens could drive the keyless gateway (and spend the provider keys in
 * .dev.vars): cross-origin from its own Origin, or same-origin through DNS rebinding (its name resolving to
 * 127.0.0.1, so the Host is its name). A deployed Worker is untouched: keys guard it, and its Host is its own domain.
 */
export function guardDevelopment(request: Request, env: Pick<Env, "SWITCHYARD_ENV">): void {
  if (!isDevelopment(env)) return;
  const url = new URL(request.url);
  const hostHeader = request.headers.get("host");
  // The URL's own host (what the runtime built it from, as a rule) has the URL's hostname: no second parse.
  const host = hostHeader === null || hostHeader === url.host ? url : parse(`http://${hostHeader}`);
  if (!isLoopbackHostname(url.hostname) || host === null || !isLoopbackHostname(host.hostname)) {
    throw new HttpError(
      403,
      "Development mode answers only this machine: use a loopback host (127.0.0.1, localhost or [::1]).",
      { code: "host_not_allowed" },
    );
  }
  const origin = request.headers.get("origin");
  if (origin !== null && origin !== url.origin && !isLoopbackOrigin(origin)) {
    throw new HttpError(403, `Development mode answers only pages on this machine, not ${origin.slice(0, 200)}.`, {
      code: "origin_not_allowed",
    });
  }
}

function parse(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}
