// Vector arithmetic the embeddings emulators share: base64 float32 (as OpenAI encodes it), shortening, one per input.

/** OpenAI's base64 encoding: the little-endian float32 bytes of the vector. */
export function toBase64(vector: readonly number[]): string {
  const bytes = new Uint8Array(vector.length * 4);
  const view = new DataView(bytes.buffer);
  for (const [i, value] of vector.entries()) view.setFloat32(i * 4, value, true);
  return Buffer.from(bytes).toString("base64");
}

export function fromBase64(text: string): number[] {
  const bytes = Buffer.from(text, "base64");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  for (let i = 0; i + 4 <= bytes.byteLength; i += 4) out.push(view.getFloat32(i, true));
  return out;
}

/** A recorded `embedding` field, float array or base64 string. */
export function vectorOf(embedding: unknown): number[] {
  if (typeof embedding === "string") return fromBase64(embedding);
  if (Array.isArray(embedding) && embedding.every((v) => typeof v === "number")) return embedding;
  throw new Error("recorded embedding is neither a float array nor base64");
}

/** What `dimensions` does at OpenAI and Ollama: keep the first N values and scale back to unit length. */
export function shorten(vector: readonly number[], dimensions: number): number[] {
  const head = vector.slice(0, dimensions);
  const norm = Math.hypot(...head);
  return norm === 0 ? head : head.map((v) => v / norm);
}

/**
 * One vector per input. The recordings hold one answer to one input, so input i > 0 gets the recorded vector
 * rotated by i places: the same length and norm, but a different vector, so a client that mixes up the order fails.
 */
export function vectorsFor(recorded: readonly (readonly number[])[], count: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < count; i++) {
    const base = recorded[i % recorded.length] ?? [];
    const shift = Math.floor(i / recorded.length) % Math.max(base.length, 1);
    out.push([...base.slice(shift), ...base.slice(0, shift)]);
  }
  return out;
}

/** How many vectors `input` asks for: a string, an array of strings, a token array, or an array of token arrays. */
export function inputCount(input: unknown): number | undefined {
  if (typeof input === "string") return 1;
  if (!Array.isArray(input) || input.length === 0) return undefined;
  if (input.every((v) => typeof v === "string")) return input.length;
  if (input.every((v) => typeof v === "number")) return 1;
  if (input.every((v) => Array.isArray(v) && v.every((t) => typeof t === "number"))) return input.length;
  return undefined;
}

/** A stand-in token count (about four characters a token) for inputs no recording covers. */
export function estimateTokens(input: unknown): number {
  const texts = typeof input === "string" ? [input] : Array.isArray(input) ? input : [];
  let tokens = 0;
  for (const t of texts)
    tokens += typeof t === "string" ? Math.max(1, Math.ceil(t.length / 4)) : Array.isArray(t) ? t.length : 1;
  return tokens;
}
