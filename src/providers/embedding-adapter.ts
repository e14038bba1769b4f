// The interface of a provider's embeddings call: canonical embedding request in, wire request out; wire answer back.
// Errors, keys and configuration are the provider's chat adapter's (one provider, one way to fail).
import type { ProviderId } from "../config/schema.ts";
import type { EmbeddingRequest, EmbeddingResult } from "../core/embeddings.ts";
import type { AdapterContext, BuiltRequest, ModelTarget } from "./adapter.ts";

export interface EmbeddingAdapter {
  readonly id: ProviderId;
  /** Throws ProviderError (invalid_request) for a request this provider cannot carry (e.g. `dimensions`). */
  buildEmbeddingRequest(req: EmbeddingRequest, target: ModelTarget, ctx: AdapterContext): BuiltRequest;
  /** Reads the answer, one vector per input in input order; throws ProviderError (malformed) when it cannot. */
  parseEmbeddingResponse(json: unknown, expected: number): EmbeddingResult;
}
