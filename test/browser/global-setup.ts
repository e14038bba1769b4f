// Browser-test setup: the provider emulator, one emulator session (streams 40 ms a chunk, faults switchable), and
// `wrangler dev` with every provider pointed at that session.
import type { TestProject } from "vitest/node";
import { startEmulator } from "../emulators/server.ts";
import { emulatorVars } from "../support/emulator-vars.ts";
import { startWranglerDev } from "../support/wrangler-dev.ts";
import { BROWSER_KEY_LABEL } from "./keys.ts";

declare module "vitest" {
  export interface ProvidedContext {
    gatewayUrl: string;
    emulatorUrl: string;
    sessionId: string;
    adminKey: string;
  }
}

export const ADMIN_KEY = "browser-admin-key-0123456789";

export default async function setup(project: TestProject) {
  const emulator = await startEmulator();
  const created = await fetch(`${emulator.url}/__emulator/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ chunk_delay_ms: 40 }),
  });
  const session = (await created.json()) as { id: string; base_urls: Record<string, string> };
  let gateway: Awaited<ReturnType<typeof startWranglerDev>>;
  try {
    gateway = await startWranglerDev(
      {
        SWITCHYARD_ENV: "development",
        ADMIN_KEY,
        ...emulatorVars(session.base_urls, BROWSER_KEY_LABEL),
      },
      { cwd: new URL("../..", import.meta.url).pathname },
    );
  } catch (err) {
    await emulator.close();
    throw err;
  }
  project.provide("gatewayUrl", gateway.url);
  project.provide("emulatorUrl", emulator.url);
  project.provide("sessionId", session.id);
  project.provide("adminKey", ADMIN_KEY);
  return async () => {
    await gateway.stop();
    await emulator.close();
  };
}
