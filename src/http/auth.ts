// Who is calling: the admin key, a workspace's gateway key, or nobody in development mode. A wrong key is a 401.
import type { Env } from "../env.ts";
import { isDevelopment } from "../env.ts";
import type { Caller } from "../keys/caller.ts";
import type { GovernanceCache } from "../keys/governance-cache.ts";
import { hashKey, type KeyRecord, looksLikeGatewayKey } from "../keys/key-record.ts";
import { HttpError } from "./errors.ts";

export type { Caller };

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

/**
 * The admin key, else a live gateway key (looked up by its SHA-256 in the isolate's cache, the directory on a miss).
 * Without a key only development mode passes: a deployed Worker refuses rather than falling open.
 */
export async function authenticate(request: Request, env: Env, keys: GovernanceCache): Promise<Caller> {
  const token = bearerToken(request);
  if (token === null || (env.ADMIN_KEY && safeEqual(token, env.ADMIN_KEY)) || !looksLikeGatewayKey(token))
    return authenticateAdmin(request, env);
  let record: KeyRecord | null;
  try {
    record = await keys.keyByHash(env, await hashKey(token));
  } catch (err) {
    console.error("key lookup failed", err instanceof Error ? err.message : String(err));
    throw new HttpError(503, "Keys cannot be checked right now; retry shortly.", {
      code: "key_service_unavailable",
      headers: { "retry-after": "1" },
    });
  }
  if (record === null) throw new HttpError(401, "Invalid API key.", { code: "invalid_api_key" });
  const { id, prefix, allowed_origins, rpm_limit, budget_pico } = record;
  return {
    kind: "workspace",
    workspaceId: record.workspace_id,
    key: { id, prefix, allowed_origins, rpm_limit, budget_pico },
  };
}

/** Admin endpoints (keys, setting budgets): the admin key, or development mode on a local machine. */
export function requireAdmin(caller: Caller): void {
  if (caller.kind === "workspace")
    throw new HttpError(403, "This endpoint needs the admin key; a workspace key cannot use it.", {
      code: "admin_only",
    });
}
