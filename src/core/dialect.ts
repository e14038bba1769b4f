// The APIs a client may speak to Switchyard; each is a codec in src/dialects/<dialect> over the one canonical core.
export const DIALECTS = ["chat", "responses", "messages", "embeddings"] as const;
export type Dialect = (typeof DIALECTS)[number];
