// POST /v1/embeddings for every OpenAI-compatible API; OpenAI, Mistral and Together are configurations of it.
import * as z from "zod/mini";
import type { ProviderId } from "../../config/schema.ts";
import { ProviderError } from "../../core/errors.ts";
import { base64Float32 } from "../../core/float32-base64.ts";
import { joinUrl } from "../adapter.ts";
import type { EmbeddingAdapter } from "../embedding-adapter.ts";
import { apiKeysOf, baseUrlOf, type ProviderSpec } from "../spec.ts";
import type { ProviderEnv } from "../specs.ts";

/** Where a provider's embeddings API differs from OpenAI's. */
export interface EmbeddingQuirks {
  /** How vectors are shortened: OpenAI's `dimensions`, Mistral's `output_dimension`, or not at all (Together). */
  dimensionsField: "dimensions" | "output_dimension" | null;
  /** Whether the answer can come as base64 (a quarter of the bytes of JSON floats). */
  base64: boolean;
  /** Whether the end-user id (`user`) is accepted (Mistral refuses unknown fields with 422). */
  user: boolean;
}

const OPENAI_EMBEDDING_QUIRKS: EmbeddingQuirks = { dimensionsField: "dimensions", base64: true, user: true };

const EmbeddingsResponseSchema = z.object({
  model: z.optional(z.string()),
  data: z.array(
    z.object({ index: z.int().check(z.nonnegative()), embedding: z.union([z.array(z.number()), z.string()]) }),
  ),
  usage: z.nullish(z.object({ prompt_tokens: z.nullish(z.int().check(z.nonnegative())) })),
});

export function createOpenAICompatibleEmbeddings(config: {
  spec: ProviderSpec<ProviderId>;
  defaultBaseUrl: string;
  quirks?: Partial<EmbeddingQuirks>;
}): EmbeddingAdapter {
  const id = config.spec.id;
  const quirks = { ...OPENAI_EMBEDDING_QUIRKS, ...config.quirks };
  const base = (env: ProviderEnv) => baseUrlOf(config.spec, env, config.defaultBaseUrl);
  return {
    id,
    buildEmbeddingRequest(req, target, ctx) {
      const body: Record<string, unknown> = { model: target.upstreamId, input: req.input };
      if (quirks.base64) body.encoding_format = "base64";
      const warnings: string[] = [];
      if (req.dimensions !== undefined) {
        if (quirks.dimensionsField === null) {
          throw new ProviderError({
            kind: "invalid_request",
            provider: id,
            message: `${id} cannot shorten embeddings; "dimensions" needs a model that can`,
            param: "dimensions",
          });
        }
        body[quirks.dimensionsField] = req.dimensions;
      }
      if (req.user !== undefined) {
        if (quirks.user) body.user = req.user;
        else warnings.push(`${id} does not take "user"; it was not sent`);
      }
      return {
        request: {
          url: joinUrl(base(ctx.env), "embeddings"),
          headers: {
            authorization: `Bearer ${apiKeysOf(config.spec, ctx.env)[0] ?? ""}`,
            "content-type": "application/json",
            accept: "application/json",
          },
          body,
        },
        warnings,
      };
    },
    parseEmbeddingResponse(json, expected) {
      const parsed = EmbeddingsResponseSchema.safeParse(json);
      if (!parsed.success)
        throw malformed(id, `unreadable embeddings: ${parsed.error.issues[0]?.message ?? "invalid"}`);
      const vectors: number[][] = [];
      let float32 = true;
      for (const item of parsed.data.data) {
        if (typeof item.embedding !== "string") float32 = false;
        try {
          vectors[item.index] = typeof item.embedding === "string" ? base64Float32(item.embedding) : item.embedding;
        } catch {
          throw malformed(id, `embedding ${item.index} is not valid base64`);
        }
      }
      // Every input once: a repeated or missing index leaves a hole, which `some` would skip.
      let whole = vectors.length === expected;
      for (let i = 0; whole && i < expected; i++) whole = vectors[i] !== undefined;
      if (!whole) throw malformed(id, `asked for ${expected} embeddings, got ${parsed.data.data.length}`);
      return {
        model: parsed.data.model ?? "",
        vectors,
        float32,
        input_tokens: parsed.data.usage?.prompt_tokens ?? null,
      };
    },
  };
}

function malformed(provider: ProviderId, message: string): ProviderError {
  return new ProviderError({ kind: "malformed", provider, message });
}
