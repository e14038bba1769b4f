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
  /**
   * Every vector came as float32 (OpenAI's base64): written as floats, each value is the shortest decimal that reads
   * back as that float32, as OpenAI's own float answer has it (`-0.014907048`, not its double's 17 digits).
   */
  float32?: boolean;
  /** Input tokens the provider counted; null when it did not say. */
  input_tokens: number | null;
}
