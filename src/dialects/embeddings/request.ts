// The embeddings dialect's request: OpenAI's Embeddings body (plus Switchyard's `router` and `models`) as zod, and
// its conversion to the canonical embedding request.
import * as z from "zod/mini";
import type { EmbeddingRequest } from "../../core/embeddings.ts";
import { GatewayError } from "../../core/gateway-error.ts";
import { ModelsListSchema, modelFromModels, modelNameSchema } from "../../core/model-name.ts";
import { RouterControlsSchema } from "../../core/router-controls.ts";
import { parseOrThrow } from "../../core/validate.ts";

export const EmbeddingsRequestSchema = z.object({
  model: modelNameSchema("model is required"),
  models: z.optional(ModelsListSchema),
  input: z.union([
    z.string().check(z.minLength(1, "input must not be empty")),
    z
      .array(z.string().check(z.minLength(1, "input must not hold empty strings")))
      .check(z.minLength(1, "input must not be empty"), z.maxLength(2048)),
  ]),
  // null is "not set", as in chat.
  encoding_format: z.nullish(z.enum(["float", "base64"])),
  dimensions: z.nullish(z.int().check(z.positive())),
  user: z.nullish(z.string().check(z.maxLength(256))),
  router: z.optional(RouterControlsSchema),
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
  return parseOrThrow(EmbeddingsRequestSchema, modelFromModels(raw));
}

export function toCanonical(body: EmbeddingsRequest): EmbeddingRequest {
  const request: EmbeddingRequest = { input: typeof body.input === "string" ? [body.input] : body.input };
  if (body.dimensions !== undefined && body.dimensions !== null) request.dimensions = body.dimensions;
  if (body.user !== undefined && body.user !== null) request.user = body.user;
  return request;
}
