// The route report of one answered request: who answered, how it was chosen, who was tried, what it cost and took.
// The gateway returns it typed; each transport writes it its own way (HTTP: x-router-* headers and the x_router body
// field; RPC: the `route` field).
import type { ProviderId } from "../config/schema.ts";

export interface AttemptReport {
  provider: ProviderId;
  model: string;
  status: string;
  error: string | null;
  latency_ms: number;
  /** How the attempt joined, where it was not a plain try: a hedge, or a continuation or splice after the commit. */
  via?: "hedge" | "continuation" | "splice";
}

export interface RouteReport {
  provider: ProviderId;
  model: string;
  strategy: string;
  chain: string | null;
  attempts: AttemptReport[];
  /** null when the model that answered has no price in the registry (never a made-up price). */
  cost_usd: number | null;
  /** Present (true) when the provider sent no usage and `cost_usd` is the gateway's estimate, as the ledger bills it. */
  usage_estimated?: boolean;
  latency_ms: number;
  ttft_ms: number | null;
  warnings: string[];
  /** The deployment (host) of a model with `deployments` that answered (`x-router-deployment`); absent otherwise. */
  deployment?: string;
  /** The response cache's verdict (`x-router-cache`): hit (answered from the cache at $0), miss, or bypass. */
  cache?: "hit" | "miss" | "bypass";
}
