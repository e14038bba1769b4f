// The dashboard's files are Workers static assets (wrangler.toml [assets]); against a running `wrangler dev`, with the
// assets router in front as deployed: the Worker answers every path first, so the files come with the dashboard
// route's headers, under its URLs only, and development mode's Host check holds for them as for any other route.
import { createHash } from "node:crypto";
import { request } from "node:http";
import { describe, expect, inject, it } from "vitest";

const gateway = inject("gatewayUrl");

/** A GET with a Host header of our choosing (fetch does not let one be set). */
function getWithHost(path: string, host: string): Promise<{ status: number; body: string }> {
  const url = new URL(path, gateway);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, headers: { host } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the dashboard's static assets behind the Worker", () => {
  it("serves the page and its hashed files with the route's headers, and nothing under the assets' own paths", async () => {
    const page = await fetch(`${gateway}/`);
    expect(page.status).toBe(200);
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(page.headers.get("cache-control")).toBe("no-cache");
    expect(page.headers.get("x-request-id")).toMatch(/^req_/);
    const html = await page.text();
    const urls = [...html.matchAll(/(?:src|href)="(\/dashboard\/[0-9a-f]{16}\/[\w.-]+)"/g)].map((m) => m[1] as string);
    expect(urls.map((u) => u.split("/")[3]).sort()).toEqual(["app.css", "main.js"]);
    for (const url of urls) {
      const file = await fetch(`${gateway}${url}`);
      expect(file.status, url).toBe(200);
      expect(file.headers.get("content-security-policy"), url).toBe(csp);
      expect(file.headers.get("cache-control"), url).toBe("public, max-age=31536000, immutable");
      const text = await file.text();
      expect(createHash("sha256").update(text).digest("hex").slice(0, 16), url).toBe(url.split("/")[2]);
    }
    // The files as the assets directory names them: the Worker's own 404, not the assets router's file.
    for (const path of ["/index.html", "/main.js", "/app.css"]) {
      const res = await fetch(`${gateway}${path}`);
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code, path).toBe("not_found");
    }
  });

  it("keeps development mode's Host check on the page and its files", async () => {
    const html = await (await fetch(`${gateway}/`)).text();
    const script = /src="(\/dashboard\/[0-9a-f]{16}\/main\.js)"/.exec(html)?.[1] as string;
    for (const path of ["/", script]) {
      const res = await getWithHost(path, "example.com");
      expect(res.status, path).toBe(403);
      expect((JSON.parse(res.body) as { error: { code: string } }).error.code, path).toBe("host_not_allowed");
    }
  });
});
