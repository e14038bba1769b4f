// The Hono app: request id, CORS, auth, the routes, and one error handler that always answers in OpenAI's shape.
import type { Context, Next } from "hono";
import { Hono } from "hono/tiny";
import type { Dialect } from "../core/dialect.ts";
import { anthropicErrorResponse } from "../dialects/messages/errors.ts";
import type { Env } from "../env.ts";
import { refusedBeforePlan } from "../gateway/record.ts";
import { fromTheGate, standingHeaders } from "../ledger/budget-gate.ts";
import { listAlerts } from "./alerts-route.ts";
import type { AppEnv, AppServices } from "./app-env.ts";
import { authenticate, requireAdmin } from "./auth.ts";
import { deleteBudget, getBudget, putBudget } from "./budgets-route.ts";
import { chatCompletions, httpScope } from "./chat-route.ts";
import { allowedOrigin, preflight, withCors, withHeaders } from "./cors.ts";
import { dashboardAssetRoute, dashboardPageRoute } from "./dashboard-route.ts";
import { guardDevelopment } from "./development-guard.ts";
import { embeddings } from "./embeddings-route.ts";
import { errorResponse, HttpError } from "./errors.ts";
import { gatewayInfo } from "./gateway-route.ts";
import { providerHealth } from "./health-route.ts";
import { createKey, listKeys, revokeKey } from "./keys-route.ts";
import { countMessageTokens, messages } from "./messages-route.ts";
import { metrics } from "./metrics-route.ts";
import { listModels, retrieveModel } from "./models-route.ts";
import { requireJsonContent } from "./read-body.ts";
import { namedWorkspace } from "./request-controls.ts";
import { listRequests } from "./requests-route.ts";
import { createResponse, deleteStoredResponse, getStoredResponse, listInputItems } from "./responses-route.ts";
import { dryRunRoute, listChains, listStrategies } from "./route-routes.ts";
import { statsTimeseries } from "./timeseries-route.ts";
import { getUsage } from "./usage-route.ts";

/** The routes of model calls, by the dialect they speak. */
const MODEL_ROUTES: Readonly<Record<string, Dialect>> = {
  "/v1/chat/completions": "chat",
  "/v1/responses": "responses",
  "/v1/messages": "messages",
  "/v1/embeddings": "embeddings",
};

