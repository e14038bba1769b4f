// A provider's key pool: its single key and its key list (`<P>_API_KEYS`, comma-separated, each optionally `key*weight`),
// each key known outside the Worker only by a masked id (`key_3f9a`): a short hash that tells keys apart and
// identifies none of them.
import { envValue, type ProviderSpec, parseKeyList } from "./spec.ts";

export { parseKeyList };

export interface PoolKey {
  /** Masked id: `key_` and four hex digits of a hash of the key (a suffix when two keys of a pool collide). */
  id: string;
  /** The key itself: sent upstream, never shown. */
  key: string;
  /** Share of requests relative to the pool's other keys; 0 is a standby key, used only when the others are out. */
  weight: number;
}

/** FNV-1a over the key's UTF-16 units: 32 bits, of which the id shows 16 (no key can be told from them). */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function maskedKeyId(key: string): string {
  return `key_${(fnv1a(key) >>> 16).toString(16).padStart(4, "0")}`;
}

const pools = new WeakMap<object, Map<string, PoolKey[]>>();

/**
 * The provider's keys: the single key first (weight 1), then the list's, without repeats (a repeated key keeps its
 * first weight). Cached per env object: an isolate's env does not change between requests.
 */
export function keyPoolOf(spec: ProviderSpec, env: object): PoolKey[] {
  let byProvider = pools.get(env);
  if (byProvider === undefined) {
    byProvider = new Map();
    pools.set(env, byProvider);
  }
  const cached = byProvider.get(spec.id);
  if (cached !== undefined) return cached;
  const entries = [
    ...(spec.env.key === undefined ? [] : parseKeyList(envValue(env, spec.env.key))),
    ...(spec.env.keys === undefined ? [] : parseKeyList(envValue(env, spec.env.keys))),
  ];
  const seen = new Set<string>();
  const ids = new Set<string>();
  const pool: PoolKey[] = [];
  for (const { key, weight } of entries) {
    if (seen.has(key)) continue;
    seen.add(key);
    let id = maskedKeyId(key);
    for (let n = 2; ids.has(id); n++) id = `${maskedKeyId(key)}_${n}`;
    ids.add(id);
    pool.push({ id, key, weight });
  }
  byProvider.set(spec.id, pool);
  return pool;
}
