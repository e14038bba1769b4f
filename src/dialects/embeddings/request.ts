// The embeddings dialect's request: OpenAI's Embeddings body (plus Switchyard's `router` and `models`) as zod, and
// its conversion to the canonical embedding request.
import * as z from "zod";
import type { EmbeddingRequest } from "../../core/embeddings.ts";
import { GatewayError } from "../../core/gateway-error.ts";
import { modelNameSchema } from "../../core/model-name.ts";
import { RouterControlsSchema } from "../../core/router-controls.ts";
import { parseOrThrow } from "../../core/validate.ts";

export const EmbeddingsRequestSchema = z.object({
  model: modelNameSchema("model is required"),
  models: z.array(modelNameSchema()).min(1).max(10).optional(),
  input: z.union([
    z.string().min(1, "input must not be empty"),
    z.array(z.string().min(1, "input must not hold empty strings")).min(1, "input must not be empty").max(2048),
  ]),
  encoding_format: z.enum(["float", "base64"]).optional(),
  dimensions: z.int().positive().optional(),
  user: z.string().max(256).optional(),
  router: RouterControlsSchema.optional(),
});
export type EmbeddingsRequest = z.infer<typeof EmbeddingsRequestSchema>;

export const KNOWN_FIELDS: ReadonlySet<string> = new Set(Object.keys(EmbeddingsRequestSchema.shape));

export function parseEmbeddingsBody(raw: unknown): EmbeddingsRequest {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    throw new GatewayError(400, "The request body must be a JSON object.", { code: "invalid_json" });
  const input = (raw as { input?: unknown }).input;
  if (Array.isArray(input) && input.some((v) => typeof v === "number" || Array.isArray(v))) {
    throw new GatewayError(400, "'input': token arrays are not supported by Switchyard; send the text", {
      param: "input",
      code: "invalid_value",
    });
  }
  return parseOrThrow(EmbeddingsRequestSchema, raw);
}

export function toCanonical(body: EmbeddingsRequest): EmbeddingRequest {
  const request: EmbeddingRequest = { input: typeof body.input === "string" ? [body.input] : body.input };
  if (body.dimensions !== undefined) request.dimensions = body.dimensions;
  if (body.user !== undefined) request.user = body.user;
  return request;
}
