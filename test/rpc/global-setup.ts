// Starts the rpc project's emulator on the port vitest.config.ts gave its Worker's bindings, with the session "rpc"
// those bindings name (its tests set faults on it and read what reached the upstream).
import type { TestProject } from "vitest/node";
import { startEmulator } from "../emulators/server.ts";

declare module "vitest" {
  export interface ProvidedContext {
    emulatorUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const port = Number(process.env.SWITCHYARD_RPC_EMULATOR_PORT);
  const emulator = await startEmulator({ port, sessions: ["rpc"] });
  project.provide("emulatorUrl", emulator.url);
  return () => emulator.close();
}
