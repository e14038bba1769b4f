// The router's hard filters: a model that fails any of them is left out of the plan, with every reason it failed.
import type { Capability, ProviderId } from "../config/schema.ts";
import { isHttpUrl } from "../providers/spec.ts";
import { specOf } from "../providers/specs.ts";
import { installedOnOllama } from "../stats/local-models.ts";
import type { StatsSnapshot } from "../stats/snapshot.ts";
import { type Facts, usd } from "./facts.ts";

export interface FilterInput {
  needs: readonly Capability[];
  promptTokens: number;
  /**
   * Upper bounds of the prompt's tokens (src/routing/tokens.ts), what the context window must hold: a quick one from
   * the texts' lengths, and the tight one (a scan of the whole prompt), asked only of a model the quick one overfills.
   */
  promptBound?: { quick: number; tight: () => number };
  /** max_tokens / max_completion_tokens as the client sent it. */
  requestedOutput: number | undefined;
  configured: (provider: ProviderId) => boolean;
  /** Reads a configuration variable (to say why a provider is not configured). */
  envValue?: (name: string) => string | undefined;
  /** The budget that binds (the smaller of the caller's and the workspace's) and where it came from. */
  budget: { usd: number; source: string } | null;
  maxLatencyMs: number | undefined;
  stats: StatsSnapshot;
  /** Whether this model came from the whole registry (auto, a named model's fallbacks), where legacy models are skipped. */
  fromRegistry: boolean;
}

/**
 * One reason a model is left out, written only when somebody reads it: most of a plan's exclusions (providers that
 * are not configured, models that lack a capability) are never shown, and their text would be built per request.
 */
export type Reason = () => string;

/**
 * Why a model can never serve this request, whatever its health: the request asks for more than the model is (too long
 * a prompt, too many output tokens, a capability it lacks, a chat call to an embedding model, embedding dimensions it has not). Retrying cannot help,
 * so when every configured model is refused this way the caller gets a 400, not a 503.
 */
export type Refusal = "context_length_exceeded" | "max_tokens" | "capability" | "embedding_model" | "dimensions";

export interface Verdict {
  /** Why the model is left out; empty when it stays. */
  failures: Reason[];
  /** The first failure that is about the request itself, not the model's availability; null when there is none. */
  refusal: Refusal | null;
  /** What a caller should know about a model that stays (a half-open circuit, unknown capabilities). */
  notes: string[];
}

export function applyFilters(f: Facts, input: FilterInput): Verdict {
  const failures: Reason[] = [];
  const notes: string[] = [];
  let refusal: Refusal | null = null;
  const entry = f.ref.entry;
  const { provider } = f.ref;

  if (!input.configured(provider)) {
    // What the provider's declaration says makes it callable: a key, or (self-hosted) its base URL.
    const spec = specOf(provider);
    failures.push(() => {
      const base = input.envValue?.(spec.env.baseUrl)?.trim();
      const why =
        base !== undefined && base !== "" && !isHttpUrl(base)
          ? `${spec.env.baseUrl} is not an http(s) URL`
          : spec.requires === "base_url"
            ? `no ${spec.env.baseUrl}`
            : "no API key";
      return `provider ${provider} is not configured (${why})`;
    });
  }
  if (f.provider?.misconfigured)
    failures.push(() => `provider ${provider} is marked misconfigured (it answered 401/403: check its key)`);
  if (f.provider?.circuit === "open") {
    const error = f.provider.last_error;
    failures.push(() => `provider ${provider}'s circuit is open${lastError(error)}`);
  }
  if (f.model?.circuit === "open") {
    const error = f.model.last_error;
    failures.push(() => `circuit open for ${f.key}${lastError(error)}`);
  }
  if (f.circuit === "half_open") notes.push("circuit half-open: this request may be the probe that closes it");
  if (input.fromRegistry && entry?.legacy)
    failures.push(() => "legacy model: routing never picks it (name it, or list it in a chain)");
  if (provider === "ollama" && !installedOnOllama(f.ref, input.stats)) {
    const list = input.stats.ollama_models;
    failures.push(
      () =>
        `not installed on the Ollama server (${list.length === 0 ? "its last model list is empty" : `its last model list: ${list.join(", ")}`})`,
    );
  }

  if (entry?.type === "embedding") {
    failures.push(() => "an embedding model: chat routing never picks it (POST /v1/embeddings serves it)");
    refusal ??= "embedding_model";
  }
  if (entry === null) {
    notes.push("not in the registry: capabilities, context window and price unknown; sent as asked");
  } else {
    const missing = input.needs.filter((c) => !entry.capabilities.includes(c));
    if (missing.length > 0) {
      failures.push(() => `lacks ${missing.join(", ")} (has ${entry.capabilities.join(", ") || "none"})`);
      refusal ??= "capability";
    }
    const output = input.requestedOutput ?? 0;
    if (input.requestedOutput !== undefined && input.requestedOutput > entry.max_output) {
      failures.push(() => `max_tokens ${input.requestedOutput} is above its output limit of ${entry.max_output}`);
      refusal ??= "max_tokens";
    }
    // The window is checked against the upper bound: an estimate that is short sends a prompt to a model that
    // cannot hold it. Absent a bound (direct callers), the estimate.
    const bound = input.promptBound;
    let prompt = input.promptTokens;
    if (bound !== undefined && Math.max(prompt, bound.quick) + output > entry.context_window)
      prompt = Math.max(prompt, bound.tight());
    if (prompt + output > entry.context_window) {
      failures.push(
        () =>
          `context window ${entry.context_window} < up to ${prompt} prompt${output > 0 ? ` + ${output} output` : ""} tokens (~${input.promptTokens} estimated)`,
      );
      refusal ??= "context_length_exceeded";
    }
  }

  const budgetFailure = overBudget(f.cost, input.budget);
  if (budgetFailure !== null) failures.push(budgetFailure);
  const latencyFailure = tooSlow(f.p95, input.maxLatencyMs);
  if (latencyFailure !== null) failures.push(latencyFailure);
  return { failures, notes, refusal };
}

/** The budget filter, for chat and embedding plans alike: why an estimated cost is left out, or null. */
export function overBudget(cost: number | null, budget: FilterInput["budget"]): Reason | null {
  if (budget === null) return null;
  if (cost === null)
    return () => `price unknown, and the request is budget-bound (${usd(budget.usd)} left, ${budget.source})`;
  if (cost > budget.usd)
    return () => `estimated ${usd(cost)} for this request exceeds the ${usd(budget.usd)} left (${budget.source})`;
  return null;
}

/** The max_latency_ms filter, for chat and embedding plans alike: why a model's p95 is left out, or null. */
export function tooSlow(p95: Facts["p95"], maxLatencyMs: number | undefined): Reason | null {
  if (maxLatencyMs === undefined) return null;
  if (p95 === null) return () => `latency unknown, and max_latency_ms is ${maxLatencyMs}`;
  if (p95.ms > maxLatencyMs)
    return () =>
      `${p95.source === "live" ? "live p95" : "typical"} latency ${Math.round(p95.ms)} ms is above max_latency_ms ${maxLatencyMs}`;
  return null;
}

function lastError(error: string | null | undefined): string {
  return error ? ` (last error: ${error.slice(0, 120)})` : "";
}
