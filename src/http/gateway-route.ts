// GET /v1/gateway: what this gateway is (mode, who is asking, which providers are configured and where they point).
import type { Context } from "hono";
import { isDevelopment } from "../env.ts";
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
  return c.json({
    object: "gateway",
    mode: isDevelopment(c.env) ? "development" : "production",
    caller: { kind: caller.kind, workspace_id: caller.workspaceId },
    providers,
    emulated,
    notice: emulated ? EMULATOR_NOTICE : null,
    // Whether this isolate could load the budget list (when not, budgets are checked with each workspace directly).
    budgets: c.get("app").governance.budgetListState(),
  });
}

/**
 * Development only (a deployed Worker never talks to emulators, so it pays nothing): marks a chat answer that came
 * from an emulator with `x-switchyard-upstream: emulator`, so a demo's answers say what they are.
 */
export async function labelEmulatedAnswers(c: Context<AppEnv>, next: () => Promise<void>): Promise<void> {
  await next();
  if (!isDevelopment(c.env)) return;
  const provider = c.res.headers.get("x-router-provider");
  if (provider === null) return;
  const kind = upstreams(c.env).find((u) => u.provider === provider)?.upstream;
  if (kind === "emulator") {
    try {
      c.res.headers.set("x-switchyard-upstream", "emulator");
    } catch {
      // Immutable headers: the label is a courtesy, never worth failing an answer over.
    }
  }
}
