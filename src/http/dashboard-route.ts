// GET / and GET /dashboard/<hash>/<file>: the dashboard page and its script and stylesheet, public (the data behind it is
// not). All three are built by scripts/build-dashboard.ts from dashboard/ and deployed as the Worker's static assets;
// the Worker runs first for every request (wrangler.toml), so it still sets status and headers here. The files' URLs
// carry their content hash.
import type { Context } from "hono";
import { assetBody, dashboardAsset, dashboardPage } from "../dashboard/assets.ts";
import type { AppEnv } from "./app-env.ts";
import { HttpError } from "./errors.ts";

/**
 * Scripts and styles from this origin only, no inline code, no framing; the key the user pastes can only travel
 * to this gateway (connect-src 'self').
 */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const SECURITY_HEADERS = {
  "content-security-policy": CSP,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

export async function dashboardPageRoute(c: Context<AppEnv>): Promise<Response> {
  const page = dashboardPage();
  const etag = `"${page.hash}"`;
  const headers = { ...SECURITY_HEADERS, etag, "cache-control": "no-cache", "x-request-id": c.get("requestId") };
  if (c.req.header("if-none-match") === etag) return new Response(null, { status: 304, headers });
  const body = await assetBody(c.env.ASSETS, page.file, c.req.url);
  return new Response(body, { headers: { ...headers, "content-type": "text/html; charset=utf-8" } });
}

export async function dashboardAssetRoute(c: Context<AppEnv>): Promise<Response> {
  const found = dashboardAsset(c.req.param("version") ?? "", c.req.param("name") ?? "");
  if (found === null) throw new HttpError(404, `No dashboard file ${c.req.path}.`, { code: "not_found" });
  const { asset, current } = found;
  return new Response(await assetBody(c.env.ASSETS, asset.file, c.req.url), {
    headers: {
      ...SECURITY_HEADERS,
      "content-type": asset.contentType,
      // A versioned URL never changes content; a stale version gets today's file, uncached.
      "cache-control": current ? "public, max-age=31536000, immutable" : "no-cache",
    },
  });
}
