// Deployments: a registry model served by several hosts (its own provider at other base URLs, or other providers).
// Each candidate of such a model becomes one candidate per usable host, in an order drawn by weight with the
// unhealthy ones last, so a failing host is skipped (or fallen back from) like any candidate; each host has its own
// health (its ref id is `<model>@<deployment>`) and the route report names the one that answered.
import type { Deployment, ProviderId } from "../config/schema.ts";
import type { ModelRef } from "../registry/model-registry.ts";
import { modelKey, type StatsSnapshot } from "../stats/snapshot.ts";
import type { Candidate, Exclusion } from "./plan-types.ts";

export interface DeploymentInput {
  configured: (provider: ProviderId) => boolean;
  /** Reads one env variable (the deployments' base URLs). */
  envValue: (name: string) => string | undefined;
  stats: StatsSnapshot;
  random: () => number;
  /**
   * The request's estimated cost on a host of another provider, which may price it otherwise (no service tier there);
   * absent: the model's estimate (an embedding is priced alike on every host).
   */
  estimate?: (ref: ModelRef) => number | null;
}

/** The ref of one host of a model. */
export function deploymentRef(ref: ModelRef, d: Deployment): ModelRef {
  return {
    provider: d.provider ?? ref.provider,
    id: `${ref.entry?.id ?? ref.id}@${d.name}`,
    upstreamId: d.upstream_id ?? ref.upstreamId,
    entry: ref.entry,
    deployment: { name: d.name, base_url_env: d.base_url_env ?? null },
  };
}

/** Whether the host is plainly unwell in the live stats: an open circuit, or a provider marked down. */
function unhealthy(ref: ModelRef, stats: StatsSnapshot): boolean {
  const model = stats.models[modelKey(ref.provider, ref.id)];
  const provider = stats.providers[ref.provider];
  return model?.circuit === "open" || provider?.status === "down" || provider?.misconfigured === true;
}

/** Weighted order without replacement: each draw picks a host with probability weight / remaining weight. */
function weightedOrder<T extends { weight: number }>(items: T[], random: () => number): T[] {
  const left = [...items];
  const out: T[] = [];
  while (left.length > 0) {
    const total = left.reduce((sum, x) => sum + x.weight, 0);
    let r = random() * total;
    let i = 0;
    for (; i < left.length - 1; i++) {
      r -= left[i]?.weight ?? 0;
      if (r < 0) break;
    }
    out.push(...left.splice(i, 1));
  }
  return out;
}

/** Replaces each candidate of a deployed model by its usable hosts; hosts that cannot be used are excluded. */
export function expandDeployments(
  candidates: Candidate[],
  input: DeploymentInput,
): { candidates: Candidate[]; excluded: Exclusion[] } {
  const out: Candidate[] = [];
  const excluded: Exclusion[] = [];
  for (const c of candidates) {
    const deployments = c.ref.entry?.deployments;
    if (deployments === undefined || deployments.length === 0 || c.ref.deployment !== undefined) {
      out.push(c);
      continue;
    }
    const usable: { d: Deployment; ref: ModelRef; weight: number }[] = [];
    for (const d of deployments) {
      const ref = deploymentRef(c.ref, d);
      if (!input.configured(ref.provider)) {
        excluded.push({
          provider: ref.provider,
          model: ref.id,
          reason: `deployment ${d.name}: ${ref.provider} is not configured`,
        });
        continue;
      }
      if (d.base_url_env !== undefined && (input.envValue(d.base_url_env) ?? "") === "") {
        excluded.push({
          provider: ref.provider,
          model: ref.id,
          reason: `deployment ${d.name}: ${d.base_url_env} is not set`,
        });
        continue;
      }
      usable.push({ d, ref, weight: d.weight });
    }
    const healthy = usable.filter((u) => !unhealthy(u.ref, input.stats));
    const sick = usable.filter((u) => unhealthy(u.ref, input.stats));
    for (const u of [...weightedOrder(healthy, input.random), ...weightedOrder(sick, input.random)]) {
      out.push({
        ...c,
        ref: u.ref,
        estimated_cost_usd:
          u.ref.provider === c.ref.provider || input.estimate === undefined
            ? c.estimated_cost_usd
            : input.estimate(u.ref),
        reasons: [
          ...c.reasons,
          `deployment ${u.d.name} (weight ${u.d.weight}${unhealthy(u.ref, input.stats) ? ", unhealthy: last" : ""})`,
        ],
      });
    }
  }
  return { candidates: out, excluded };
}

/** Whether the model's calls go to a host of its own (a deployment's base URL) rather than its provider's. */
export function ownHost(ref: ModelRef): boolean {
  return (ref.deployment?.base_url_env ?? null) !== null;
}

/**
 * What a connection or key failure takes down for the rest of a request: the provider, or, for a deployment on a host
 * of its own, that host alone.
 */
export function hostOf(ref: ModelRef): string {
  return ownHost(ref) ? `${ref.provider} at ${ref.deployment?.base_url_env}` : ref.provider;
}

/** The env a host's calls go out with: its base URL in place of the provider's, when it has its own. */
export function deploymentEnv<E extends object>(
  env: E,
  ref: ModelRef,
  baseUrlVar: (provider: ProviderId) => string,
): E {
  const name = ref.deployment?.base_url_env;
  if (name === null || name === undefined) return env;
  const url = (env as Record<string, unknown>)[name];
  return typeof url === "string" && url !== "" ? { ...env, [baseUrlVar(ref.provider)]: url } : env;
}
