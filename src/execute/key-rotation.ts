// Key pools at the wire: each upstream call of a provider with two or more keys goes out with a key chosen by weight
// among those not cooling down or refused; a 429, a quota error, a 401 or a 402 from one key moves the same call to
// the next key at once. The walker sees one attempt, so rotation never spends its retry budget; only when every key
// has refused does the answer reach it (and it retries, backs off or falls back as for any provider).
import type { ProviderId } from "../config/schema.ts";
import { parseRetryAfter } from "../core/errors.ts";
import { redactorOf, SPEC_LIST } from "../providers/index.ts";
import { keyPoolOf, type PoolKey } from "../providers/key-pool.ts";
import type { ProviderSpec } from "../providers/spec.ts";
import { type KeyEvent, type KeyStats, keyStatsKey } from "../stats/key-health.ts";
import type { StatsSnapshot } from "../stats/snapshot.ts";
import type { ExecDeps } from "./deps.ts";

/** A 429 without Retry-After rests the key this long. */
export const DEFAULT_COOLDOWN_MS = 30_000;
/** Out of quota (402, insufficient_quota): credit rarely comes back within minutes. */
export const QUOTA_COOLDOWN_MS = 15 * 60_000;
/** No Retry-After is honoured past this: a key is not parked for hours on one answer. */
export const MAX_COOLDOWN_MS = 60 * 60_000;

type Verdict = KeyEvent["outcome"];

interface Local {
  cooldown_until: number;
  refused_at: number | null;
}

interface Pooled {
  spec: ProviderSpec<ProviderId>;
  pool: PoolKey[];
}

/** Where a provider's key travels in the adapter's request: which header, after which prefix. */
interface Placement extends Pooled {
  header: string;
  prefix: string;
}

/**
 * The pooled provider whose first key (the one every adapter sends: apiKeysOf()[0]) is in these headers, as a bare
 * value (x-api-key) or a bearer token.
 */
function placeIn(pooled: Pooled[], headers: Record<string, string>): Placement | null {
  for (const p of pooled) {
    const first = p.pool[0]?.key;
    if (first === undefined) continue;
    for (const [header, value] of Object.entries(headers)) {
      if (value === first) return { ...p, header, prefix: "" };
      if (value === `Bearer ${first}`) return { ...p, header, prefix: "Bearer " };
    }
  }
  return null;
}

/**
 * One per isolate. What this isolate learned (a cooldown, a refusal) applies to its next call at once; the stats
 * object spreads it to the others through the snapshot, and its word wins for refusals the sweep has cleared.
 */
export class KeyRotation {
  readonly #local = new Map<string, Local>();
  readonly #now: () => number;
  readonly #random: () => number;

  constructor(now: () => number, random: () => number) {
    this.#now = now;
    this.#random = random;
  }

  /** The key's effective health now: the snapshot's, with what this isolate saw since. */
  health(provider: ProviderId, key: PoolKey, snapshot: StatsSnapshot): { cooling_until: number; refused: boolean } {
    const shared: KeyStats | undefined = snapshot.keys?.[keyStatsKey(provider, key.id)];
    const local = this.#local.get(keyStatsKey(provider, key.id));
    const clearedAt = shared?.cleared_at ?? 0;
    const refused = shared?.refused_at != null || (local?.refused_at != null && local.refused_at > clearedAt);
    return { cooling_until: Math.max(shared?.cooldown_until ?? 0, local?.cooldown_until ?? 0), refused };
  }

  /**
   * A weighted pick among the usable keys not yet tried in this call; when none is usable and nothing has been tried,
   * the key free soonest (never a refused one unless all are): a call is not refused blind.
   */
  choose(provider: ProviderId, pool: PoolKey[], snapshot: StatsSnapshot, tried: Set<string>): PoolKey | null {
    const now = this.#now();
    const open = pool.filter((k) => !tried.has(k.id));
    const usable = open.filter((k) => {
      const h = this.health(provider, k, snapshot);
      return !h.refused && h.cooling_until <= now;
    });
    if (usable.length > 0) {
      const weighted = usable.filter((k) => k.weight > 0);
      const from = weighted.length > 0 ? weighted : usable;
      const total = from.reduce((sum, k) => sum + (k.weight > 0 ? k.weight : 1), 0);
      let r = this.#random() * total;
      for (const k of from) {
        r -= k.weight > 0 ? k.weight : 1;
        if (r < 0) return k;
      }
      return from[from.length - 1] ?? null;
    }
    if (tried.size > 0 || open.length === 0) return null;
    const ranked = open
      .map((k) => ({ k, h: this.health(provider, k, snapshot) }))
      .sort((a, b) => Number(a.h.refused) - Number(b.h.refused) || a.h.cooling_until - b.h.cooling_until);
    return ranked[0]?.k ?? null;
  }

  /**
   * Whether every key of the provider's pool in `env` rests (cooling down after a 429 or out of quota, or refused):
   * then a call would only meet another refusal, and the candidate is skipped. `until` is when the first cooling key
   * is free again (null when only the sweep can clear them). Null when a key is usable or the provider is not pooled.
   */
  resting(provider: ProviderId, env: object, snapshot: StatsSnapshot): { until: number | null } | null {
    const pool = placementsOf(env).find((p) => p.spec.id === provider)?.pool;
    if (pool === undefined) return null;
    const now = this.#now();
    let until: number | null = null;
    for (const k of pool) {
      const h = this.health(provider, k, snapshot);
      if (h.refused) continue;
      if (h.cooling_until <= now) return null;
      until = until === null ? h.cooling_until : Math.min(until, h.cooling_until);
    }
    return { until };
  }

