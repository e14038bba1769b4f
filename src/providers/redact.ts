// The one redaction of provider errors: every configured secret value and every provider's key shapes are replaced
// where a provider's answer becomes a ProviderError, so no secret reaches a caller, D1, the stats object or a log.
import { ProviderError } from "../core/errors.ts";
import { envValue, type ProviderSpec, secretValuesOf } from "./spec.ts";

/** Secrets of the gateway itself, declared by no provider. */
export const GATEWAY_SECRET_VARS = ["ADMIN_KEY"] as const;

export const REDACTED = "[redacted]";

/** Shorter values are not credentials, and replacing them would shred ordinary words. */
const MIN_SECRET_LENGTH = 6;

/** Credentials however an upstream or a proxy quotes them: a header, a query parameter, a JSON field. */
const QUOTED_CREDENTIALS: readonly [RegExp, string][] = [
  [/\b(Bearer|Basic)\s+(?!\[redacted\])[^\s"',;)<>\\]+/gi, `$1 ${REDACTED}`],
  [
    /\b(x-api-key|api[_-]?key|access[_-]?token|client[_-]?secret|cf-access-client-(?:id|secret)|secret)(["']?\s*[:=]\s*["']?)(?!\[redacted\])[^\s"',;&<>\\]+/gi,
    `$1$2${REDACTED}`,
  ],
  [/\bkey[_-][A-Za-z0-9_*-]{8,}/g, REDACTED],
];

/**
 * URLs of private networks (loopback, RFC 1918, link-local, *.internal, *.local): an upstream's own topology, which a
 * proxy's error page likes to print. The caller learns nothing from it and an attacker a lot.
 */
const INTERNAL_URL =
  /\b[a-z][a-z0-9+.-]*:\/\/(?:[^\s/@"'<>]*@)?(?:localhost|127(?:\.\d{1,3}){3}|10(?:\.\d{1,3}){3}|192\.168(?:\.\d{1,3}){2}|172\.(?:1[6-9]|2\d|3[01])(?:\.\d{1,3}){2}|169\.254(?:\.\d{1,3}){2}|\[[0-9a-f:.]+\]|[a-z0-9.-]+\.(?:internal|local|lan|corp|intranet|home\.arpa))(?::\d+)?[^\s"'<>)\\]*/gi;

export type Redactor = (text: string) => string;

/** A redactor for one env: its configured secret values (longest first), then every provider's key shapes. */
export function redactorFor(env: object, specs: readonly ProviderSpec[]): Redactor {
  const values = new Set<string>();
  for (const spec of specs) for (const value of secretValuesOf(spec, env)) values.add(value);
  for (const name of GATEWAY_SECRET_VARS) {
    const value = envValue(env, name);
    if (value !== undefined) values.add(value);
  }
  const secrets = [...values].filter((v) => v.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
  const patterns = specs.flatMap((spec) => spec.keyPatterns).map((p) => new RegExp(p.source, globalFlags(p.flags)));
  return (text) => {
    let out = text;
    for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    out = out.replace(INTERNAL_URL, "[internal URL]");
    for (const [pattern, replacement] of QUOTED_CREDENTIALS) out = out.replace(pattern, replacement);
    for (const pattern of patterns) out = out.replace(pattern, REDACTED);
    return out;
  };
}

const globalFlags = (flags: string) => (flags.includes("g") ? flags : `${flags}g`);

/** The same error with its message and code redacted; the error itself when there was nothing to redact. */
export function redactError(err: ProviderError, redact: Redactor): ProviderError {
  const message = redact(err.message);
  const code = err.code === null ? null : redact(err.code);
  if (message === err.message && code === err.code) return err;
  return new ProviderError({
    kind: err.kind,
    provider: err.provider,
    message,
    status: err.status,
    code,
    retryAfterMs: err.retryAfterMs,
    retryable: err.retryable,
  });
}
