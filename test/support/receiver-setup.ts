// Starts the receiver of trace exports and webhooks (test/support/receiver.ts) for a test project: inject("receiverUrl").
import type { TestProject } from "vitest/node";
import { startReceiver } from "./receiver.ts";

declare module "vitest" {
  export interface ProvidedContext {
    receiverUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const receiver = await startReceiver();
  project.provide("receiverUrl", receiver.url);
  return () => receiver.close();
}
