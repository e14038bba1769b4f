// End-to-end setup: the provider emulator, then `wrangler dev` with every provider pointed at it.
import type { TestProject } from "vitest/node";
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
  const gateway = await startWranglerDev(
    {
      SWITCHYARD_ENV: "development",
      ADMIN_KEY: "e2e-admin-key",
      ...emulatorVars(sessionlessBaseUrls(emulator.url), "e2e"),
    },
    { cwd: new URL("../..", import.meta.url).pathname },
  );
  project.provide("gatewayUrl", gateway.url);
  project.provide("emulatorUrl", emulator.url);
  return async () => {
    await gateway.stop();
    await emulator.close();
  };
}
