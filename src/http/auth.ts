// Who is calling: the admin key, a workspace's gateway key, or nobody in development mode. A wrong key is a 401.
import type { Env } from "../env.ts";
import { isDevelopment } from "../env.ts";
import type { Caller } from "../keys/caller.ts";
import { type GovernanceCache, LookupsThrottled } from "../keys/governance-cache.ts";
import { hashKey, type KeyRecord, looksLikeGatewayKey } from "../keys/key-record.ts";
import { HttpError } from "./errors.ts";

export type { Caller };

/**
 * The keys the request presents: `Authorization: Bearer <key>` (OpenAI's clients) and `x-api-key: <key>`
 * (Anthropic's, by version). Any other Authorization (Basic, Token, an empty Bearer, a bare key) and an empty
 * x-api-key are presented credentials too, and wrong ones.
 */
export function presentedKeys(request: Request): { keys: string[]; malformed: boolean } {
  const keys: string[] = [];
  let malformed = false;
  const authorization = request.headers.get("authorization");
  if (authorization !== null) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (match) keys.push(match[1] as string);
    else malformed = true;
  }
  const apiKey = request.headers.get("x-api-key");
  if (apiKey !== null) {
    if (apiKey.trim() === "") malformed = true;
    else keys.push(apiKey.trim());
  }
  return { keys, malformed };
}

/** Constant-time string comparison, so a key cannot be guessed byte by byte from response times. */
export function safeEqual(a: string, b: string): boolean {
  const ea = new TextEncoder().encode(a);
  const eb = new TextEncoder().encode(b);
  let diff = ea.length ^ eb.length;
  for (let i = 0; i < Math.max(ea.length, eb.length); i++) diff |= (ea[i] ?? 0) ^ (eb[i] ?? 0);
  return diff === 0;
}

const INVALID = "Invalid API key: send a valid key as Authorization: Bearer <key> or x-api-key: <key>.";

/**
 * The admin key, else a live gateway key (looked up by its SHA-256 in the isolate's cache, the directory on a miss).
 * A presented credential that is not a valid key is a 401 in every mode; two different keys are one too many. Without
 * any, only development mode passes: a deployed Worker refuses rather than falling open.
 */
export async function authenticate(request: Request, env: Env, keys: GovernanceCache): Promise<Caller> {
  const presented = presentedKeys(request);
  if (presented.malformed) throw new HttpError(401, INVALID, { code: "invalid_api_key" });
  const [token, other] = presented.keys;
  if (token === undefined) {
    if (isDevelopment(env)) return { kind: "development", workspaceId: null };
    throw new HttpError(401, "Missing API key: send Authorization: Bearer <key> or x-api-key: <key>.", {
      code: "missing_api_key",
    });
  }
  if (other !== undefined && other !== token)
    throw new HttpError(401, "Authorization and x-api-key carry different keys; send one key.", {
      code: "invalid_api_key",
    });
  if (env.ADMIN_KEY && safeEqual(token, env.ADMIN_KEY)) return { kind: "admin", workspaceId: null };
  if (!looksLikeGatewayKey(token)) throw new HttpError(401, INVALID, { code: "invalid_api_key" });
  let record: KeyRecord | null;
  try {
    record = await keys.keyByHash(env, await hashKey(token));
  } catch (err) {
    if (err instanceof LookupsThrottled)
      throw new HttpError(503, "Too many unknown keys are being checked right now; retry shortly.", {
        code: "key_lookups_throttled",
        headers: { "retry-after": "1" },
      });
    console.error("key lookup failed", err instanceof Error ? err.message : String(err));
    throw new HttpError(503, "Keys cannot be checked right now; retry shortly.", {
      code: "key_service_unavailable",
      headers: { "retry-after": "1" },
    });
  }
  if (record === null) throw new HttpError(401, INVALID, { code: "invalid_api_key" });
  const { id, prefix, allowed_origins, rpm_limit, budget_pico } = record;
  return {
    kind: "workspace",
    workspaceId: record.workspace_id,
    key: { id, prefix, allowed_origins, rpm_limit, budget_pico, tpm_limit: record.tpm_limit ?? null },
  };
}

/** Admin endpoints (keys, setting budgets): the admin key, or development mode on a local machine. */
export function requireAdmin(caller: Caller): void {
  if (caller.kind === "workspace")
    throw new HttpError(403, "This endpoint needs the admin key; a workspace key cannot use it.", {
      code: "admin_only",
    });
}
