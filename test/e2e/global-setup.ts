// End-to-end setup: the provider emulator, then `wrangler dev` serving the deployed build (scripts/build.ts, what
// `npm run deploy` uploads) with every provider pointed at it, so the official clients meet the minified Worker itself.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { buildWorker } from "../../scripts/build.ts";
import { startEmulator } from "../emulators/server.ts";
import { emulatorVars, sessionlessBaseUrls } from "../support/emulator-vars.ts";
import { startWranglerDev } from "../support/wrangler-dev.ts";

declare module "vitest" {
  export interface ProvidedContext {
    gatewayUrl: string;
    emulatorUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const emulator = await startEmulator();
  const out = mkdtempSync(join(tmpdir(), "switchyard-e2e-build-"));
  const script = await buildWorker(out);
  const gateway = await startWranglerDev(
    {
      SWITCHYARD_ENV: "development",
      ADMIN_KEY: "e2e-admin-key",
      ...emulatorVars(sessionlessBaseUrls(emulator.url), "e2e"),
    },
    { cwd: new URL("../..", import.meta.url).pathname, script },
  );
  project.provide("gatewayUrl", gateway.url);
  project.provide("emulatorUrl", emulator.url);
  return async () => {
    await gateway.stop();
    await emulator.close();
    rmSync(out, { recursive: true, force: true });
  };
}
