// The plan of an embeddings request. Vectors from different models live in different spaces, so the candidates are
// only the model asked for, the same model served by another provider, and the caller's own `models` list, in order.
import type { ProviderId, Strategy } from "../config/schema.ts";
import type { EmbeddingRequest } from "../core/embeddings.ts";
import { GatewayError } from "../core/gateway-error.ts";
import type { RouterControls } from "../core/router-controls.ts";
import { costPico, picoToUsd } from "../ledger/cost.ts";
import type { ModelRef, ModelRegistry } from "../registry/model-registry.ts";
import { refOf } from "../registry/model-registry.ts";
import { modelKey, type StatsSnapshot } from "../stats/snapshot.ts";
import { expandDeployments } from "./deployments.ts";
import type { Facts } from "./facts.ts";
import { overBudget, type Refusal, tooSlow } from "./filters.ts";
import type { Candidate, Exclusion, Plan } from "./plan-types.ts";
import { estimateTextTokens } from "./tokens.ts";

export interface EmbeddingPlanInput {
  model: string;
  models: string[] | undefined;
  request: EmbeddingRequest;
  controls: RouterControls;
  registry: ModelRegistry;
  stats: StatsSnapshot;
  /** Providers with a key (or, for Ollama, a URL) and an embeddings call. */
  configured: (provider: ProviderId) => boolean;
  servesEmbeddings: (provider: ProviderId) => boolean;
  strategy: Strategy;
  fallback: boolean;
  /** An environment variable's value (a deployment's own base URL). */
  envValue: (name: string) => string | undefined;
  random: () => number;
}

/**
 * The whole request's estimated tokens, a whole number (what is billed when the provider reports none): each text at
 * least one token, as the provider counts it.
 */
export function estimateEmbeddingTokens(request: EmbeddingRequest): number {
  return request.input.reduce((sum, text) => sum + Math.max(1, Math.ceil(estimateTextTokens(text))), 0);
}

/**
 * An upper bound of the request's tokens, never below the provider's count: every tokenizer an embedding model uses
 * spends at least one UTF-8 byte a token, and texts are embedded as they are (no chat template around them).
 */
export function boundEmbeddingTokens(request: EmbeddingRequest): number {
  const encoder = new TextEncoder();
  return request.input.reduce((sum, text) => sum + Math.max(1, encoder.encode(text).length), 0);
}

/** The longest input's estimated tokens: a model's input limit is per text, not per batch. */
function longestInputTokens(request: EmbeddingRequest): number {
  return Math.ceil(request.input.reduce((most, text) => Math.max(most, estimateTextTokens(text)), 0));
}

/** Resolves a name to an embedding model, or refuses it with a 400 that says why (`param` names the field). */
function embeddingRef(
  name: string,
  registry: ModelRegistry,
  param: string,
  servesEmbeddings: (p: ProviderId) => boolean,
): ModelRef {
  if (name.toLowerCase().startsWith("chain:") || name.toLowerCase() === "auto") {
    throw new GatewayError(400, `'${param}': embeddings need a named model ("${name}" could mix vector spaces)`, {
      param,
      code: "invalid_value",
    });
  }
  const ref = registry.resolve(name);
  if (ref === null)
    // As in chat (src/routing/targets.ts): an unknown name is the caller's 400 naming the param.
    throw new GatewayError(
      400,
      `The model '${name}' is not in the registry. Use provider/model for a model the registry does not list (GET /v1/models lists them).`,
      {
        param,
        code: "model_not_found",
      },
    );
  if (!servesEmbeddings(ref.provider))
    throw new GatewayError(400, `'${param}': ${ref.provider} serves no embeddings`, { param, code: "invalid_value" });
  if (ref.entry !== null && ref.entry.type !== "embedding") {
    throw new GatewayError(
      400,
      `'${param}': ${ref.provider}/${ref.id} is a chat model; POST /v1/embeddings needs an embedding model`,
      { param, code: "model_not_embedding" },
    );
  }
  return ref;
}

/** The same model on other providers: registry embedding entries that share its id or one of its names. */
function sameModelElsewhere(ref: ModelRef, registry: ModelRegistry): ModelRef[] {
  const names = new Set([ref.id, ref.upstreamId, ...(ref.entry?.aliases ?? [])]);
  return registry.entries
    .filter((e) => e.type === "embedding" && e.provider !== ref.provider)
    .filter((e) => [e.id, e.upstream_id ?? e.id, ...e.aliases].some((n) => names.has(n)))
    .map(refOf);
}

