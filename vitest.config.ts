// Test projects: "workers" runs inside workerd (real D1 and Durable Objects), "rpc" calls the RPC entrypoint from an
// auxiliary consumer Worker, "node" holds the emulators and config checks, "e2e" drives the deployed build (scripts/build.ts)
// under a running `wrangler dev --no-bundle` with the official clients, "browser" loads the dashboard from a running `wrangler dev` in headless Chromium;
// "isolates" runs a second, separately bundled Switchyard Worker beside the one under test, sharing its Durable Objects.
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { buildSync } from "esbuild";
import { configDefaults, defineConfig } from "vitest/config";
import { freePort } from "./test/support/free-port.ts";

export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  // The rpc project's Worker reads its providers from bindings, fixed before any test runs: its emulator listens on a
  // port chosen here and started by test/rpc/global-setup.ts.
  const rpcPort = Number(process.env.SWITCHYARD_RPC_EMULATOR_PORT ?? (await freePort()));
  process.env.SWITCHYARD_RPC_EMULATOR_PORT = String(rpcPort);
  // The session "rpc" is made when the emulator starts (test/rpc/global-setup.ts).
  const rpcEmulator = `http://127.0.0.1:${rpcPort}/s/rpc`;
  // The isolates project: its own emulator (test/worker/capacity/isolates/global-setup.ts), and Switchyard bundled a
  // second time as an auxiliary Worker (its own module state: caches, rotation, counters) bound to the runner's
  // Durable Objects, so a limit is shown holding across two Worker instances.
  const isolatesPort = Number(process.env.SWITCHYARD_ISOLATES_EMULATOR_PORT ?? (await freePort()));
  process.env.SWITCHYARD_ISOLATES_EMULATOR_PORT = String(isolatesPort);
  const isolatesEmulator = `http://127.0.0.1:${isolatesPort}/s/isolates`;
  const isolatesVars = {
    SWITCHYARD_ENV: "production",
    ADMIN_KEY: "admin-key-for-isolate-tests-0123456789",
    STATS_FLUSH_MS: "0",
    LEDGER_FLUSH_MS: "0",
    OPENAI_API_KEY: "sk-isolates-openai",
    OPENAI_BASE_URL: `${isolatesEmulator}/openai/v1`,
    LLM_ROUTING_STRATEGY: "balanced",
    LLM_ENABLE_FALLBACK: "false",
  };
  const secondWorker = "test/artifacts/switchyard-second-worker.js";
  buildSync({
    entryPoints: ["src/index.ts"],
    bundle: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["browser", "module", "main"],
    external: ["cloudflare:*", "node:*"],
    outfile: secondWorker,
    logLevel: "warning",
  });
  const runnerObject = (className: string) => ({ className, scriptName: "vitest-plugin-runner-isolates" });
  return {
    test: {
      projects: [
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                // Writes after the response go out at once here (no batching delay), so a test that waits for its
                // request's waitUntil sees its ledger rows and stats; test/worker/batching covers the batching itself.
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  SWITCHYARD_ENV: "development",
                  STATS_FLUSH_MS: "0",
                  LEDGER_FLUSH_MS: "0",
                },
              },
            }),
          ],
          test: {
            name: "workers",
            include: ["test/worker/**/*.test.ts"],
            exclude: [...configDefaults.exclude, "test/worker/capacity/isolates/**"],
            globalSetup: ["test/emulators/global-setup.ts", "test/support/receiver-setup.ts"],
            setupFiles: ["test/worker/apply-migrations.ts"],
          },
        },
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  SWITCHYARD_ENV: "development",
                  STATS_FLUSH_MS: "0",
                  LEDGER_FLUSH_MS: "0",
                  OPENAI_API_KEY: "sk-rpc-openai",
                  ANTHROPIC_API_KEY: "sk-ant-rpc",
                  OPENAI_BASE_URL: `${rpcEmulator}/openai/v1`,
                  ANTHROPIC_BASE_URL: `${rpcEmulator}/anthropic`,
                },
                // AbortSignal crosses Workers RPC only under this flag (experimental in workerd): test/rpc/cancel.test.ts
                // passes the caller's signal to generate() and stream().
                compatibilityFlags: ["enable_request_signal", "enable_abortsignal_rpc"],
                serviceBindings: { CONSUMER: "consumer" },
                workers: [
                  {
                    name: "consumer",
                    modules: true,
                    scriptPath: "./docs/examples/consumer-worker/index.js",
                    compatibilityDate: "2026-10-01",
                    // The Worker under test runs as the pool's runner, named after the project (vitest-plugin-runner-<project>).
                    serviceBindings: { SWITCHYARD: { name: "vitest-plugin-runner-rpc", entrypoint: "SwitchyardRpc" } },
                  },
                ],
              },
            }),
          ],
          test: {
            name: "rpc",
            include: ["test/rpc/**/*.test.ts"],
            // One emulator session for the whole project: a file's faults must not reach another file's calls.
            fileParallelism: false,
            globalSetup: ["test/rpc/global-setup.ts"],
            setupFiles: ["test/worker/apply-migrations.ts"],
          },
        },
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: { TEST_MIGRATIONS: migrations, ...isolatesVars },
                serviceBindings: { SECOND: "switchyard-second" },
                workers: [
                  {
                    name: "switchyard-second",
                    modules: true,
                    scriptPath: `./${secondWorker}`,
                    compatibilityDate: "2026-10-01",
                    compatibilityFlags: ["enable_request_signal"],
                    bindings: isolatesVars,
                    // The dashboard's files, as wrangler.toml's [assets] gives them to the Worker under test.
                    assets: {
                      directory: "./assets",
                      binding: "ASSETS",
                      run_worker_first: true,
                      routerConfig: { has_user_worker: true },
                      assetConfig: { html_handling: "none", not_found_handling: "none" },
                    },
                    // The same D1 database (by id) and the runner's own Durable Objects: one budget, one directory.
                    d1Databases: { DB: "00000000-0000-0000-0000-000000000000" },
                    durableObjects: {
                      BUDGETS: runnerObject("BudgetObject"),
                      GOVERNANCE: runnerObject("GovernanceDirectory"),
                      STATS: runnerObject("StatsObject"),
                    },
                  },
                ],
              },
            }),
          ],
          test: {
            name: "isolates",
            include: ["test/worker/capacity/isolates/**/*.test.ts"],
            globalSetup: ["test/worker/capacity/isolates/global-setup.ts"],
            setupFiles: ["test/worker/apply-migrations.ts"],
          },
        },
        {
          test: {
            name: "node",
            environment: "node",
            include: ["test/emulators/**/*.test.ts", "test/config/**/*.test.ts", "test/node/**/*.test.ts"],
          },
        },
        {
          test: {
            name: "browser",
            environment: "node",
            include: ["test/browser/**/*.test.ts"],
            globalSetup: ["test/browser/global-setup.ts"],
            testTimeout: 30_000,
            hookTimeout: 60_000,
          },
        },
        {
          test: {
            name: "e2e",
            environment: "node",
            include: ["test/e2e/**/*.test.ts"],
            globalSetup: ["test/e2e/global-setup.ts"],
            testTimeout: 30_000,
            hookTimeout: 60_000,
          },
        },
      ],
    },
  };
});
