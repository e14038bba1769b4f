// Turns the `model` field, the `models` list, router.chain and router.task_type into the models a plan considers.
import type { Capability, CHAIN_NAMES, FallbackFile, Strategy } from "../config/schema.ts";
import { GatewayError } from "../core/gateway-error.ts";
import type { RouterControls } from "../core/router-controls.ts";
import { type ModelRef, type ModelRegistry, refOf } from "../registry/model-registry.ts";
import { modelKey } from "../stats/snapshot.ts";
import { controlParam } from "./control-params.ts";

export interface Target {
  ref: ModelRef;
  why: string;
  /** `provider/id` (modelKey), worked out once: the registry's tail is shared by every plan, and each plan dedupes by it. */
  key: string;
}

function target(ref: ModelRef, why: string): Target {
  return { ref, why, key: modelKey(ref.provider, ref.id) };
}

export interface Targets {
  /** Tried first, in this order, whatever the strategy: the named model, the caller's `models` list. */
  head: Target[];
  /** What follows: a chain's models or the whole registry (shared between plans: read only). */
  tail: readonly Target[];
  /** Whether the strategy orders the tail (else the chain's listed order). */
  rankTail: boolean;
  /** The tail is the whole registry (legacy models are skipped there, not in chains). */
  tailFromRegistry: boolean;
  chain: string | null;
  taskType: string | null;
  /** Capabilities the task type adds to the request's own. */
  taskCapabilities: Capability[];
  strategy: Strategy;
}

export interface TargetInput {
  model: string;
  models?: string[];
  controls: RouterControls;
  registry: ModelRegistry;
  config: FallbackFile;
  defaults: { strategy: Strategy; fallback: boolean; preferLocal: boolean };
  fallback: boolean;
}

const CHAIN_PREFIX = "chain:";

/** The chain of local models only: its listed models may not be the ones installed, so the discovered ones join it. */
const LOCAL_CHAIN: (typeof CHAIN_NAMES)[number] = "LOCAL_ONLY";

/**
 * What a chain has beyond its listed models: for LOCAL_ONLY, the chat models the sweep found installed on Ollama that
 * the registry does not list (a server may have none of the listed ones). Tried after the listed models.
 */
export function discoveredChainModels(chain: string, registry: ModelRegistry): ModelRef[] {
  if (chain !== LOCAL_CHAIN) return [];
  return registry.discovered.filter((entry) => entry.type === "chat").map(refOf);
}

export function resolveTargets(input: TargetInput): Targets {
  const { controls, config, registry } = input;
  const modelIsChain = input.model.toLowerCase().startsWith(CHAIN_PREFIX);
  const task =
    controls.task_type === undefined
      ? null
      : taskTypeOf(controls.task_type, config, controlParam(controls, "task_type"));
  const chainAsked = modelIsChain
    ? { name: input.model.slice(CHAIN_PREFIX.length), param: "model" }
    : controls.chain !== undefined
      ? { name: controls.chain, param: controlParam(controls, "chain") }
      : null;
  // A `models` list is the caller's whole chain: a predefined chain on top of it would be a second answer to one question.
  if (input.models !== undefined && chainAsked !== null) {
    throw new GatewayError(
      400,
      `Give either a models list or a chain (${chainAsked.param} = "${chainAsked.name}"), not both.`,
      { param: chainAsked.param, code: "invalid_value" },
    );
  }
  const chain =
    chainAsked !== null
      ? chainNameOf(chainAsked.name, config, chainAsked.param)
      : input.models === undefined && task?.mapping.chain !== undefined
        ? task.mapping.chain
        : null;
  const chainDef = chain === null ? null : (config.chains[chain] ?? null);
  const explicit = controls.strategy ?? task?.mapping.strategy;
  const strategy: Strategy =
    explicit ?? chainDef?.strategy ?? (input.defaults.preferLocal ? "local_first" : input.defaults.strategy);
  const base = { chain, taskType: task?.name ?? null, taskCapabilities: task?.mapping.capabilities ?? [], strategy };

  const head: Target[] = [];
  const named = !modelIsChain && input.model.toLowerCase() !== "auto";
  if (named) head.push(target(chatModelOrThrow(registry, input.model, "model"), "the requested model"));

  if (input.models !== undefined) {
    input.models.forEach((name, i) => {
      head.push(
        target(chatModelOrThrow(registry, name, `models.${i}`), `position ${i + 1} in the request's models list`),
      );
    });
    return { ...base, head, tail: [], rankTail: false, tailFromRegistry: false };
  }
  if (named && !input.fallback) return { ...base, head, tail: [], rankTail: false, tailFromRegistry: false };

  const fallbackWhy = named ? "fallback: " : "";
  if (chainDef !== null && chain !== null) {
    const rankTail = chainDef.strategy !== undefined || explicit !== undefined;
    const listed = chainDef.models.map((name, i) =>
      target(
        resolveOrThrow(registry, name, chainAsked?.param ?? "router.task_type"),
        `${fallbackWhy}in chain ${chain}${rankTail ? "" : ` at position ${i + 1} (listed order)`}`,
      ),
    );
    const discovered = discoveredChainModels(chain, registry).map((ref) =>
      target(ref, `${fallbackWhy}in chain ${chain}: installed on the Ollama server (discovered)`),
    );
    const tail = [...listed, ...discovered];
    return { ...base, head, tail, rankTail, tailFromRegistry: false };
  }
  return { ...base, head, tail: registryTail(registry, fallbackWhy, strategy), rankTail: true, tailFromRegistry: true };
}

