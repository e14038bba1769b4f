// Test projects: "workers" runs inside workerd (real D1 and Durable Objects), "rpc" calls the RPC entrypoint from an
// auxiliary consumer Worker, "node" holds the emulators and config checks, "e2e" drives a running `wrangler dev` with
// the official openai client, "browser" loads the dashboard from a running `wrangler dev` in headless Chromium.
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { freePort } from "./test/support/free-port.ts";

export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  // The rpc project's Worker reads its providers from bindings, fixed before any test runs: its emulator listens on a
  // port chosen here and started by test/rpc/global-setup.ts.
  const rpcPort = Number(process.env.SWITCHYARD_RPC_EMULATOR_PORT ?? (await freePort()));
  process.env.SWITCHYARD_RPC_EMULATOR_PORT = String(rpcPort);
  // The session "rpc" is made when the emulator starts (test/rpc/global-setup.ts).
  const rpcEmulator = `http://127.0.0.1:${rpcPort}/s/rpc`;
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
