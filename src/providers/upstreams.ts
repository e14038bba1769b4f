// Where each provider's calls go: the project's emulators, another local server, a remote API, or nowhere.
import { type ProviderId, ProviderIdSchema } from "../config/names.ts";
import type { Env } from "../env.ts";
import { adapterFor } from "./index.ts";

export type UpstreamKind = "emulator" | "local" | "remote";

export interface UpstreamInfo {
  provider: ProviderId;
  configured: boolean;
  /** Null when unconfigured. Only the kind is told, never the URL: a tunnel host is nobody's business. */
  upstream: UpstreamKind | null;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1", "0.0.0.0"]);

/**
 * The emulator's layout (test/emulators/README.md): `<origin>[/s/<session>]/<provider>[/v1]` on a loopback host. A real
 * local Ollama (`http://127.0.0.1:11434`) or a local proxy has another path, so it reads as "local", not "emulator".
 */
export function upstreamKind(provider: ProviderId, url: string): UpstreamKind {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "remote";
  }
  if (!LOOPBACK.has(parsed.hostname)) return "remote";
  const path = parsed.pathname.replace(/\/+$/, "");
  return new RegExp(`^(/s/[^/]+)?/${provider}(/v1)?(/|$)`).test(path) ? "emulator" : "local";
}

const cache = new WeakMap<object, UpstreamInfo[]>();

/** One entry per provider, cached per env object (an isolate's env does not change between requests). */
export function upstreams(env: Env): UpstreamInfo[] {
  const cached = cache.get(env);
  if (cached) return cached;
  const out = ProviderIdSchema.options.map((provider): UpstreamInfo => {
    const adapter = adapterFor(provider);
    if (!adapter.configured(env)) return { provider, configured: false, upstream: null };
    // The probe URL is the configured base URL joined with a listing path; its headers (keys) are dropped here.
    return { provider, configured: true, upstream: upstreamKind(provider, adapter.probeRequest(env).url) };
  });
  cache.set(env, out);
  return out;
}

/** True when at least one provider is configured and every configured one is the project's emulator. */
export function allEmulated(list: UpstreamInfo[]): boolean {
  const configured = list.filter((u) => u.configured);
  return configured.length > 0 && configured.every((u) => u.upstream === "emulator");
}
