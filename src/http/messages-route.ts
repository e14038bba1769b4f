// POST /v1/messages and /v1/messages/count_tokens over HTTP: Anthropic's Messages dialect read from the body (routing
// by x-router-* headers or a `router` field), the shared pipeline, and Anthropic's JSON, event stream and error shape.
import type { Context } from "hono";
import { GatewayError } from "../core/gateway-error.ts";
import { modelFromModels } from "../core/model-name.ts";
import { parseOrThrow } from "../core/validate.ts";
import { encodeMessage } from "../dialects/messages/encoder.ts";
import { anthropicErrorBody } from "../dialects/messages/errors.ts";
import {
  CountTokensRequestSchema,
  KNOWN_FIELDS,
  MessagesRequestSchema,
  toCanonical,
} from "../dialects/messages/request.ts";
import { MessagesStreamWriter } from "../dialects/messages/stream.ts";
import { encodedBody } from "../gateway/committed-body.ts";
import { countTokens } from "../gateway/count-tokens.ts";
import { type ChatInput, prepareChat } from "../gateway/prepare.ts";
import { runChat } from "../gateway/run.ts";
import { checkModelName } from "../routing/targets.ts";
import type { AppEnv } from "./app-env.ts";
import { budgetHeaders, failureHeaders, httpScope, routeHeaders, streamHeaders } from "./chat-route.ts";
import { readJsonBody } from "./read-body.ts";
import { requestControls } from "./request-controls.ts";

/** The body fields Anthropic defines (count_tokens is sent only those). */
const ANTHROPIC_FIELDS: ReadonlySet<string> = new Set(
  [...KNOWN_FIELDS].filter((k) => k !== "router" && k !== "models"),
);

function objectBody(raw: unknown): Record<string, unknown> {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    throw new GatewayError(400, "The request body must be a JSON object.", { code: "invalid_json" });
  return raw as Record<string, unknown>;
}

const unknownFields = (raw: Record<string, unknown>) => [
  ...Object.keys(raw)
    .filter((k) => !KNOWN_FIELDS.has(k))
    .map((k) => `"${k}" is not supported by Switchyard; it was not sent`),
  ...droppedNestedFields(raw),
];

const TOOL_FIELDS: ReadonlySet<string> = new Set(["type", "name", "description", "input_schema", "cache_control"]);
const THINKING_FIELDS: ReadonlySet<string> = new Set(["type", "budget_tokens"]);

/**
 * A tool's or thinking's setting the dialect does not carry (a tool's `strict`, thinking's `display`), named in the
 * warnings as a top-level field is: the request is served, without it.
 */
function droppedNestedFields(raw: Record<string, unknown>): string[] {
  const out: string[] = [];
  const fields = (value: unknown) =>
    value !== null && typeof value === "object" && !Array.isArray(value) ? Object.keys(value) : [];
  if (Array.isArray(raw.tools))
    raw.tools.forEach((tool, i) => {
      for (const key of fields(tool))
        if (!TOOL_FIELDS.has(key)) out.push(`"tools.${i}.${key}" is not supported by Switchyard; it was not sent`);
    });
  for (const key of fields(raw.thinking))
    if (!THINKING_FIELDS.has(key)) out.push(`"thinking.${key}" is not supported by Switchyard; it was not sent`);
  return out;
}

/** Anthropic's beta names: lowercase words, digits and dashes (`context-1m-2025-08-07`). */
const BETA_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

/**
 * The `anthropic-beta` header (comma-separated beta names, as Anthropic's clients send it), for Anthropic targets;
 * a malformed one is a 400 naming the header.
 */
function anthropicBeta(headers: Headers): string[] | undefined {
  const value = headers.get("anthropic-beta");
  if (value === null) return undefined;
  const names = value
    .split(",")
    .map((n) => n.trim())
    .filter((n) => n !== "");
  if (names.length === 0) return undefined;
  if (names.length > 16 || names.some((n) => !BETA_NAME.test(n)))
    throw new GatewayError(400, "anthropic-beta: expected up to 16 comma-separated beta names", {
      param: "anthropic-beta",
      code: "invalid_value",
    });
  return names;
}

export async function messages(c: Context<AppEnv>): Promise<Response> {
  const scope = httpScope(c);
  const startedAt = scope.services.deps.now();
  const raw = objectBody(await readJsonBody(c.req.raw));
  const body = parseOrThrow(MessagesRequestSchema, modelFromModels(raw));
  const { request, warnings } = toCanonical(body);
  const beta = anthropicBeta(c.req.raw.headers);
  if (beta !== undefined) request.anthropic_beta = beta;
  const input: ChatInput = {
    model: body.model,
    models: body.models,
    request,
    controls: requestControls(c, body.router ?? {}),
    warnings: [...unknownFields(raw), ...warnings],
    dialect: "messages",
  };
  const run = await runChat(prepareChat(input, scope), scope, startedAt);
  const id = `msg_${scope.requestId.replace(/^req_/, "")}`;
  switch (run.kind) {
    case "client_closed":
      return new Response(null, { status: 499 });
    case "failed": {
      const { failure, plan } = run;
      const headers = failureHeaders(scope.requestId, run);
      const errorBody = anthropicErrorBody(failure.status, failure.message, {
        x_router: { strategy: plan.strategy, chain: plan.chain, attempts: run.attempts, excluded: plan.excluded },
      });
      return new Response(JSON.stringify(errorBody), { status: failure.status, headers });
    }
    case "json": {
      // Anthropic's usage is never null: an answer whose provider sent none says the estimate the ledger bills.
      const result =
        run.result.usage === null && run.billed !== undefined ? { ...run.result, usage: run.billed } : run.result;
      return new Response(JSON.stringify(encodeMessage(id, result, run.route)), {
        headers: {
          ...routeHeaders(scope, run.route),
          ...budgetHeaders(run.budget),
          "content-type": "application/json",
        },
      });
    }
    case "stream": {
      const writer = new MessagesStreamWriter(id, run.upstreamModel);
      const body = encodedBody(run.answer, {
        event: (e) => writer.event(e),
        end: (route) => writer.end(route),
        cut: (message, route, status) => writer.cut(message, route, status),
      });
      return new Response(body, {
        headers: streamHeaders(scope, run.route, run.budget),
      });
    }
    default: {
      const never: never = run;
      throw new Error(`unhandled run ${JSON.stringify(never)}`);
    }
  }
}

/** count_tokens: Anthropic's own count when the model is Anthropic's and it is configured, else the estimator's. */
export async function countMessageTokens(c: Context<AppEnv>): Promise<Response> {
  const scope = httpScope(c);
  const raw = objectBody(await readJsonBody(c.req.raw));
  const body = parseOrThrow(CountTokensRequestSchema, modelFromModels(raw));
  const { request } = toCanonical(body);
  // The betas count too (a 1M-context beta, a tool's): Anthropic is asked with the header the caller sent.
  const beta = anthropicBeta(c.req.raw.headers);
  if (beta !== undefined) request.anthropic_beta = beta;
  // The same refusals as POST /v1/messages: a bad routing control, or a model the registry cannot resolve, is a 400.
  const controls = requestControls(c, body.router ?? {});
  checkModelName(scope.registry, body.model, scope.services.config.fallback);
  const counted = await countTokens(scope, body.model, raw, ANTHROPIC_FIELDS, request, controls.timeouts);
  return new Response(JSON.stringify({ input_tokens: counted.input_tokens }), {
    headers: {
      "content-type": "application/json",
      "x-request-id": scope.requestId,
      "x-router-token-count": counted.source,
    },
  });
}