export function buildEmbeddingPlan(input: EmbeddingPlanInput): Plan {
  const { request, registry, stats } = input;
  const tokens = estimateEmbeddingTokens(request);
  // As for chat: the named model first, then the caller's list (a body with only `models` has its first entry as
  // `model` already).
  const named: { name: string; param: string; why: string }[] = [];
  if (input.models === undefined || input.models[0] !== input.model)
    named.push({ name: input.model, param: "model", why: "the model asked for" });
  input.models?.forEach((name, i) => {
    named.push({ name, param: `models.${i}`, why: `models[${i}] in the caller's list` });
  });
  const head = named.map(({ name, param }) => embeddingRef(name, registry, param, input.servesEmbeddings));
  const fallbacks =
    input.fallback && input.models === undefined ? head.flatMap((r) => sameModelElsewhere(r, registry)) : [];

  const candidates: Candidate[] = [];
  const excluded: Exclusion[] = [];
  const seen = new Set<string>();
  const live = stats.taken_at > 0;
  const longest = longestInputTokens(request);
  const budget =
    input.controls.budget_remaining === undefined
      ? null
      : { usd: input.controls.budget_remaining, source: "router.budget_remaining" };
  // Whether every configured model left out was refused for the request itself (as in the chat plan).
  let everyRefused = true;
  let firstRefused: { refusal: Refusal; reason: string } | null = null;
  for (const [i, ref] of [...head, ...fallbacks].entries()) {
    const key = modelKey(ref.provider, ref.id);
    if (seen.has(key)) continue;
    seen.add(key);
    if (!input.configured(ref.provider)) {
      excluded.push({ provider: ref.provider, model: ref.id, reason: `provider ${ref.provider} is not configured` });
      continue;
    }
    const failures: string[] = [];
    let refusal: Refusal | null = null;
    if (live && stats.providers[ref.provider]?.circuit === "open")
      failures.push(`provider ${ref.provider}'s circuit is open`);
    if (live && stats.models[key]?.circuit === "open") failures.push(`circuit open for ${key}`);
    const dims = ref.entry?.dimensions;
    if (request.dimensions !== undefined && dims !== undefined && request.dimensions > dims) {
      failures.push(`dimensions ${request.dimensions} is above the model's ${dims}`);
      refusal ??= "dimensions";
    }
    if (ref.entry !== null && longest > ref.entry.context_window) {
      failures.push(
        `~${longest} tokens in ${request.input.length > 1 ? "its longest input" : "the input"} is above its input limit of ${ref.entry.context_window}`,
      );
      refusal ??= "context_length_exceeded";
    }
    const pico = costPico(
      { input_tokens: tokens, output_tokens: 0, cached_input_tokens: 0, cache_write_tokens: 0 },
      ref.entry,
    );
    const cost = pico === null ? null : picoToUsd(pico);
    const liveP95 = live ? stats.models[key]?.latency_ms?.p95 : undefined;
    const p95: Facts["p95"] =
      liveP95 !== undefined
        ? { ms: liveP95, source: "live" }
        : ref.entry === null
          ? null
          : { ms: ref.entry.typical_latency_ms, source: "typical" };
    for (const failure of [overBudget(cost, budget), tooSlow(p95, input.controls.max_latency_ms)])
      if (failure !== null) failures.push(failure());
    if (failures.length > 0) {
      const reason = failures.join("; ");
      excluded.push({ provider: ref.provider, model: ref.id, reason });
      if (refusal === null) everyRefused = false;
      else firstRefused ??= { refusal, reason: `${ref.provider}/${ref.id}: ${reason}` };
      continue;
    }
    candidates.push({
      ref,
      score: 1 - i / Math.max(named.length + fallbacks.length, 1),
      estimated_cost_usd: cost,
      reasons: [named[i]?.why ?? "the same model served by another provider"],
    });
  }
  if (!input.fallback) candidates.splice(1);
  // A deployed model's hosts serve the same model, so the same vector space: each takes its place in turn, as in chat.
  const hosts = expandDeployments(candidates, {
    configured: (p) => input.configured(p) && input.servesEmbeddings(p),
    envValue: input.envValue,
    stats,
    random: input.random,
  });
  excluded.push(...hosts.excluded);
  return {
    strategy: input.strategy,
    chain: null,
    order: "requested",
    task_type: null,
    required_capabilities: [],
    fallback: input.fallback,
    budget_remaining_usd: input.controls.budget_remaining ?? null,
    candidates: hosts.candidates,
    excluded,
    estimated_prompt_tokens: tokens,
    ...(hosts.candidates.length === 0 && everyRefused && firstRefused !== null ? { refused: firstRefused } : {}),
  };
}
