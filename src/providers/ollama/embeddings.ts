// Ollama's native POST /api/embed: a list of inputs in, `embeddings` (one per input) and prompt_eval_count out.
import * as z from "zod/mini";
import { ProviderError } from "../../core/errors.ts";
import { joinUrl } from "../adapter.ts";
import type { EmbeddingAdapter } from "../embedding-adapter.ts";
import { envValue } from "../spec.ts";
import { accessHeaders, ollamaSpec } from "./adapter.ts";

const EmbedResponseSchema = z.object({
  model: z.optional(z.string()),
  embeddings: z.array(z.array(z.number())),
  prompt_eval_count: z.optional(z.int().check(z.nonnegative())),
});

export const ollamaEmbeddings: EmbeddingAdapter = {
  id: "ollama",
  buildEmbeddingRequest(req, target, ctx) {
    const body: Record<string, unknown> = { model: target.upstreamId, input: req.input };
    // Ollama truncates and renormalises, as OpenAI's text-embedding-3 models do.
    if (req.dimensions !== undefined) body.dimensions = req.dimensions;
    return {
      request: {
        url: joinUrl(envValue(ctx.env, ollamaSpec.env.baseUrl) ?? "", "api/embed"),
        headers: { "content-type": "application/json", ...accessHeaders(ctx.env) },
        body,
      },
      warnings: req.user === undefined ? [] : [`ollama does not take "user"; it was not sent`],
    };
  },
  parseEmbeddingResponse(json, expected) {
    const parsed = EmbedResponseSchema.safeParse(json);
    if (!parsed.success)
      throw new ProviderError({
        kind: "malformed",
        provider: "ollama",
        message: `unreadable embeddings: ${parsed.error.issues[0]?.message ?? "invalid"}`,
      });
    if (parsed.data.embeddings.length !== expected)
      throw new ProviderError({
        kind: "malformed",
        provider: "ollama",
        message: `asked for ${expected} embeddings, got ${parsed.data.embeddings.length}`,
      });
    return {
      model: parsed.data.model ?? "",
      vectors: parsed.data.embeddings,
      input_tokens: parsed.data.prompt_eval_count ?? null,
    };
  },
};
