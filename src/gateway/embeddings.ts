// The embeddings request through the shared pipeline: planned among the same model's deployments (or the caller's
// own list), then run by the same walker, budget hold and ledger as chat, with an embeddings call per provider.
import type { EmbeddingRequest, EmbeddingResult } from "../core/embeddings.ts";
import type { RouterControls } from "../core/router-controls.ts";
import type { CanonicalRequest } from "../core/types.ts";
import { embeddingCall } from "../execute/embedding-call.ts";
import { embeddingAdapterFor } from "../providers/embeddings.ts";
import { adapterFor } from "../providers/index.ts";
import { envValue } from "../providers/spec.ts";
import { boundEmbeddingTokens, buildEmbeddingPlan, estimateEmbeddingTokens } from "../routing/embedding-plan.ts";
import { settingsFrom } from "../routing/settings.ts";
import type { ChatScope, PreparedChat } from "./prepare.ts";
import { type ChatRun, runChat } from "./run.ts";

export interface EmbeddingInput {
  model: string;
  models: string[] | undefined;
  request: EmbeddingRequest;
  controls: RouterControls;
  warnings: string[];
}

export type EmbeddingRun =
  | Exclude<ChatRun, { kind: "json" } | { kind: "stream" }>
  | (Omit<Extract<ChatRun, { kind: "json" }>, "kind"> & { kind: "json"; embeddings: EmbeddingResult });

/** The texts as the canonical request the budget hold and the ledger price: all input, no output. */
function asCanonical(request: EmbeddingRequest): CanonicalRequest {
  return {
    messages: request.input.map((text) => ({ role: "user" as const, content: text })),
    max_output_tokens: 1,
    stream: false,
  };
}

export async function runEmbeddings(input: EmbeddingInput, scope: ChatScope, startedAt: number): Promise<EmbeddingRun> {
  const { config } = scope.services;
  const workspaceId = scope.caller.workspaceId ?? input.controls.workspace_id ?? "default";
  const defaults = settingsFrom(scope.env, config.fallback);
  const plan = buildEmbeddingPlan({
    model: input.model,
    models: input.models,
    request: input.request,
    controls: input.controls,
    registry: scope.registry,
    stats: scope.stats,
    configured: (p) => adapterFor(p).configured(scope.env),
    servesEmbeddings: (p) => embeddingAdapterFor(p) !== null,
    strategy: input.controls.strategy ?? defaults.strategy,
    fallback: input.controls.fallback ?? defaults.fallback,
    envValue: (name) => envValue(scope.env, name),
    random: scope.services.deps.random,
  });
  const call = embeddingCall(input.request, adapterFor, embeddingAdapterFor);
  const prepared: PreparedChat = {
    model: input.model,
    models: input.models,
    request: asCanonical(input.request),
    controls: input.controls,
    warnings: input.warnings,
    dialect: "embeddings",
    adapterFor: call.adapterFor,
    promptTokens: { estimate: estimateEmbeddingTokens(input.request), bound: boundEmbeddingTokens(input.request) },
    workspaceId,
    plan,
  };
  const run = await runChat(prepared, scope, startedAt);
  if (run.kind === "stream") throw new Error("an embeddings run never streams");
  if (run.kind !== "json") return run;
  const embeddings = call.result();
  if (embeddings === null) throw new Error("the embeddings call answered without vectors");
  return { ...run, kind: "json", embeddings };
}
