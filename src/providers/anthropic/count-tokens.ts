// Anthropic's POST /v1/messages/count_tokens: the Messages body without max_tokens in, {"input_tokens": N} out.
import * as z from "zod/mini";
import { ProviderError } from "../../core/errors.ts";
import type { ProviderEnv } from "../../env.ts";
import { joinUrl, type UpstreamRequest } from "../adapter.ts";
import { apiKeysOf, baseUrlOf } from "../spec.ts";
import { ANTHROPIC_VERSION, anthropicSpec } from "./adapter.ts";

/** Fields of a Messages body count_tokens does not take (it refuses unknown fields). */
const NOT_COUNTED = new Set(["max_tokens", "stream", "temperature", "top_p", "top_k", "stop_sequences", "metadata"]);

export function countTokensRequest(
  env: ProviderEnv,
  upstreamModel: string,
  body: Record<string, unknown>,
  allowed: ReadonlySet<string>,
  /** The caller's `anthropic-beta` names, sent on as on /v1/messages. */
  beta?: readonly string[],
): UpstreamRequest {
  const sent: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) if (allowed.has(key) && !NOT_COUNTED.has(key)) sent[key] = value;
  // Only the format counts (its schema is part of the prompt), as only it is sent with the message itself.
  if (sent.output_config !== undefined) {
    const format = (sent.output_config as { format?: unknown }).format;
    if (format == null) delete sent.output_config;
    else sent.output_config = { format };
  }
  sent.model = upstreamModel;
  return {
    url: joinUrl(baseUrlOf(anthropicSpec, env, "https://api.anthropic.com"), "v1/messages/count_tokens"),
    headers: {
      "x-api-key": apiKeysOf(anthropicSpec, env)[0] ?? "",
      "anthropic-version": ANTHROPIC_VERSION,
      "content-type": "application/json",
      ...(beta === undefined || beta.length === 0 ? {} : { "anthropic-beta": beta.join(",") }),
    },
    body: sent,
  };
}

const CountSchema = z.object({ input_tokens: z.int().check(z.nonnegative()) });

export function parseCountTokens(json: unknown): number {
  const parsed = CountSchema.safeParse(json);
  if (!parsed.success)
    throw new ProviderError({ kind: "malformed", provider: "anthropic", message: "unreadable count" });
  return parsed.data.input_tokens;
}
