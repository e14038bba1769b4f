// The dashboard's files by name (page modules, stylesheet), each with a content hash for cache-busting URLs.
import { apiJs } from "./client/api.ts";
import { chartsJs } from "./client/charts.ts";
import { costPanelJs } from "./client/cost-panel.ts";
import { domJs } from "./client/dom.ts";
import { healthPanelJs } from "./client/health-panel.ts";
import { latencyPanelJs } from "./client/latency-panel.ts";
import { mainJs } from "./client/main.ts";
import { playgroundJs } from "./client/playground.ts";
import { requestsPanelJs } from "./client/requests-panel.ts";
import { sseJs } from "./client/sse.ts";
import { pageHtml } from "./page-html.ts";
import { stylesCss } from "./styles.ts";

export interface Asset {
  body: string;
  contentType: string;
  /** Short content hash; part of the page's URLs for it, so a deploy never mixes old and new modules. */
  hash: string;
}

const JS = "text/javascript; charset=utf-8";
const SOURCES: Record<string, { body: string; contentType: string }> = {
  "main.js": { body: mainJs, contentType: JS },
  "api.js": { body: apiJs, contentType: JS },
  "dom.js": { body: domJs, contentType: JS },
  "charts.js": { body: chartsJs, contentType: JS },
  "sse.js": { body: sseJs, contentType: JS },
  "health-panel.js": { body: healthPanelJs, contentType: JS },
  "latency-panel.js": { body: latencyPanelJs, contentType: JS },
  "cost-panel.js": { body: costPanelJs, contentType: JS },
  "requests-panel.js": { body: requestsPanelJs, contentType: JS },
  "playground.js": { body: playgroundJs, contentType: JS },
  "app.css": { body: stylesCss, contentType: "text/css; charset=utf-8" },
};

/** FNV-1a over the text: synchronous and cheap, run once per isolate on the first dashboard hit. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}

let assets: Map<string, Asset> | null = null;
let page: { body: string; hash: string } | null = null;

/**
 * Built lazily so a chat-only isolate never pays for hashing. Modules import each other by bare "./x.js" names,
 * which resolve under /dashboard/<hash>/, so one hash over all sources versions the whole set together.
 */
function build(): { assets: Map<string, Asset>; page: { body: string; hash: string } } {
  if (assets && page) return { assets, page };
  const all = Object.entries(SOURCES)
    .map(([name, s]) => name + "\n" + s.body)
    .join("\n");
  const version = fnv1a(all);
  assets = new Map(Object.entries(SOURCES).map(([name, s]) => [name, { ...s, hash: version }]));
  const body = pageHtml((name) => `/dashboard/${version}/${name}`);
  page = { body, hash: fnv1a(body) };
  return { assets, page };
}

/** The named file; `current` is false when the page that asked was built from other sources (a deploy since). */
export function dashboardAsset(version: string, name: string): { asset: Asset; current: boolean } | null {
  const asset = build().assets.get(name);
  return asset ? { asset, current: asset.hash === version } : null;
}

export function dashboardPage(): { body: string; hash: string } {
  return build().page;
}
