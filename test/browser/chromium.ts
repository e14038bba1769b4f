// Which Chromium the browser tests drive: the system's (Debian's /usr/bin/chromium) when installed, otherwise the
// headless Chromium that the @sparticuz/chromium devDependency ships inside its npm package, so `npm install` brings
// a browser and no apt step is needed. The packaged binary is brotli-compressed; it is unpacked once per package
// version into node_modules/.cache and reused by later runs.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import Chromium from "@sparticuz/chromium";

export const SYSTEM_CHROMIUM = "/usr/bin/chromium";

export interface ChromiumBinary {
  executablePath: string;
  source: "system" | "package";
  /** Extra environment for the browser process (a font configuration when the machine has none). */
  env: Record<string, string>;
}

const CACHE = new URL("../../node_modules/.cache/switchyard-chromium/", import.meta.url).pathname;

function packageVersion(): string {
  const require = createRequire(import.meta.url);
  // The package's exports map hides package.json; its entry point sits in build/, one level below it.
  const entry = require.resolve("@sparticuz/chromium");
  const pkg = JSON.parse(readFileSync(join(dirname(entry), "..", "package.json"), "utf8")) as { version: string };
  return pkg.version;
}

/**
 * The package unpacks into os.tmpdir() (it reads TMPDIR when called) and reuses whatever `chromium` it finds there,
 * of any version. So it unpacks here into a fresh staging folder that is renamed into place only once complete: an
 * interrupted unpack never leaves a half-written binary behind, and two runs at once each end with a whole one.
 */
async function unpack(version: string): Promise<string> {
  const dir = join(CACHE, version);
  if (existsSync(join(dir, "chromium"))) return dir;
  const staging = `${dir}.partial-${process.pid}-${Date.now()}`;
  mkdirSync(staging, { recursive: true });
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = staging;
  let pending: Promise<string>;
  try {
    // Every output path is fixed synchronously in this call, before its first await; TMPDIR can be restored at once.
    pending = Chromium.executablePath();
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  try {
    const path = await pending;
    if (path !== join(staging, "chromium")) throw new Error(`@sparticuz/chromium unpacked to ${path}, not ${staging}`);
    try {
      renameSync(staging, dir);
    } catch (err) {
      // Another run renamed its copy into place first; that one is whole too.
      if (!existsSync(join(dir, "chromium"))) throw err;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return dir;
}

/** A font configuration for the packaged fonts (Open Sans), used only where the machine has no fontconfig of its own. */
function fontEnv(dir: string): Record<string, string> {
  if (existsSync("/etc/fonts/fonts.conf")) return {};
  const conf = join(dir, "fonts.conf");
  if (!existsSync(conf)) {
    const xml = [
      '<?xml version="1.0"?>',
      '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
      `<fontconfig><dir>${join(dir, "fonts")}</dir><cachedir>${join(dir, "fonts-cache")}</cachedir></fontconfig>`,
    ];
    writeFileSync(conf, `${xml.join("\n")}\n`);
  }
  return { FONTCONFIG_PATH: dir, FONTCONFIG_FILE: conf };
}

export async function chromiumBinary(): Promise<ChromiumBinary> {
  if (existsSync(SYSTEM_CHROMIUM)) return { executablePath: SYSTEM_CHROMIUM, source: "system", env: {} };
  const dir = await unpack(packageVersion());
  return { executablePath: join(dir, "chromium"), source: "package", env: fontEnv(dir) };
}
