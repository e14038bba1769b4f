// Who is calling: the admin key, or nobody in development mode. Every presented key that is wrong is a 401.
import type { Env } from "../env.ts";
import { isDevelopment } from "../env.ts";
import { HttpError } from "./errors.ts";

export interface Caller {
  kind: "admin" | "development";
  /** The workspace the caller's key belongs to; null for admin and development (they may name one). */
  workspaceId: string | null;
}

export function bearerToken(request: Request): string | null {
  const header = request.headers.get("authorization");
  if (header === null) return null;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match ? (match[1] as string).trim() : null;
}

/** Constant-time string comparison, so a key cannot be guessed byte by byte from response times. */
export function safeEqual(a: string, b: string): boolean {
  const ea = new TextEncoder().encode(a);
  const eb = new TextEncoder().encode(b);
  let diff = ea.length ^ eb.length;
  for (let i = 0; i < Math.max(ea.length, eb.length); i++) diff |= (ea[i] ?? 0) ^ (eb[i] ?? 0);
  return diff === 0;
}

export function authenticateAdmin(request: Request, env: Env): Caller {
  const token = bearerToken(request);
  if (token !== null) {
    if (env.ADMIN_KEY && safeEqual(token, env.ADMIN_KEY)) return { kind: "admin", workspaceId: null };
    throw new HttpError(401, "Invalid API key.", { code: "invalid_api_key" });
  }
  if (isDevelopment(env)) return { kind: "development", workspaceId: null };
  throw new HttpError(401, "Missing API key: send Authorization: Bearer <key>.", { code: "missing_api_key" });
}
