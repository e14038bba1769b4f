// Canonical embedding request and result: texts in, one float vector per text out, with the tokens they cost.

export interface EmbeddingRequest {
  /** One vector is asked for each text, in order. */
  input: string[];
  /** Shorten the vectors to this many dimensions (models that support it). */
  dimensions?: number;
  user?: string;
}

export interface EmbeddingResult {
  /** The model name the provider reported. */
  model: string;
  vectors: number[][];
  /** Input tokens the provider counted; null when it did not say. */
  input_tokens: number | null;
}
