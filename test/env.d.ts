// Bindings the test configuration adds to the Worker's own.
import type { D1Migration } from "@cloudflare/vitest-plugin";
import type { Env as WorkerEnv } from "../src/env.ts";

declare global {
  namespace Cloudflare {
    /** Types `exports` from cloudflare:workers after the Worker's own entry module. */
    interface GlobalProps {
      mainModule: typeof import("../src/index.ts");
    }
    interface Env extends WorkerEnv {
      TEST_MIGRATIONS: D1Migration[];
      /** The rpc project's auxiliary consumer Worker (docs/examples/consumer-worker). */
      CONSUMER: Fetcher;
      /** The isolates project's second Switchyard Worker (vitest.config.ts), sharing the runner's Durable Objects. */
      SECOND: Fetcher;
    }
  }
}

declare module "vitest" {
  export interface ProvidedContext {
    emulatorUrl: string;
    /** test/support/receiver.ts: where trace exports and webhooks are sent in tests. */
    receiverUrl: string;
  }
}
