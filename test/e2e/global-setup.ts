// End-to-end setup: the provider emulator, then `wrangler dev` with every provider pointed at it.
import type { TestProject } from "vitest/node";
import { startEmulator } from "../emulators/server.ts";
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
      OPENAI_API_KEY: "sk-e2e-openai",
      ANTHROPIC_API_KEY: "sk-ant-e2e",
      MISTRAL_API_KEY: "e2e-mistral",
      TOGETHER_API_KEY: "e2e-together",
      OPENAI_BASE_URL: `${emulator.url}/openai/v1`,
      ANTHROPIC_BASE_URL: `${emulator.url}/anthropic`,
      MISTRAL_BASE_URL: `${emulator.url}/mistral/v1`,
      TOGETHER_BASE_URL: `${emulator.url}/together/v1`,
      OLLAMA_BASE_URL: `${emulator.url}/ollama`,
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
