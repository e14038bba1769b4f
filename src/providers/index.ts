// The typed registry of provider adapters: a missing or misspelt provider does not compile. Every adapter handed out
// here is guarded: whatever error it makes passes the one redaction (./redact.ts) before it leaves.
import type { ProviderId } from "../config/schema.ts";
import { ProviderError } from "../core/errors.ts";
import type { ProviderAdapter } from "./adapter.ts";
import { anthropicAdapter } from "./anthropic/adapter.ts";
import { mistralAdapter } from "./mistral.ts";
import { ollamaAdapter } from "./ollama/adapter.ts";
import { openaiAdapter } from "./openai.ts";
import { type Redactor, redactError, redactorFor } from "./redact.ts";
import type { ProviderSpec } from "./spec.ts";
import type { ProviderEnv } from "./specs.ts";
import { SPEC_LIST } from "./specs.ts";
import { togetherAdapter } from "./together.ts";

export { PROVIDER_SPECS, SPEC_LIST, specOf } from "./specs.ts";

export const ADAPTERS = {
  openai: openaiAdapter,
  anthropic: anthropicAdapter,
  mistral: mistralAdapter,
  together: togetherAdapter,
  ollama: ollamaAdapter,
} as const satisfies Record<ProviderId, ProviderAdapter>;

/** The redactor for an env: its configured secrets and every registered provider's key shapes. */
export function redactorOf(env: object, specs: readonly ProviderSpec[] = SPEC_LIST): Redactor {
  return redactorFor(env, specs);
}

/** Redacts one message for an env (health output, logs). */
export function redact(message: string, env: object): string {
  return redactorOf(env)(message);
}

const rethrow = (err: unknown, env: ProviderEnv, specs: readonly ProviderSpec[]): never => {
  throw err instanceof ProviderError ? redactError(err, redactorFor(env, specs)) : err;
};

/**
 * Wraps an adapter so every error it makes is redacted: an error answer's body before it is read (so an excerpt
 * never cuts a secret in two), the error after; errors thrown while reading an answer or a stream likewise.
 */
export function guardAdapter(adapter: ProviderAdapter, specs: readonly ProviderSpec[] = SPEC_LIST): ProviderAdapter {
  return {
    ...adapter,
    parseChatResponse(json, ctx) {
      try {
        return adapter.parseChatResponse(json, ctx);
      } catch (err) {
        return rethrow(err, ctx.env, specs);
      }
    },
    streamDecoder(ctx) {
      const decode = adapter.streamDecoder(ctx);
      return (message, out) => {
        try {
          decode(message, out);
        } catch (err) {
          rethrow(err, ctx.env, specs);
        }
      };
    },
    parseError(status, headers, body, now, env) {
      const redact = redactorFor(env, specs);
      return redactError(adapter.parseError(status, headers, redact(body), now, env), redact);
    },
  };
}

const guarded: Partial<Record<ProviderId, ProviderAdapter>> = {};

export function adapterFor(provider: ProviderId): ProviderAdapter {
  guarded[provider] ??= guardAdapter(ADAPTERS[provider]);
  return guarded[provider];
}
