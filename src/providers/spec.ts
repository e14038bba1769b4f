// What each provider declares about itself: its id, its env variables, which of them are secrets, what it can do.
// Env typing (src/env.ts), secret redaction (./redact.ts), health reporting and the tests' provider lists derive from
// the declarations; nothing else keeps a list of provider variables.
import type { WireFormat } from "../streams/wire-messages.ts";

export interface ProviderEnvVars {
  /** One API key (`<P>_API_KEY`); absent for providers reached without a key (Ollama). */
  readonly key?: string;
  /** Several API keys (`<P>_API_KEYS`), a comma list, each optionally `key*weight`, for capacity across keys. */
  readonly keys?: string;
  /** Where the API lives; the default is the provider's public endpoint. */
  readonly baseUrl: string;
  /** Anything else the adapter reads (Ollama's Cloudflare Access service token). */
  readonly extra?: readonly string[];
}

export interface ProviderCapabilities {
  /** How a streamed answer is framed. */
  readonly streamFormat: WireFormat;
  /** Runs on the operator's own hardware: free, preferred by prefer_local, and its models are what is installed. */
  readonly local: boolean;
  /**
   * Takes OpenAI's `service_tier` (flex, priority): sent as asked, and priced at the registry's multipliers. A
   * provider without it is not sent the field, and the call is billed at standard prices.
   */
  readonly serviceTiers: boolean;
}

export interface ProviderSpec<Id extends string = string> {
  readonly id: Id;
  readonly env: ProviderEnvVars;
  /** The variables whose values must never leave the Worker (redacted from every error, log and page). */
  readonly secrets: readonly string[];
  /** What makes the provider callable: a key (or key list), or only a base URL (a self-hosted endpoint). */
  readonly requires: "key" | "base_url";
  /** Shapes of this provider's credentials, redacted wherever they appear even when not configured here. */
  readonly keyPatterns: readonly RegExp[];
  readonly capabilities: ProviderCapabilities;
}

/** A registry of declarations keyed by id. */
export type SpecRegistry = Readonly<Record<string, ProviderSpec>>;

type VarsOfEnv<E extends ProviderEnvVars> =
  | (E["key"] extends string ? E["key"] : never)
  | (E["keys"] extends string ? E["keys"] : never)
  | E["baseUrl"]
  | (E["extra"] extends readonly (infer X)[] ? X : never);

/** Every env variable name a registry declares. */
export type EnvVarOf<R extends SpecRegistry> = { [Id in keyof R]: VarsOfEnv<R[Id]["env"]> }[keyof R] & string;

/** The env an adapter reads, typed from the declarations: one optional string per declared variable. */
export type ProviderEnvOf<R extends SpecRegistry> = { [Name in EnvVarOf<R>]?: string };

/** Reads one declared variable. Env objects carry bindings too, so the lookup is by name over the whole object. */
export function envValue(env: object, name: string): string | undefined {
  const value = (env as Readonly<Record<string, unknown>>)[name];
  return typeof value === "string" ? value : undefined;
}

/**
 * Entries of a key list: `key` or `key*weight`, separated by commas or whitespace (`key * 2` too). No provider's key
 * holds a `*`: what follows the last one is the weight, never part of the key, and a weight that is not a number
 * (`*abc`) or is negative counts as 1.
 */
export function parseKeyList(value: string | undefined): { key: string; weight: number }[] {
  const out: { key: string; weight: number }[] = [];
  for (const entry of (value ?? "").replace(/\s*\*\s*/g, "*").split(/[\s,]+/)) {
    const star = entry.lastIndexOf("*");
    const key = star === -1 ? entry : entry.slice(0, star);
    if (key === "") continue;
    const weight = star === -1 || entry.slice(star + 1) === "" ? 1 : Number(entry.slice(star + 1));
    out.push({ key, weight: Number.isFinite(weight) && weight >= 0 ? weight : 1 });
  }
  return out;
}

/** A key list's keys, without their weights. */
export function splitKeyList(value: string | undefined): string[] {
  return parseKeyList(value).map((e) => e.key);
}

/** The API keys configured for a provider: its single key first, then the key list's, without repeats. */
export function apiKeysOf(spec: ProviderSpec, env: object): readonly string[] {
  // Asked several times a request (is it configured, which key to send) of variables that do not change: the last
  // answer per provider is kept while its two variables are the same strings.
  const rawOne = spec.env.key === undefined ? undefined : envValue(env, spec.env.key);
  const rawList = spec.env.keys === undefined ? undefined : envValue(env, spec.env.keys);
  const last = lastKeys.get(spec);
  if (last !== undefined && last.one === rawOne && last.list === rawList) return last.keys;
  const keys = Object.freeze([...new Set([...splitKeyList(rawOne), ...splitKeyList(rawList)])]);
  lastKeys.set(spec, { one: rawOne, list: rawList, keys });
  return keys;
}

const lastKeys = new WeakMap<
  ProviderSpec,
  { one: string | undefined; list: string | undefined; keys: readonly string[] }
>();

/**
 * Has what it needs to be called: a key (or a key list), or for a self-hosted provider a base URL; and a base URL that
 * is set is an http(s) URL (`localhost:11434` without its scheme could never be called: the provider is unconfigured,
 * never tried, rather than tried and failed on every request).
 */
export function isConfigured(spec: ProviderSpec, env: object): boolean {
  const base = setBaseUrl(spec, env);
  if (base !== undefined && !isHttpUrl(base)) return false;
  if (spec.requires === "base_url") return base !== undefined;
  return apiKeysOf(spec, env).length > 0;
}

/** The base URL: the configured one, or the provider's own host when it is unset or blank. */
export function baseUrlOf(spec: ProviderSpec, env: object, fallback: string): string {
  return setBaseUrl(spec, env) ?? fallback;
}

function setBaseUrl(spec: ProviderSpec, env: object): string | undefined {
  const value = envValue(env, spec.env.baseUrl)?.trim();
  return value === undefined || value === "" ? undefined : value;
}

/** Base URLs already checked (a deployment has a handful; asked several times a request). */
const checkedUrls = new Map<string, boolean>();

export function isHttpUrl(value: string): boolean {
  let ok = checkedUrls.get(value);
  if (ok === undefined) {
    ok = URL.canParse(value) && /^https?:$/.test(new URL(value).protocol);
    if (checkedUrls.size < 64) checkedUrls.set(value, ok);
  }
  return ok;
}

/** The secret values configured for one provider: each secret variable, key lists split into their keys. */
export function secretValuesOf(spec: ProviderSpec, env: object): string[] {
  const out: string[] = [];
  for (const name of spec.secrets) {
    const value = envValue(env, name);
    if (value === undefined) continue;
    out.push(value, ...(name === spec.env.keys ? splitKeyList(value) : []));
  }
  return out;
}
