// Builds the plan for a request: which models to try, in which order, and why; and which were left out.
import type { Capability, FallbackFile, ProviderId, Strategy } from "../config/schema.ts";
import type { CanonicalRequest } from "../core/types.ts";
import { HttpError } from "../http/errors.ts";
import type { RouterControls } from "../http/openai-request.ts";
import { costPico, picoToUsd } from "../ledger/cost.ts";
import { refOf, type ModelRef, type ModelRegistry } from "../registry/model-registry.ts";
import type { StatsSnapshot } from "../stats/snapshot.ts";
import type { Candidate, Exclusion, Plan } from "./plan-types.ts";
import { estimatePromptTokens } from "./tokens.ts";

export interface PlanInput {
  model: string;
  models?: string[];
  request: CanonicalRequest;
  controls: RouterControls;
  registry: ModelRegistry;
  config: FallbackFile;
  configured: (provider: ProviderId) => boolean;
  defaults: { strategy: Strategy; fallback: boolean; preferLocal: boolean; defaultProvider: ProviderId | null };
  /** Live health and latency; the empty snapshot when none could be read (static registry data then). */
  stats: StatsSnapshot;
  /** USD the workspace's budget still allows for this request; null when it has no budget. */
  workspaceBudgetRemaining: number | null;
  /** Uniform in [0, 1): the planner's only randomness (latency exploration), passed in for tests. */
  random: () => number;
}

export function requiredCapabilities(req: CanonicalRequest, controls: RouterControls): Capability[] {
  const needs = new Set<Capability>(controls.capabilities ?? []);
  if (req.tools !== undefined && req.tools.length > 0) needs.add("tools");
  if (req.response_format !== undefined && req.response_format.type !== "text") needs.add("json");
  if (req.messages.some((m) => m.role === "user" && typeof m.content !== "string" && m.content.some((p) => p.type === "image_url"))) needs.add("vision");
  return [...needs];
}

export function buildPlan(input: PlanInput): Plan {
  const { registry, request, controls } = input;
  const strategy = controls.strategy ?? input.defaults.strategy;
  const fallback = controls.fallback ?? input.defaults.fallback;
  const needs = requiredCapabilities(request, controls);
  const promptTokens = estimatePromptTokens(request);
  const excluded: Exclusion[] = [];
  let chain: string | null = null;
  const ordered: { ref: ModelRef; reason: string }[] = [];

  if (input.models !== undefined) {
    input.models.forEach((name, i) => ordered.push({ ref: resolveOrThrow(registry, name, `models.${i}`), reason: `position ${i + 1} in the request's models list` }));
  } else if (input.model.startsWith("chain:") || controls.chain !== undefined) {
    chain = chainName(input.model.startsWith("chain:") ? input.model.slice("chain:".length) : (controls.chain as string), input.config);
    for (const ref of input.config.chains[chain]?.models ?? []) ordered.push({ ref: resolveOrThrow(registry, ref, "model"), reason: `in chain ${chain}` });
  } else if (input.model === "auto") {
    for (const entry of [...registry.entries].filter((e) => !e.legacy).sort((a, b) => b.quality - a.quality)) {
      ordered.push({ ref: refOf(entry), reason: `auto: quality ${entry.quality}` });
    }
  } else {
    const first = resolveOrThrow(registry, input.model, "model");
    ordered.push({ ref: first, reason: "the requested model" });
    if (fallback) {
      for (const entry of [...registry.entries].filter((e) => !e.legacy && e.id !== first.id).sort((a, b) => b.quality - a.quality)) {
        ordered.push({ ref: refOf(entry), reason: `fallback with the request's capabilities (quality ${entry.quality})` });
      }
    }
  }

  const candidates: Candidate[] = [];
  const seen = new Set<string>();
  for (const { ref, reason } of ordered) {
    const key = `${ref.provider}/${ref.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const why = exclusionReason(ref, needs, promptTokens, request, input.configured);
    if (why !== null) {
      excluded.push({ provider: ref.provider, model: ref.id, reason: why });
      continue;
    }
    if (candidates.length >= input.config.defaults.max_candidates) {
      excluded.push({ provider: ref.provider, model: ref.id, reason: `the plan already holds ${input.config.defaults.max_candidates} candidates` });
      continue;
    }
    const cost = estimateCost(ref, promptTokens, request);
    candidates.push({ ref, score: ref.entry?.quality ?? 0, estimated_cost_usd: cost, reasons: [reason] });
  }
  return { strategy, chain, candidates, excluded, estimated_prompt_tokens: promptTokens };
}

function exclusionReason(ref: ModelRef, needs: Capability[], promptTokens: number, req: CanonicalRequest, configured: (p: ProviderId) => boolean): string | null {
  if (!configured(ref.provider)) return `provider ${ref.provider} is not configured`;
  const entry = ref.entry;
  if (entry === null) return null;
  const missing = needs.filter((c) => !entry.capabilities.includes(c));
  if (missing.length > 0) return `lacks ${missing.join(", ")}`;
  const output = req.max_output_tokens ?? 0;
  if (promptTokens + output > entry.context_window) return `context window ${entry.context_window} < ~${promptTokens} prompt + ${output} output tokens`;
  return null;
}

export function estimateCost(ref: ModelRef, promptTokens: number, req: CanonicalRequest): number | null {
  if (ref.entry === null) return null;
  const output = req.max_output_tokens ?? Math.min(ref.entry.max_output, 1024);
  const pico = costPico({ input_tokens: promptTokens, output_tokens: output, cached_input_tokens: 0, cache_write_tokens: 0 }, ref.entry);
  return pico === null ? null : picoToUsd(pico);
}

function resolveOrThrow(registry: ModelRegistry, name: string, param: string): ModelRef {
  const ref = registry.resolve(name);
  if (ref === null) {
    throw new HttpError(400, `The model '${name}' is not in the registry. Use provider/model for an unlisted model, "auto", or "chain:<name>" (GET /v1/models lists them).`, {
      param,
      code: "model_not_found",
    });
  }
  return ref;
}

function chainName(name: string, config: FallbackFile): string {
  const upper = name.toUpperCase();
  if (!(upper in config.chains)) {
    throw new HttpError(400, `Unknown chain '${name}'. Chains: ${Object.keys(config.chains).join(", ")}.`, { param: "model", code: "chain_not_found" });
  }
  return upper;
}
