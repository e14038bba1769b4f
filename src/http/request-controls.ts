// A model route's routing controls over HTTP: the body's `router` field and the x-router-* headers, with the workspace
// they name kept on the request's context, so an answer refused later (an unknown model) still speaks for it.
import type { Context } from "hono";
import { type RouterControls, RouterControlsSchema } from "../core/router-controls.ts";
import { readControls } from "../routing/controls.ts";
import type { AppEnv } from "./app-env.ts";

export function requestControls(c: Context<AppEnv>, body: RouterControls | undefined): RouterControls {
  const controls = readControls(body, c.req.raw.headers);
  if (controls.workspace_id !== undefined) c.set("namedWorkspace", controls.workspace_id);
  return controls;
}

/**
 * The workspace a model route's request named: from its controls once they were read, else (a body refused before
 * they were) from its x-router-workspace header, where that is one a workspace id can be.
 */
export function namedWorkspace(c: Context<AppEnv>): string | undefined {
  const read = c.get("namedWorkspace");
  if (read !== undefined) return read;
  const header = RouterControlsSchema.shape.workspace_id.safeParse(c.req.header("x-router-workspace")?.trim());
  return header.success ? header.data : undefined;
}
