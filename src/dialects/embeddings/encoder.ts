// The embeddings dialect's encoder: OpenAI's list of embeddings, floats or base64 (little-endian float32).
import type { EmbeddingResult } from "../../core/embeddings.ts";
import type { RouteReport } from "../../core/route-report.ts";

/** OpenAI's base64 form: the vector's float32 bytes, little-endian, base64-encoded. */
export function float32Base64(vector: readonly number[]): string {
  const bytes = new Uint8Array(vector.length * 4);
  const view = new DataView(bytes.buffer);
  for (const [i, value] of vector.entries()) view.setFloat32(i * 4, value, true);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function base64Float32(text: string): number[] {
  const binary = atob(text);
  const view = new DataView(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) view.setUint8(i, binary.charCodeAt(i));
  const out: number[] = [];
  for (let i = 0; i + 4 <= binary.length; i += 4) out.push(view.getFloat32(i, true));
  return out;
}

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
      embedding: format === "base64" ? float32Base64(vector) : vector,
    })),
    model: result.model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
    x_router: route,
  };
}
