// POST /v1/route (dry run: the plan for a chat-completions body, no provider called), GET /v1/chains, GET /v1/strategies.
import type { Context } from "hono";
import { STRATEGIES } from "../config/names.ts";
import { prepareChat } from "../gateway/prepare.ts";
import { publicPlan } from "../routing/public-plan.ts";
import { settingsFrom } from "../routing/settings.ts";
import { STRATEGY_IMPLS } from "../routing/strategies/index.ts";
import { discoveredChainModels } from "../routing/targets.ts";
import { asOf } from "../stats/snapshot.ts";
import type { AppEnv } from "./app-env.ts";
import { httpChatInput, httpScope } from "./chat-route.ts";
import { availableIn } from "./models-route.ts";

export async function dryRunRoute(c: Context<AppEnv>): Promise<Response> {
  // The same validation and planning as POST /v1/chat/completions (workspace budget included), without the call.
  const { plan, warnings } = prepareChat(await httpChatInput(c), httpScope(c));
  return c.json({ object: "route", ...publicPlan(plan), warnings }, 200, { "x-request-id": c.get("requestId") });
}

export function listChains(c: Context<AppEnv>): Response {
  const { config, deps } = c.get("app");
  const registry = c.get("registry");
  const stats = asOf(c.get("stats"), deps.now());
  const chains = Object.entries(config.fallback.chains).map(([name, chain]) => ({
    name,
    description: chain.description,
    strategy: chain.strategy ?? null,
    order: chain.strategy === undefined ? "listed" : "strategy",
    models: [
      ...chain.models.map((ref) => {
        const resolved = registry.resolve(ref);
        return {
          ref,
          provider: resolved?.provider ?? null,
          model: resolved?.id ?? null,
          available: resolved !== null && availableIn(resolved, c.env, stats),
        };
      }),
      // The installed local models LOCAL_ONLY takes after its listed ones (what chain:local_only tries).
      ...discoveredChainModels(name, registry).map((ref) => ({
        ref: `${ref.provider}/${ref.id}`,
        provider: ref.provider,
        model: ref.id,
        available: availableIn(ref, c.env, stats),
        discovered: true,
      })),
    ],
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
      ...(name === "balanced"
        ? {
            weights: fallback.strategies.balanced.weights,
            long_context_tokens: fallback.difficulty.long_context_tokens,
            quality_floors: Object.fromEntries(
              Object.entries(fallback.difficulty.classes).map(([cls, c]) => [cls, c.quality_floor]),
            ),
          }
        : {}),
      ...(name === "latency_optimized"
        ? { exploration_rate: fallback.strategies.latency_optimized.exploration_rate }
        : {}),
    })),
    task_types: Object.entries(fallback.task_types).map(([name, t]) => ({
      name,
      chain: t.chain ?? null,
      strategy: t.strategy ?? null,
      capabilities: t.capabilities ?? [],
    })),
  });
}
