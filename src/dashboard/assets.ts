// The dashboard as built by scripts/build-dashboard.ts from dashboard/ (git-ignored src/dashboard/generated/): the
// page, whose script and stylesheet URLs carry each file's content hash, and those files.
import built from "./generated/dashboard.json";

export interface Asset {
  body: string;
  contentType: string;
  /** Content hash of the body; the URL segment the page names it by, so a deploy never mixes old and new files. */
  hash: string;
}

interface Built {
  page: { body: string; hash: string };
  assets: Record<string, Asset>;
}

const BUILT: Built = built;
const ASSETS = new Map(Object.entries(BUILT.assets));

/** The named file; `current` is false when the page that asked was built from other sources (a deploy since). */
export function dashboardAsset(version: string, name: string): { asset: Asset; current: boolean } | null {
  const asset = ASSETS.get(name);
  return asset ? { asset, current: asset.hash === version } : null;
}

/** The page and the hash of its body (its etag). */
export function dashboardPage(): { body: string; hash: string } {
  return BUILT.page;
}
