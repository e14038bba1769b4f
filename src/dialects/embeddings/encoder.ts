// The embeddings dialect's encoder: OpenAI's list of embeddings, floats or base64 (little-endian float32).
import type { EmbeddingResult } from "../../core/embeddings.ts";
import { base64Float32, float32Base64, shortestFloat32 } from "../../core/float32-base64.ts";
import type { RouteReport } from "../../core/route-report.ts";

export { base64Float32, float32Base64 };

export function encodeEmbeddings(
  result: EmbeddingResult,
  format: "float" | "base64",
  promptTokens: number,
  route: RouteReport,
): Record<string, unknown> {
  return {
    object: "list",
    data: result.vectors.map((vector, index) => ({
      object: "embedding",
      index,
      embedding:
        format === "base64" ? float32Base64(vector) : result.float32 === true ? vector.map(shortestFloat32) : vector,
    })),
    model: result.model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
    x_router: route,
  };
}
