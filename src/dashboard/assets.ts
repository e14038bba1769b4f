// The dashboard as built by scripts/build-dashboard.ts from dashboard/: its files are the Worker's static assets
// (assets/, wrangler.toml's [assets], reached through the ASSETS binding); bundled here is only what names them, from
// git-ignored src/dashboard/generated/: the page's and each file's content hash and content type.
import built from "./generated/dashboard.json";

export interface Asset {
  /** The file among the static assets. */
  file: string;
  contentType: string;
  /** Content hash of the body; the URL segment the page names it by, so a deploy never mixes old and new files. */
  hash: string;
}

interface Manifest {
  page: { file: string; hash: string };
  assets: Record<string, { contentType: string; hash: string }>;
}

const BUILT: Manifest = built;
const ASSETS = new Map(Object.entries(BUILT.assets).map(([name, a]) => [name, { file: name, ...a }]));

/** The named file; `current` is false when the page that asked was built from other sources (a deploy since). */
export function dashboardAsset(version: string, name: string): { asset: Asset; current: boolean } | null {
  const asset = ASSETS.get(name);
  return asset ? { asset, current: asset.hash === version } : null;
}

/** The page's file and the hash of its body (its etag). */
export function dashboardPage(): { file: string; hash: string } {
  return BUILT.page;
}

/**
 * The body of a built file, from the static assets. Asked for by its own path alone (no method, conditions or
 * encodings of the client's request): the route decides status and headers, the assets only hold the bytes.
 */
export async function assetBody(assets: Fetcher, file: string, url: string): Promise<ReadableStream | null> {
  const res = await assets.fetch(new URL(`/${file}`, url));
  // Every file the manifest names was written beside it by the same build: anything else is a broken deploy.
  if (res.status !== 200) throw new Error(`dashboard: static asset /${file} answered ${res.status}`);
  return res.body;
}
