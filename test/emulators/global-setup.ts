// Starts one provider emulator for a test project and hands its URL to the tests (inject("emulatorUrl")).
import type { TestProject } from "vitest/node";
import { startEmulator } from "./server.ts";

declare module "vitest" {
  export interface ProvidedContext {
    emulatorUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const emulator = await startEmulator();
  project.provide("emulatorUrl", emulator.url);
  return () => emulator.close();
}
