// CORS: preflights answered before auth, and each gateway key's allowed_origins enforced on the real request.
import type { Env } from "../env.ts";
import { isDevelopment } from "../env.ts";
import type { Caller } from "./auth.ts";
import { isLoopbackOrigin } from "./development-guard.ts";
import { HttpError } from "./errors.ts";

const ALLOWED_METHODS = "GET, POST, PUT, DELETE, OPTIONS";
/** What a browser may read from our answers: the route, the request id, budget and rate-limit hints. */
const EXPOSED_HEADERS = [
  "x-request-id",
  "request-id",
  "x-router-provider",
  "x-router-model",
  "x-router-strategy",
  "x-router-attempts",
  "x-router-chain",
  "x-router-deployment",
  "x-router-warnings",
  "x-router-cache",
  "x-router-token-count",
  "x-budget-remaining-usd",
  "x-budget-alert",
  "x-ratelimit-limit-requests",
  "x-ratelimit-remaining-requests",
  "x-ratelimit-reset-requests",
  "x-ratelimit-limit-tokens",
  "x-ratelimit-remaining-tokens",
  "x-ratelimit-reset-tokens",
  "x-switchyard-upstream",
  "retry-after",
].join(", ");

/**
 * A browser sends no credentials on a preflight, so which key will follow is unknown: a deployed Worker answers the
 * preflight for any origin, and the real request (which carries the key) is where an origin the key does not allow
 * gets a 403. Development mode needs no key, so there only this machine's pages are answered.
 */
export function preflight(request: Request, env: Pick<Env, "SWITCHYARD_ENV">): Response | null {
  if (request.method !== "OPTIONS") return null;
  const origin = request.headers.get("origin");
  const method = request.headers.get("access-control-request-method");
  if (origin === null || method === null) return null;
  if (isDevelopment(env)) refuseRemoteOrigin(origin);
  return new Response(null, {
    status: 204,
    headers: {
      "access-control-allow-origin": origin,
      "access-control-allow-methods": ALLOWED_METHODS,
      "access-control-allow-headers":
        request.headers.get("access-control-request-headers") ?? "authorization, content-type",
      "access-control-max-age": "600",
      vary: "Origin, Access-Control-Request-Headers",
    },
  });
}

/**
 * The origin to answer with CORS headers, or null when the request is not cross-origin. In development only this
 * machine's pages; otherwise the admin key may come from anywhere, and a workspace key only from its allowed_origins
 * ("*" for any) or the gateway itself.
 */
export function allowedOrigin(request: Request, caller: Caller, env: Pick<Env, "SWITCHYARD_ENV">): string | null {
  const origin = request.headers.get("origin");
  if (origin === null || origin === new URL(request.url).origin) return null;
  if (isDevelopment(env)) refuseRemoteOrigin(origin);
  if (caller.kind !== "workspace") return origin;
  const allowed = caller.key.allowed_origins ?? [];
  if (allowed.includes("*") || allowed.includes(origin)) return origin;
  throw new HttpError(403, `Origin ${origin} is not allowed for this key (${caller.key.prefix}…).`, {
    code: "origin_not_allowed",
  });
}

function refuseRemoteOrigin(origin: string): void {
  if (!isLoopbackOrigin(origin))
    throw new HttpError(403, `Development mode answers only pages on this machine, not ${origin.slice(0, 200)}.`, {
      code: "origin_not_allowed",
    });
}

export function withCors(response: Response, origin: string): Response {
  return withHeaders(response, (h) => {
    h.set("access-control-allow-origin", origin);
    h.set("access-control-expose-headers", EXPOSED_HEADERS);
    h.append("vary", "Origin");
  });
}

/** `response` with its headers changed by `change`; copied once first when they are immutable (a fetch response). */
export function withHeaders(response: Response, change: (headers: Headers) => void): Response {
  try {
    change(response.headers);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    change(copy.headers);
    return copy;
  }
}