  note(event: KeyEvent): void {
    const id = keyStatsKey(event.provider, event.key_id);
    const local = this.#local.get(id) ?? { cooldown_until: 0, refused_at: null };
    if (event.outcome === "refused") local.refused_at = event.at;
    if (event.outcome === "cleared") local.refused_at = null;
    if (event.cooldown_until !== null) local.cooldown_until = Math.max(local.cooldown_until, event.cooldown_until);
    this.#local.set(id, local);
  }

  /**
   * A fetch that rotates the keys of every pooled provider in `env`; other calls pass through untouched. `record`
   * receives each call's per-key outcome (for the stats object).
   */
  fetchFor(
    env: object,
    base: typeof fetch,
    snapshot: StatsSnapshot,
    record: (events: KeyEvent[]) => void,
  ): typeof fetch {
    const placements = placementsOf(env);
    if (placements.length === 0) return base;
    const redact = redactorOf(env);
    return async (input, init) => {
      const headers = { ...((init?.headers ?? {}) as Record<string, string>) };
      const placed = placeIn(placements, headers);
      if (placed === null) return base(input, init);
      const provider = placed.spec.id;
      const tried = new Set<string>();
      const events: KeyEvent[] = [];
      try {
        for (;;) {
          const key = this.choose(provider, placed.pool, snapshot, tried);
          // Only after a first try can nothing be left, and then the loop has already returned.
          if (key === null) return base(input, init);
          tried.add(key.id);
          const at = this.#now();
          let response: Response;
          try {
            response = await base(input, {
              ...init,
              headers: { ...headers, [placed.header]: `${placed.prefix}${key.key}` },
            });
          } catch (err) {
            events.push(event(provider, key, at, "error", null, null, redact(String(err))));
            throw err;
          }
          const seen = await verdictOf(response, at);
          const e = event(
            provider,
            key,
            at,
            seen.verdict,
            response.status,
            seen.cooldownUntil,
            seen.error && redact(seen.error),
          );
          events.push(e);
          this.note(e);
          const rotates = seen.verdict === "rate_limited" || seen.verdict === "quota" || seen.verdict === "refused";
          // The next key, if any is left; otherwise this answer goes to the walker as it came.
          if (!rotates || this.choose(provider, placed.pool, snapshot, tried) === null) return seen.response;
          await seen.response.body?.cancel().catch(() => undefined);
        }
      } finally {
        record(events);
      }
    };
  }
}

function event(
  provider: ProviderId,
  key: PoolKey,
  at: number,
  outcome: Verdict,
  status: number | null,
  cooldownUntil: number | null,
  error: string | null,
): KeyEvent {
  return { provider, key_id: key.id, at, outcome, http_status: status, cooldown_until: cooldownUntil, error };
}

/** What one answer says about its key. A refusal's body is read (for insufficient_quota) and handed on intact. */
async function verdictOf(
  response: Response,
  at: number,
): Promise<{ verdict: Verdict; response: Response; cooldownUntil: number | null; error: string | null }> {
  const { status } = response;
  if (response.ok) return { verdict: "ok", response, cooldownUntil: null, error: null };
  // Anthropic answers an account out of credit with a 400 ("Your credit balance is too low …"), so a 400's body is
  // read too: that key is out of quota, the request is not at fault.
  if (status !== 400 && status !== 401 && status !== 402 && status !== 429) {
    return { verdict: "error", response, cooldownUntil: null, error: `HTTP ${status}` };
  }
  const text = await response.text().catch(() => "");
  const copy = new Response(text, { status, statusText: response.statusText, headers: response.headers });
  if (status === 401)
    return { verdict: "refused", response: copy, cooldownUntil: null, error: "HTTP 401: key refused" };
  const quota = status === 402 || /insufficient_quota|exceeded your current quota|credit balance/i.test(text);
  if (status === 400 && !quota) return { verdict: "error", response: copy, cooldownUntil: null, error: "HTTP 400" };
  const wait = parseRetryAfter(response.headers, at);
  const rest = Math.min(MAX_COOLDOWN_MS, wait ?? (quota ? QUOTA_COOLDOWN_MS : DEFAULT_COOLDOWN_MS));
  return {
    verdict: quota ? "quota" : "rate_limited",
    response: copy,
    cooldownUntil: at + rest,
    error: quota ? `HTTP ${status}: out of quota` : "HTTP 429: rate limited",
  };
}

const placementCache = new WeakMap<object, Pooled[]>();

/** The pooled providers (two or more keys) of an env. */
function placementsOf(env: object): Pooled[] {
  const cached = placementCache.get(env);
  if (cached !== undefined) return cached;
  const out: Pooled[] = [];
  for (const spec of SPEC_LIST) {
    if (spec.requires !== "key") continue;
    const pool = keyPoolOf(spec, env);
    if (pool.length >= 2) out.push({ spec, pool });
  }
  placementCache.set(env, out);
  return out;
}

/** Every pooled key of an env, per provider (the health view and the sweep read them). */
export function pooledKeys(env: object): { provider: ProviderId; pool: PoolKey[] }[] {
  return placementsOf(env).map((p) => ({ provider: p.spec.id, pool: p.pool }));
}

/** The isolate's rotation: what it learns about a key lasts as long as the isolate. */
export const KEY_ROTATION = new KeyRotation(
  () => Date.now(),
  () => Math.random(),
);

/** The walker's deps with a fetch that rotates pooled keys; `record` gets each call's per-key outcomes. */
export function rotatingDeps(
  deps: ExecDeps,
  env: object,
  snapshot: StatsSnapshot,
  record: (events: KeyEvent[]) => void,
  rotation: KeyRotation = KEY_ROTATION,
): ExecDeps {
  const fetch = rotation.fetchFor(env, deps.fetch, snapshot, record);
  return fetch === deps.fetch ? deps : { ...deps, fetch };
}
