// Starts `wrangler dev` as a user would (local D1 migrated, development mode) and waits until it answers.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.ts";

export interface WranglerDev {
  url: string;
  output: () => string;
  stop: () => Promise<void>;
}

export async function startWranglerDev(
  vars: Record<string, string>,
  opts: {
    cwd: string;
    timeoutMs?: number;
    /** A built Worker (scripts/build.ts) to serve as it is (`--no-bundle`) instead of wrangler's bundle of src/. */
    script?: string;
  },
): Promise<WranglerDev> {
  const persist = mkdtempSync(join(tmpdir(), "switchyard-e2e-"));
  const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" };
  const migrate = spawnSync("wrangler", ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persist], {
    cwd: opts.cwd,
    env,
    encoding: "utf8",
  });
  if (migrate.status !== 0) throw new Error(`d1 migrations failed:\n${migrate.stdout}\n${migrate.stderr}`);

  const [port, inspector] = [await freePort(), await freePort()];
  const args = [
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--inspector-port",
    String(inspector),
    "--persist-to",
    persist,
    "--log-level",
    "warn",
  ];
  // wrangler looks for its config from the script's directory up; a build outside the tree names the tree's own.
  if (opts.script !== undefined)
    args.push("--config", join(opts.cwd, "wrangler.toml"), "--no-bundle", "--minify=false", opts.script);
  for (const [key, value] of Object.entries(vars)) args.push("--var", `${key}:${value}`);
  const child: ChildProcess = spawn("wrangler", args, {
    cwd: opts.cwd,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let log = "";
  child.stdout?.on("data", (d: Buffer) => (log += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (log += d.toString()));
  const url = `http://127.0.0.1:${port}`;

  const stop = async () => {
    if (child.exitCode === null && child.pid !== undefined) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    }
    rmSync(persist, { recursive: true, force: true });
  };

  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return { url, output: () => log, stop };
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`wrangler dev did not come up on ${url}:\n${log}`);
}
