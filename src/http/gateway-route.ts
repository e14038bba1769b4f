// GET /v1/gateway: what this gateway is (mode, who is asking, which providers are configured and where they point).
import type { Context } from "hono";
import type { ProviderId } from "../config/schema.ts";
import { type Env, isDevelopment } from "../env.ts";
import { allEmulated, upstreams } from "../providers/upstreams.ts";
import type { AppEnv } from "./app-env.ts";

/** Said wherever the answers come from the project's emulators: they are replayed recordings, not a model thinking. */
export const EMULATOR_NOTICE =
  "Every configured provider is the project's emulator (test/emulators): answers are replayed recordings, not real model output, and costs are what the real models would have charged.";

/** No secrets: the kind of each upstream, never its URL or key. */
export function gatewayInfo(c: Context<AppEnv>): Response {
  const providers = upstreams(c.env);
  const caller = c.get("caller");
  const emulated = allEmulated(providers);
  const { governance } = c.get("app");
  return c.json({
    object: "gateway",
    mode: isDevelopment(c.env) ? "development" : "production",
    caller: { kind: caller.kind, workspace_id: caller.workspaceId },
    // A workspace key's own limits, named as POST /v1/keys takes them (null: none); null for the admin key and in
    // development mode. They hold beside the workspace's own (GET /v1/budgets/{workspace_id}).
    key:
      caller.kind === "workspace"
        ? {
            id: caller.key.id,
            prefix: caller.key.prefix,
            rpm_limit: caller.key.rpm_limit,
            tpm_limit: caller.key.tpm_limit,
            budget_usd: caller.key.budget_pico === null ? null : caller.key.budget_pico / 1e12,
          }
        : null,
    // Whether a workspace key's workspace has a budget or rate limits of its own (GET /v1/budgets/{workspace_id} is a
    // 404 without either), as this isolate's budget list says; null for other callers, or while the list cannot say.
    workspace_limited:
      caller.kind === "workspace" && governance.budgetsKnown()
        ? governance.budgetOf(caller.workspaceId) !== null || governance.limitsOf(caller.workspaceId) !== null
        : null,
    providers,
    emulated,
    notice: emulated ? EMULATOR_NOTICE : null,
    // Whether this isolate could load the budget list (when not, budgets are checked with each workspace directly).
    budgets: governance.budgetListState(),
  });
}

/**
 * Development only (a deployed Worker never talks to emulators, so it pays nothing): whether an answer by `provider`
 * came from an emulator, so a demo's answers say what they are (`x-switchyard-upstream: emulator`, set with the route
 * headers of every dialect).
 */
export function fromEmulator(env: Env, provider: ProviderId): boolean {
  if (!isDevelopment(env)) return false;
  return upstreams(env).find((u) => u.provider === provider)?.upstream === "emulator";
}
