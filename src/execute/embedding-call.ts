// An embeddings call presented as the adapter the plan walker drives, so embeddings get the same retries, clocks,
// circuits, key handling and fallback as chat, not a copy of them. One per request: it keeps the vectors it read.
import type { ProviderId } from "../config/schema.ts";
import type { EmbeddingRequest, EmbeddingResult } from "../core/embeddings.ts";
import { ProviderError } from "../core/errors.ts";
import type { ProviderAdapter } from "../providers/adapter.ts";
import type { EmbeddingAdapter } from "../providers/embedding-adapter.ts";

export interface EmbeddingCall {
  adapterFor: (provider: ProviderId) => ProviderAdapter;
  /** The vectors of the attempt that answered (null until one did). */
  result: () => EmbeddingResult | null;
}

export function embeddingCall(
  request: EmbeddingRequest,
  chatAdapterFor: (provider: ProviderId) => ProviderAdapter,
  embeddingAdapterFor: (provider: ProviderId) => EmbeddingAdapter | null,
): EmbeddingCall {
  let answered: EmbeddingResult | null = null;
  const cache = new Map<ProviderId, ProviderAdapter>();
  const wrap = (provider: ProviderId): ProviderAdapter => {
    const chat = chatAdapterFor(provider);
    const embed = embeddingAdapterFor(provider);
    return {
      ...chat,
      buildChatRequest(_req, target, ctx) {
        if (embed === null)
          throw new ProviderError({ kind: "invalid_request", provider, message: `${provider} serves no embeddings` });
        return embed.buildEmbeddingRequest(request, target, ctx);
      },
      parseChatResponse(json) {
        if (embed === null) throw new ProviderError({ kind: "invalid_request", provider, message: "no embeddings" });
        const result = embed.parseEmbeddingResponse(json, request.input.length);
        answered = result;
        // What the walker and the ledger read: the tokens billed (at the input price), no output.
        return {
          model: result.model,
          content: null,
          tool_calls: [],
          finish_reason: "stop",
          usage:
            result.input_tokens === null
              ? null
              : { input_tokens: result.input_tokens, output_tokens: 0, cached_input_tokens: 0, cache_write_tokens: 0 },
        };
      },
      // Embeddings never stream; the walker only streams when asked to.
      streamDecoder() {
        throw new ProviderError({ kind: "invalid_request", provider, message: "embeddings do not stream" });
      },
    };
  };
  return {
    adapterFor: (provider) => {
      let adapter = cache.get(provider);
      if (adapter === undefined) {
        adapter = wrap(provider);
        cache.set(provider, adapter);
      }
      return adapter;
    },
    result: () => answered,
  };
}
