// Starts the isolates project's emulator on the port vitest.config.ts gave both Workers' bindings, with the session
// "isolates" those bindings name.
import type { TestProject } from "vitest/node";
import { startEmulator } from "../../../emulators/server.ts";

declare module "vitest" {
  export interface ProvidedContext {
    emulatorUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const port = Number(process.env.SWITCHYARD_ISOLATES_EMULATOR_PORT);
  const emulator = await startEmulator({ port, sessions: ["isolates"] });
  project.provide("emulatorUrl", emulator.url);
  return () => emulator.close();
}
