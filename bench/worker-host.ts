// Runs one Worker bundle under workerd through miniflare's API (not `wrangler dev`), on a direct socket, until stdin closes.
//
//   node bench/worker-host.ts '<json HostSpec>'
//
// Prints one line `READY {"url","inspector","workerName","workerdPid"}` when it serves. Switchyard gets every binding
// wrangler.toml declares (vars, D1 with its migrations applied, Durable Objects, the dashboard's static assets), read
// when it starts, so the bench follows the config as it grows; a caller may leave bindings out by name (the bench leaves
// ASSETS out: with it, miniflare runs its assets router in front of the Worker for every request).
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { convertV4MiniflareOptions, Miniflare, type V4MiniflareOptions } from "miniflare";
import { unstable_getMiniflareWorkerOptions, unstable_readConfig, unstable_splitSqlQuery } from "wrangler";

export interface HostSpec {
  kind: "bare" | "switchyard";
  /** The bundle to run (an ES module Worker). */
  scriptPath: string;
  /** Where the Worker's upstream provider is (the bench emulator). */
  upstream: string;
  port: number;
  inspectorPort: number;
  /** Repository root (where wrangler.toml is). */
  root: string;
  /** Bindings to leave out: Durable Objects', D1's or ASSETS (A/B experiments, e.g. ["STATS"]; the bench drops ASSETS). */
  drop?: string[];
}

function switchyardOptions(spec: HostSpec): { options: V4MiniflareOptions; migrations: Map<string, string[]> } {
  const configPath = join(spec.root, "wrangler.toml");
  const { workerOptions } = unstable_getMiniflareWorkerOptions(configPath);
  const config = unstable_readConfig({ config: configPath });
  // A/B experiments leave bindings out by name: a Durable Object's, D1's, or ASSETS (the static assets, and with them
  // the assets router in front of the Worker).
  const drop = new Set(spec.drop ?? []);
  // Each D1 binding's migrations, in file order, as wrangler's `d1 migrations apply` would run them.
  const migrations = new Map<string, string[]>();
  for (const db of config.d1_databases.filter((d: { binding: string }) => !drop.has(d.binding))) {
    const dir = resolve(spec.root, db.migrations_dir ?? "migrations");
    let files: string[] = [];
    try {
      files = readdirSync(dir)
        .filter((f) => f.endsWith(".sql"))
        .sort();
    } catch {
      files = [];
    }
    migrations.set(
      db.binding,
      files.flatMap((f) => unstable_splitSqlQuery(readFileSync(join(dir, f), "utf8"))),
    );
  }
  // The bundle is already built: module rules (for wrangler's bundler) have no meaning for it.
  const { modulesRules: _rules, ...configured } = workerOptions;
  const fromConfig: typeof configured = {
    ...configured,
    ...(drop.has("ASSETS") ? { assets: undefined } : {}),
    d1Databases: Object.fromEntries(
      Object.entries((configured.d1Databases ?? {}) as Record<string, unknown>).filter(([b]) => !drop.has(b)),
    ),
  };
  const worker = {
    ...fromConfig,
    rootPath: spec.root,
    modules: true,
    scriptPath: spec.scriptPath,
    bindings: {
      ...(fromConfig.bindings as Record<string, unknown>),
      SWITCHYARD_ENV: "development",
      OPENAI_BASE_URL: `${spec.upstream}/v1`,
      OPENAI_API_KEY: "sk-bench-dummy",
    },
  };
  // On Cloudflare a Durable Object lives in its own isolate (often on another machine); workerd would run a
  // script's own objects inside the Worker's isolate. So the same bundle runs twice: "switchyard" serves requests
  // and reaches every object it defines in "switchyard-objects", as a deployed Worker reaches its objects.
  const own = Object.fromEntries(
    Object.entries((fromConfig.durableObjects ?? {}) as Record<string, Record<string, unknown>>).filter(
      ([binding]) => !drop.has(binding),
    ),
  );
  const remote = Object.fromEntries(
    Object.entries(own).map(([binding, d]) => [
      binding,
      d.scriptName === undefined ? { ...d, scriptName: OBJECTS } : d,
    ]),
  );
  const options = {
    workers: [
      {
        ...worker,
        name: "switchyard",
        durableObjects: remote,
        unsafeDirectSockets: [{ host: "127.0.0.1", port: spec.port }],
      },
      { ...worker, name: OBJECTS },
    ],
    inspectorPort: spec.inspectorPort,
    // Miniflare's own entry socket; the bench never uses it but it must not collide with anything.
    host: "127.0.0.1",
    port: 0,
  } as V4MiniflareOptions;
  return { options, migrations };
}

/** The worker that hosts Switchyard's Durable Objects, apart from the one that serves requests. */
export const OBJECTS = "switchyard-objects";

function bareOptions(spec: HostSpec): V4MiniflareOptions {
  const config = unstable_readConfig({ config: join(spec.root, "wrangler.toml") });
  return {
    name: "bare",
    modules: true,
    scriptPath: spec.scriptPath,
    // The same runtime settings as Switchyard, so the two differ only in the code they run.
    compatibilityDate: config.compatibility_date,
    compatibilityFlags: config.compatibility_flags,
    bindings: { UPSTREAM: spec.upstream },
    unsafeDirectSockets: [{ host: "127.0.0.1", port: spec.port }],
    inspectorPort: spec.inspectorPort,
    host: "127.0.0.1",
    port: 0,
  } as V4MiniflareOptions;
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? "{}") as HostSpec;
  const built =
    spec.kind === "switchyard"
      ? switchyardOptions(spec)
      : { options: bareOptions(spec), migrations: new Map<string, string[]>() };
  // wrangler hands out options in miniflare 4's shape; this miniflare takes its own and converts.
  const mf = new Miniflare(convertV4MiniflareOptions(built.options));
  const stop = () => {
    void mf.dispose().finally(() => process.exit(0));
  };
  process.stdin.on("end", stop);
  process.stdin.resume();
  process.on("SIGTERM", stop);
  await mf.ready;
  for (const [binding, statements] of built.migrations) {
    if (statements.length === 0) continue;
    const db = await mf.getD1Database(binding, spec.kind === "switchyard" ? "switchyard" : undefined);
    await db.batch(statements.map((sql) => db.prepare(sql)));
  }
  const workerName = spec.kind === "switchyard" ? "switchyard" : "bare";
  process.stdout.write(
    `READY ${JSON.stringify({ url: `http://127.0.0.1:${spec.port}`, inspector: `127.0.0.1:${spec.inspectorPort}`, workerName })}\n`,
  );
}

// Run only as the child process; the bench itself imports this file for its types and OBJECTS.
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((err: unknown) => {
    console.error("worker host failed:", err);
    process.exit(1);
  });
}