const registryTails = new WeakMap<ModelRegistry, Map<string, readonly Target[]>>();

/**
 * The whole registry's chat models as a plan's tail. The same for every request with the same registry, strategy and
 * named-or-auto: built once (per isolate and registry) and shared, since plans only read their targets.
 */
function registryTail(registry: ModelRegistry, fallbackWhy: string, strategy: Strategy): readonly Target[] {
  let byKind = registryTails.get(registry);
  if (byKind === undefined) {
    byKind = new Map();
    registryTails.set(registry, byKind);
  }
  const key = `${fallbackWhy}|${strategy}`;
  let tail = byKind.get(key);
  if (tail === undefined) {
    // Embedding models are not chat candidates: left out of the pool, not listed as excluded on every request.
    tail = registry.entries
      .filter((entry) => entry.type === "chat")
      .map((entry) => target(refOf(entry), `${fallbackWhy}from the registry, ranked by ${strategy}`));
    byKind.set(key, tail);
  }
  return tail;
}

/** A model the caller named for chat: an embedding model there is a 400 (it cannot answer a conversation). */
/**
 * Refuses what `model` cannot name, as the planner would (400 naming `model`): an unknown model without a provider, an
 * embedding model, an unknown chain. For callers that do not plan, such as count_tokens.
 */
export function checkModelName(registry: ModelRegistry, name: string, config?: FallbackFile): void {
  if (name.toLowerCase() === "auto") return;
  if (name.toLowerCase().startsWith(CHAIN_PREFIX)) {
    if (config !== undefined) chainNameOf(name.slice(CHAIN_PREFIX.length), config, "model");
    return;
  }
  chatModelOrThrow(registry, name, "model");
}

function chatModelOrThrow(registry: ModelRegistry, name: string, param: string): ModelRef {
  const ref = resolveOrThrow(registry, name, param);
  if (ref.entry?.type === "embedding") {
    throw new GatewayError(
      400,
      `'${param}': ${ref.provider}/${ref.id} is an embedding model; it answers POST /v1/embeddings, not conversations.`,
      { param, code: "model_not_chat" },
    );
  }
  return ref;
}

function resolveOrThrow(registry: ModelRegistry, name: string, param: string): ModelRef {
  const ref = registry.resolve(name);
  if (ref === null) {
    throw new GatewayError(
      400,
      `The model '${name}' is not in the registry. Use provider/model for a model the registry does not list, "auto", or "chain:<name>" (GET /v1/models lists them).`,
      { param, code: "model_not_found" },
    );
  }
  if (ref.entry?.type === "embedding") {
    throw new GatewayError(
      400,
      `The model '${name}' is an embedding model: send it to POST /v1/embeddings. Chat needs a chat model (GET /v1/models shows each model's type).`,
      { param, code: "model_not_chat" },
    );
  }
  return ref;
}

/** Chain names are matched case-insensitively, with `-` for `_`: "chain:high-quality" is HIGH_QUALITY. */
function chainNameOf(name: string, config: FallbackFile, param: string): string {
  const upper = name.trim().toUpperCase().replaceAll("-", "_");
  if (!(upper in config.chains)) {
    throw new GatewayError(
      400,
      `Unknown chain '${name}'. Chains: ${Object.keys(config.chains).join(", ")} (GET /v1/chains).`,
      { param, code: "chain_not_found" },
    );
  }
  return upper;
}

function taskTypeOf(
  name: string,
  config: FallbackFile,
  param: string,
): { name: string; mapping: FallbackFile["task_types"][string] } {
  const key = name.trim().toLowerCase().replaceAll("-", "_");
  // Own names only: "constructor" or "__proto__" is not a task type.
  const mapping = Object.hasOwn(config.task_types, key) ? config.task_types[key] : undefined;
  if (mapping === undefined) {
    throw new GatewayError(
      400,
      `Unknown task type '${name}'. Task types: ${Object.keys(config.task_types).join(", ")} (GET /v1/strategies).`,
      {
        param,
        code: "task_type_not_found",
      },
    );
  }
  return { name: key, mapping };
}
