// The Hono app: request id, CORS, auth, the routes, and one error handler that always answers in OpenAI's shape.
import { Hono } from "hono";
import type { Env } from "./env.ts";
import type { AppEnv, AppServices } from "./http/app-env.ts";
import { authenticateAdmin } from "./http/auth.ts";
import { chatCompletions } from "./http/chat-route.ts";
import { HttpError, errorResponse } from "./http/errors.ts";
import { listModels } from "./http/models-route.ts";

export function createApp(services: AppServices): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use("*", async (c, next) => {
    c.set("app", services);
    c.set("requestId", c.req.header("x-request-id")?.slice(0, 64) || services.deps.newId("req"));
    await next();
  });

  app.get("/healthz", (c) => c.json({ status: "ok" }));

  app.use("/v1/*", async (c, next) => {
    c.set("caller", authenticateAdmin(c.req.raw, c.env));
    const stats = await services.stats(c.env, c.executionCtx);
    c.set("stats", stats);
    c.set("registry", services.registry(c.env, stats));
    await next();
  });

  app.post("/v1/chat/completions", chatCompletions);
  app.get("/v1/models", listModels);

  app.notFound((c) =>
    errorResponse(new HttpError(404, `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`, { code: "not_found" }), { "x-request-id": c.get("requestId") }),
  );

  app.onError((err, c) => {
    const requestId = c.get("requestId") ?? "";
    if (err instanceof HttpError) return errorResponse(err, { "x-request-id": requestId });
    // A bug, not a provider failure: say so without leaking internals (keys live in env, never in messages).
    console.error("unhandled error", requestId, err);
    return errorResponse(new HttpError(500, "Internal gateway error.", { code: "internal_error" }), { "x-request-id": requestId });
  });

  return app;
}

export type { Env };
