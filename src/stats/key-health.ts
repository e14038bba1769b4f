// Per-key health of a provider's key pool: each key's cooldown (Retry-After), refusal (401, until the sweep clears
// it), and use. Kept in the stats object under the key's masked id, never the key.
import * as z from "zod/mini";
import { type ProviderId, ProviderIdSchema } from "../config/names.ts";

/** What one call (or one sweep probe) with one key came to. */
export interface KeyEvent {
  provider: ProviderId;
  key_id: string;
  at: number;
  /** ok; rate_limited (429); quota (402, insufficient_quota); refused (401); error (anything else); cleared (a sweep probe succeeded). */
  outcome: "ok" | "rate_limited" | "quota" | "refused" | "error" | "cleared";
  http_status: number | null;
  /** Epoch ms the key may be used again (rate_limited, quota); null otherwise. */
  cooldown_until: number | null;
  /** Already redacted. */
  error: string | null;
}

export interface KeyStats {
  provider: ProviderId;
  key_id: string;
  state: "active" | "cooling" | "refused";
  cooldown_until: number | null;
  /** When the key was last refused (401); null while it is not. */
  refused_at: number | null;
  /** When the sweep last cleared a refusal. */
  cleared_at: number | null;
  requests: number;
  failures: number;
  rate_limited: number;
  last_status: number | null;
  last_error: string | null;
  last_used_at: number | null;
}

/** Keys remembered across all providers; past this the least recently used are forgotten. */
export const MAX_KEYS = 200;

export const KeyEventSchema = z.object({
  provider: ProviderIdSchema,
  key_id: z.string().check(z.regex(/^key_[0-9a-f]{4}(_\d{1,3})?$/)),
  at: z.number().check(z.nonnegative()),
  outcome: z.enum(["ok", "rate_limited", "quota", "refused", "error", "cleared"]),
  http_status: z.nullable(z.int()),
  cooldown_until: z.nullable(z.number().check(z.nonnegative())),
  error: z.nullable(z.string().check(z.maxLength(500))),
});

export function keyStatsKey(provider: ProviderId, keyId: string): string {
  return `${provider}/${keyId}`;
}

export function newKeyStats(provider: ProviderId, keyId: string): KeyStats {
  return {
    provider,
    key_id: keyId,
    state: "active",
    cooldown_until: null,
    refused_at: null,
    cleared_at: null,
    requests: 0,
    failures: 0,
    rate_limited: 0,
    last_status: null,
    last_error: null,
    last_used_at: null,
  };
}

export function applyKeyEvent(prev: KeyStats, e: KeyEvent): KeyStats {
  const next: KeyStats = { ...prev };
  if (e.outcome === "cleared") {
    next.refused_at = null;
    next.cleared_at = e.at;
    return withState(next, e.at);
  }
  next.requests++;
  next.last_used_at = Math.max(prev.last_used_at ?? 0, e.at);
  next.last_status = e.http_status;
  if (e.outcome === "ok") return withState(next, e.at);
  next.failures++;
  next.last_error = e.error;
  if (e.outcome === "rate_limited" || e.outcome === "quota") {
    next.rate_limited++;
    next.cooldown_until = Math.max(prev.cooldown_until ?? 0, e.cooldown_until ?? e.at);
  }
  if (e.outcome === "refused") next.refused_at = e.at;
  return withState(next, e.at);
}

/** The state as of `now`: a cooldown that has passed reads as active. */
export function withState(s: KeyStats, now: number): KeyStats {
  const state =
    s.refused_at !== null ? "refused" : s.cooldown_until !== null && s.cooldown_until > now ? "cooling" : "active";
  return state === s.state ? s : { ...s, state };
}
