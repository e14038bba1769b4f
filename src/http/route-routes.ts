// POST /v1/route (dry run: the plan for a chat-completions body, no provider called), GET /v1/chains, GET /v1/strategies.
import type { Context } from "hono";
import { STRATEGIES } from "../config/schema.ts";
import { toCanonical } from "../core/types.ts";
import { adapterFor } from "../providers/index.ts";
import { readControls } from "../routing/controls.ts";
import { buildPlan } from "../routing/plan.ts";
import { publicPlan } from "../routing/public-plan.ts";
import { STRATEGY_IMPLS } from "../routing/strategies/index.ts";
import { settingsFrom } from "../settings.ts";
import type { AppEnv } from "./app-env.ts";
import { HttpError } from "./errors.ts";
import { ChatCompletionRequestSchema, KNOWN_FIELDS } from "./openai-request.ts";
import { parseOrThrow, readJsonBody } from "./read-body.ts";

export async function dryRunRoute(c: Context<AppEnv>): Promise<Response> {
  const { deps, config } = c.get("app");
  // The same validation as POST /v1/chat/completions: a body this accepts, chat completions accepts, and the reverse.
  const raw = await readJsonBody(c.req.raw);
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new HttpError(400, "The request body must be a JSON object.", { code: "invalid_json" });
  const body = parseOrThrow(ChatCompletionRequestSchema, raw);
  const warnings = Object.keys(raw).filter((k) => !KNOWN_FIELDS.has(k)).map((k) => `"${k}" is not supported by Switchyard; it would not be sent`);
  const controls = readControls(body.router, c.req.raw.headers);
  const plan = buildPlan({
    model: body.model,
    models: body.models,
    request: toCanonical(body),
    controls,
    registry: c.get("registry"),
    config: config.fallback,
    configured: (p) => adapterFor(p).configured(c.env),
    defaults: settingsFrom(c.env, config.fallback),
    stats: c.get("stats"),
    workspaceBudgetRemaining: null,
    random: deps.random,
  });
  return c.json({ object: "route", ...publicPlan(plan), warnings }, 200, { "x-request-id": c.get("requestId") });
}

export function listChains(c: Context<AppEnv>): Response {
  const { config } = c.get("app");
  const registry = c.get("registry");
  const chains = Object.entries(config.fallback.chains).map(([name, chain]) => ({
    name,
    description: chain.description,
    strategy: chain.strategy ?? null,
    order: chain.strategy === undefined ? "listed" : "strategy",
    models: chain.models.map((ref) => {
      const resolved = registry.resolve(ref);
      return {
        ref,
        provider: resolved?.provider ?? null,
        model: resolved?.id ?? null,
        available: resolved !== null && adapterFor(resolved.provider).configured(c.env),
      };
    }),
  }));
  return c.json({ chains });
}

export function listStrategies(c: Context<AppEnv>): Response {
  const { config } = c.get("app");
  const settings = settingsFrom(c.env, config.fallback);
  const fallback = config.fallback;
  const source = settings.preferLocal
    ? "LLM_PREFER_LOCAL"
    : (c.env.LLM_ROUTING_STRATEGY ?? "").trim() !== ""
      ? "LLM_ROUTING_STRATEGY"
      : "configs/llm_fallback.yml defaults.strategy";
  return c.json({
    default: { strategy: settings.preferLocal ? "local_first" : settings.strategy, source },
    fallback: settings.fallback,
    prefer_local: settings.preferLocal,
    default_provider: settings.defaultProvider,
    strategies: STRATEGIES.map((name) => ({
      name,
      description: STRATEGY_IMPLS[name].description,
      ...(name === "balanced" ? { weights: fallback.strategies.balanced.weights } : {}),
      ...(name === "latency_optimized" ? { exploration_rate: fallback.strategies.latency_optimized.exploration_rate } : {}),
    })),
    task_types: Object.entries(fallback.task_types).map(([name, t]) => ({
      name,
      chain: t.chain ?? null,
      strategy: t.strategy ?? null,
      capabilities: t.capabilities ?? [],
    })),
  });
}
