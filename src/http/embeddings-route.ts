// POST /v1/embeddings over HTTP: OpenAI's Embeddings dialect over the shared pipeline, floats or base64 out.
import type { Context } from "hono";
import { encodeEmbeddings } from "../dialects/embeddings/encoder.ts";
import { KNOWN_FIELDS, parseEmbeddingsBody, toCanonical } from "../dialects/embeddings/request.ts";
import { runEmbeddings } from "../gateway/embeddings.ts";
import { estimateEmbeddingTokens } from "../routing/embedding-plan.ts";
import type { AppEnv } from "./app-env.ts";
import { budgetHeaders, failureResponse, httpScope, routeHeaders } from "./chat-route.ts";
import { readJsonBody } from "./read-body.ts";
import { requestControls } from "./request-controls.ts";

export async function embeddings(c: Context<AppEnv>): Promise<Response> {
  const scope = httpScope(c);
  const startedAt = scope.services.deps.now();
  const raw = await readJsonBody(c.req.raw);
  const body = parseEmbeddingsBody(raw);
  const request = toCanonical(body);
  const warnings = Object.keys(raw as object)
    .filter((k) => !KNOWN_FIELDS.has(k))
    .map((k) => `"${k}" is not supported by Switchyard; it was not sent`);
  const run = await runEmbeddings(
    {
      model: body.model,
      models: body.models,
      request,
      controls: requestControls(c, body.router ?? {}),
      warnings,
    },
    scope,
    startedAt,
  );
  switch (run.kind) {
    case "client_closed":
      return new Response(null, { status: 499 });
    case "failed":
      return failureResponse(scope.requestId, run);
    case "json": {
      const tokens = run.embeddings.input_tokens ?? estimateEmbeddingTokens(request);
      const json = encodeEmbeddings(
        { ...run.embeddings, model: run.embeddings.model || run.route.model },
        body.encoding_format ?? "float",
        tokens,
        run.route,
      );
      return new Response(JSON.stringify(json), {
        headers: {
          ...routeHeaders(scope, run.route),
          ...budgetHeaders(run.budget),
          "content-type": "application/json",
        },
      });
    }
    default: {
      const never: never = run;
      throw new Error(`unhandled run ${JSON.stringify(never)}`);
    }
  }
}
