// GET /metrics: Prometheus text for the whole deployment (the admin key, as a bearer token: Prometheus's
// `authorization` scrape setting). The series come from the stats object, so every isolate answers the same.
import type { Context } from "hono";
import { traces } from "../gateway/services.ts";
import { tallyIncrements } from "../observability/metrics.ts";
import { metricsText } from "../observability/metrics-report.ts";
import type { AppEnv } from "./app-env.ts";
import { authenticate, requireAdmin } from "./auth.ts";

export async function metrics(c: Context<AppEnv>): Promise<Response> {
  const services = c.get("app");
  await services.governance.ready(c.env, c.executionCtx);
  requireAdmin(await authenticate(c.req.raw, c.env, services.governance));
  // What this isolate has not written yet is counted too: its batched increments and its exporter's tally.
  await services.live?.cache.flushMetrics(c.env);
  const text = await metricsText(c.env, services.deps.now(), tallyIncrements(traces.drain()));
  return new Response(text, {
    headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8", "cache-control": "no-store" },
  });
}
