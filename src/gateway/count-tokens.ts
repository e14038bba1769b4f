// Counting a Messages request's input tokens: Anthropic's own count when the model is Anthropic's and Anthropic is
// configured (a free call), the gateway's estimator otherwise or when that call fails.
import type { RouterControls } from "../core/router-controls.ts";
import type { CanonicalRequest } from "../core/types.ts";
import { countTokensRequest, parseCountTokens } from "../providers/anthropic/count-tokens.ts";
import { adapterFor } from "../providers/index.ts";
import { estimatePromptTokens } from "../routing/tokens.ts";
import type { ChatScope } from "./prepare.ts";

export interface TokenCount {
  input_tokens: number;
  source: "anthropic" | "estimate";
}

export async function countTokens(
  scope: ChatScope,
  model: string,
  body: Record<string, unknown>,
  /** The body fields the dialect defines: only those are passed on (Switchyard's own, like `router`, are not). */
  fields: ReadonlySet<string>,
  request: CanonicalRequest,
  /** The caller's clocks, which may only tighten the configured ones (the count waits for the shortest). */
  asked: RouterControls["timeouts"] = undefined,
): Promise<TokenCount> {
  const ref = scope.registry.resolve(model);
  if (ref?.provider === "anthropic" && adapterFor("anthropic").configured(scope.env)) {
    const upstream = countTokensRequest(scope.env, ref.upstreamId, body, fields, request.anthropic_beta);
    const wait = Math.min(
      scope.services.config.fallback.timeouts.headers_ms,
      asked?.headers_ms ?? Number.POSITIVE_INFINITY,
      asked?.total_ms ?? Number.POSITIVE_INFINITY,
    );
    const timeout = AbortSignal.any([scope.signal, AbortSignal.timeout(wait)]);
    try {
      const res = await scope.services.deps.fetch(upstream.url, {
        method: "POST",
        headers: upstream.headers,
        body: JSON.stringify(upstream.body),
        signal: timeout,
      });
      if (res.ok) return { input_tokens: parseCountTokens(await res.json()), source: "anthropic" };
    } catch {
      // Unreachable, slow or unreadable: the estimate below still answers.
    }
  }
  return { input_tokens: estimatePromptTokens(request), source: "estimate" };
}
