// A gateway key as the hot path sees it (never the key itself: only its SHA-256), and how keys are made and hashed.

export interface KeyRecord {
  id: string;
  /** Hex SHA-256 of the full key. */
  hash: string;
  /** The first characters of the key, shown so a person can tell keys apart. */
  prefix: string;
  name: string;
  workspace_id: string;
  /** Browser origins allowed to use the key; null: none but the gateway's own. "*" allows any. */
  allowed_origins: string[] | null;
  /** Requests per minute across every isolate (counted in the workspace's BudgetObject); null: none. */
  rpm_limit: number | null;
  /** Tokens per minute (prompt upper bound plus max_tokens held, settled from usage); null: none. Absent on old records. */
  tpm_limit?: number | null;
  /** The key's own spending cap per budget period, in pico-dollars; null: none. */
  budget_pico: number | null;
  created_at: number;
  revoked_at: number | null;
}

/** Every gateway key starts with this, so a wrong admin key and a wrong gateway key are told apart cheaply. */
export const KEY_PREFIX = "sy-";
/** Characters of a key shown in listings: "sy-" and eight random ones (48 bits: enough to tell keys apart). */
export const VISIBLE_CHARS = KEY_PREFIX.length + 8;

/** 32 random bytes (256 bits) in base64url after the prefix. */
export function newKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return KEY_PREFIX + btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export async function hashKey(key: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export function looksLikeGatewayKey(token: string): boolean {
  return token.startsWith(KEY_PREFIX) && token.length > VISIBLE_CHARS && token.length <= 128;
}