export function createApp(services: AppServices): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use("*", async (c, next) => {
    c.set("app", services);
    // Always our own id: it keys the ledger, so a client must not be able to collide with another request's row.
    c.set("requestId", services.deps.newId("req"));
    await next();
  });
  // Anthropic's clients read the request id from `request-id` (the SDK's `_request_id`, `APIError.requestID`): the
  // Messages endpoints give it under that name too, on every answer (errors included).
  const anthropicRequestId = async (c: Context<AppEnv>, next: Next) => {
    await next();
    answerWith(
      c,
      withHeaders(c.res, (h) => h.set("request-id", c.get("requestId"))),
    );
  };
  app.use("/v1/messages", anthropicRequestId);
  app.use("/v1/messages/*", anthropicRequestId);
  // Development mode is keyless: it answers only this machine (loopback Host, loopback or same-origin Origin).
  app.use("*", async (c, next) => {
    guardDevelopment(c.req.raw, c.env);
    await next();
  });

  app.get("/healthz", (c) => c.json({ status: "ok" }));
  // Prometheus scrapes with the admin key (src/http/metrics-route.ts); development mode needs none.
  app.get("/metrics", metrics);
  // The dashboard page and its modules are public; every number on it comes from /v1 with the user's key.
  app.get("/", dashboardPageRoute);
  app.get("/dashboard/:version/:name", dashboardAssetRoute);

  // CORS before auth: a browser's preflight carries no key.
  app.use("/v1/*", async (c, next) => {
    const answer = preflight(c.req.raw, c.env);
    if (answer !== null) return answer;
    c.set("corsOrigin", null);
    await next();
    const origin = c.get("corsOrigin");
    if (origin !== null) answerWith(c, withCors(c.res, origin));
    else if (c.res.status === 401) {
      // A key that is missing or wrong: the page may read that much (and nothing else), instead of a network error.
      const from = c.req.header("origin");
      if (from !== undefined && from !== "null") answerWith(c, withCors(c.res, from));
    }
  });
  app.use("/v1/*", async (c, next) => {
    await services.governance.ready(c.env, c.executionCtx);
    const caller = await authenticate(c.req.raw, c.env, services.governance);
    c.set("caller", caller);
    c.set("corsOrigin", allowedOrigin(c.req.raw, caller, c.env));
    // rpm_limit and tpm_limit are held with the budget, in the workspace's Durable Object (src/ledger/budget-gate.ts),
    // on the routes that call a model: exact across isolates.
    const stats = await services.stats(c.env, c.executionCtx);
    c.set("stats", stats);
    c.set("registry", services.registry(c.env, stats));
    await next();
  });
  // A JSON endpoint takes only JSON: a page can send text/plain or a form cross-site without a preflight. After the
  // key, so that a wrong key is a 401 whatever the body, and before any body is read.
  app.use("/v1/*", async (c, next) => {
    requireJsonContent(c.req.raw);
    await next();
  });

  app.post("/v1/chat/completions", chatCompletions);
  app.post("/v1/responses", createResponse);
  app.get("/v1/responses/:id", getStoredResponse);
  app.get("/v1/responses/:id/input_items", listInputItems);
  app.delete("/v1/responses/:id", deleteStoredResponse);
  app.post("/v1/messages", messages);
  app.post("/v1/messages/count_tokens", countMessageTokens);
  app.post("/v1/embeddings", embeddings);
  app.get("/v1/models", listModels);
  app.get("/v1/models/*", retrieveModel);
  app.get("/v1/health/providers", providerHealth);
  app.post("/v1/route", dryRunRoute);
  app.get("/v1/chains", listChains);
  app.get("/v1/strategies", listStrategies);
  app.get("/v1/usage", getUsage);
  app.get("/v1/requests", listRequests);
  app.get("/v1/alerts", listAlerts);
  app.get("/v1/stats/timeseries", statsTimeseries);
  app.get("/v1/gateway", gatewayInfo);
  app.get("/v1/budgets/:workspace_id", getBudget);
  app.put("/v1/budgets/:workspace_id", (c) => (requireAdmin(c.get("caller")), putBudget(c)));
  app.delete("/v1/budgets/:workspace_id", (c) => (requireAdmin(c.get("caller")), deleteBudget(c)));
  app.use("/v1/keys", async (c, next) => (requireAdmin(c.get("caller")), next()));
  app.use("/v1/keys/*", async (c, next) => (requireAdmin(c.get("caller")), next()));
  app.post("/v1/keys", createKey);
  app.get("/v1/keys", listKeys);
  app.delete("/v1/keys/:id", revokeKey);

  app.notFound((c) =>
    errorWriter(c.req.path)(
      new HttpError(404, `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`, { code: "not_found" }),
      { "x-request-id": c.get("requestId") },
    ),
  );

  app.onError(async (err, c) => {
    const requestId = c.get("requestId") ?? "";
    const write = errorWriter(c.req.path);
    if (err instanceof HttpError) {
      // A model call refused before its plan (its body, its model name) still gets its span and its count.
      const dialect = c.req.method === "POST" ? MODEL_ROUTES[c.req.path] : undefined;
      const caller = c.get("caller");
      if (dialect !== undefined && caller !== undefined)
        refusedBeforePlan(httpScope(c), dialect, err, services.deps.now());
      // Every answer of a model route says what the cache did: one refused before its plan never reached it.
      let headers: Record<string, string> = { "x-request-id": requestId };
      if (dialect !== undefined) headers["x-router-cache"] = err.headers["x-router-cache"] ?? "bypass";
      // And a limited caller's windows and a budgeted one's budget, as every answer to it says (a refusal by the gate
      // carries them already).
      if (dialect !== undefined && caller !== undefined && !fromTheGate(err.headers))
        headers = {
          ...(await standingHeaders(c.env, services.governance, caller, namedWorkspace(c), services.deps.now())),
          ...headers,
        };
      return write(err, headers);
    }
    // A bug, not a provider failure: say so without leaking internals (keys live in env, never in messages).
    console.error("unhandled error", requestId, err);
    return write(new HttpError(500, "Internal gateway error.", { code: "internal_error" }), {
      "x-request-id": requestId,
    });
  });

  app.router = rememberingRouter(app.router);
  return app;
}

/** Paths whose routes the router keeps; past it the memory starts over (a client sending paths at random). */
const REMEMBERED_PATHS = 256;

/**
 * Hono's router as it is, except that a method and path whose routes take no parameters (every model call) get the
 * answer worked out for them before: the router tests each route's pattern in turn, on every request. A route with
 * parameters is worked out each time (its values are the path's own). Adding a route forgets every answer.
 */
function rememberingRouter(router: Hono<AppEnv>["router"]): Hono<AppEnv>["router"] {
  const known = new Map<string, ReturnType<typeof router.match>>();
  return {
    name: router.name,
    add(method, path, handler) {
      known.clear();
      router.add(method, path, handler);
    },
    match(method, path) {
      const key = `${method} ${path}`;
      const remembered = known.get(key);
      if (remembered !== undefined) return remembered;
      const result = router.match(method, path);
      // [handlers] with each handler's parameters (PatternRouter gives no stash): remembered only when none has any.
      if (result.length === 1 && result[0].every(([, params]) => Object.keys(params as object).length === 0)) {
        if (known.size >= REMEMBERED_PATHS) known.clear();
        known.set(key, result);
      }
      return result;
    },
  };
}

/** Anthropic's clients read only Anthropic's error shape; every other route answers in OpenAI's. */
function errorWriter(path: string): typeof errorResponse {
  return path.startsWith("/v1/messages") ? anthropicErrorResponse : errorResponse;
}

export type { Env };

/** Hono's `c.res = ` copies the response and its headers again: only a response changed by copy is assigned. */
function answerWith(c: Context<AppEnv>, res: Response): void {
  if (res !== c.res) c.res = res;
}
