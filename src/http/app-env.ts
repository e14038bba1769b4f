// Hono's type parameters for this app: bindings, and what middleware puts on the context.
import type { Env } from "../env.ts";
import type { AppServices } from "../gateway/services.ts";
import type { Caller } from "../keys/caller.ts";
import type { ModelRegistry } from "../registry/model-registry.ts";
import type { StatsSnapshot } from "../stats/snapshot.ts";

export type { AppServices };

export interface AppEnv {
  Bindings: Env;
  Variables: {
    app: AppServices;
    requestId: string;
    caller: Caller;
    /** The cross-origin caller's origin once it was allowed: the response gets CORS headers for it. */
    corsOrigin: string | null;
    registry: ModelRegistry;
    stats: StatsSnapshot;
    /** The workspace a model route's controls named (router.workspace_id, x-router-workspace), once they were read. */
    namedWorkspace: string;
  };
}
