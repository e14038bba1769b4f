// Zod schemas for the two configuration files (configs/models.yml, configs/llm_fallback.yml); the types derive from them.
// Loaded by the config compiler (scripts/compile-config.ts), the tests and type imports, not by the Worker's code: it
// runs on the compiled, validated config (index.ts). The names and enums it checks at run time are in names.ts.
import * as z from "zod/mini";
import {
  CAPABILITIES,
  CapabilitySchema,
  CHAIN_NAMES,
  DIFFICULTY_CLASSES,
  type DifficultyClass,
  MODEL_TYPES,
  PROVIDER_IDS,
  ProviderIdSchema,
  ServiceTierSchema,
  StrategySchema,
} from "./names.ts";

export * from "./names.ts";

const usdPerMillion = z.number().check(z.nonnegative());

/**
 * A prompt-cache write price: one number where the provider has one write price (OpenAI's explicit writes), or the
 * 5-minute and 1-hour prices where they differ (Anthropic). Parsed to the two-TTL form either way.
 */
const CacheWriteSchema = z.pipe(
  z.union([usdPerMillion, z.strictObject({ "5m": usdPerMillion, "1h": usdPerMillion })]),
  z.transform((v) => (typeof v === "number" ? { "5m": v, "1h": v } : v)),
);
export type CacheWritePrices = z.infer<typeof CacheWriteSchema>;

/** Prices above a prompt-size threshold: once a request's prompt passes it, the whole request is billed here. */
export const PriceTierSchema = z.strictObject({
  /** Prompt tokens (input, cache reads and cache writes together) above which this tier applies. */
  above_input_tokens: z.int().check(z.positive()),
  input: usdPerMillion,
  output: usdPerMillion,
  /** Cache-read price in this tier; null or absent: billed as this tier's input. */
  cached_input: z._default(z.nullable(usdPerMillion), null),
  /** Cache-write prices in this tier; absent: this tier's input price. */
  cache_write: z.optional(CacheWriteSchema),
});
export type PriceTier = z.infer<typeof PriceTierSchema>;

export const PricingSchema = z
  .strictObject({
    input: usdPerMillion,
    output: usdPerMillion,
    /** The cache-read price ("cache hits"). null: the provider has no discount here; cached tokens bill as input. */
    cached_input: z.nullable(usdPerMillion),
    /** Prompt-cache writes (Anthropic's 5-minute and 1-hour writes, OpenAI's explicit writes); absent: input price. */
    cache_write: z.optional(CacheWriteSchema),
    /** Long-context tiers, thresholds ascending: the highest threshold the prompt passes prices the whole request. */
    tiers: z._default(z.array(PriceTierSchema), []),
    /** Multipliers on every price above for the service tiers this model offers (flex 0.5, priority 2, ...). */
    service_tiers: z._default(z.partialRecord(ServiceTierSchema, z.number().check(z.positive())), {}),
    /** The date these prices took effect (or were last confirmed, where the provider publishes no date). */
    effective_from: z.iso.date(),
    /** Where the prices were read: the provider's page, and a note where sources disagree. */
    source: z.string().check(z.minLength(1)),
  })
  .check(
    z.superRefine((p, ctx) => {
      p.tiers.forEach((t, i) => {
        const prev = p.tiers[i - 1];
        if (prev !== undefined && t.above_input_tokens <= prev.above_input_tokens) {
          ctx.addIssue({
            code: "custom",
            path: ["tiers", i, "above_input_tokens"],
            message: "tier thresholds must ascend",
          });
        }
      });
    }),
  );
export type Pricing = z.infer<typeof PricingSchema>;

/**
 * One host of a model: its own provider (default: the model's), or the model's provider at another base URL (read
 * from the env variable `base_url_env`, so the URL stays out of the config), with a weight.
 */
export const DeploymentSchema = z.strictObject({
  name: z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, "lower-case letters, digits, - and _, at most 32")),
  provider: z.optional(ProviderIdSchema),
  base_url_env: z.optional(z.string().check(z.regex(/^[A-Z][A-Z0-9_]{0,63}$/, "an env variable name (A-Z, 0-9, _)"))),
  /** The id this host knows the model by, when it differs. */
  upstream_id: z.optional(z.string().check(z.minLength(1))),
  weight: z._default(z.number().check(z.positive(), z.lte(1000)), 1),
});
export type Deployment = z.infer<typeof DeploymentSchema>;

export const ModelEntrySchema = z
  .strictObject({
    id: z.string().check(z.minLength(1)),
    provider: ProviderIdSchema,
    name: z.string().check(z.minLength(1)),
    /** chat (the default) or embedding; chat routing never picks an embedding model. */
    type: z._default(z.enum(MODEL_TYPES), "chat"),
    /** An embedding model's vector length (its default, where `dimensions` can shorten it). */
    dimensions: z.optional(z.int().check(z.positive())),
    /** The id sent upstream when it differs from `id` (a renamed or retired model kept as an alias target). */
    upstream_id: z.optional(z.string().check(z.minLength(1))),
    aliases: z._default(z.array(z.string().check(z.minLength(1))), []),
    pricing: PricingSchema,
    context_window: z.int().check(z.positive()),
    /** Output cap; for an embedding model, which generates no tokens, it is the input limit (= context_window). */
    max_output: z.int().check(z.positive()),
    capabilities: z.array(CapabilitySchema),
    quality: z.number().check(z.gte(0), z.lte(1)),
    typical_latency_ms: z.int().check(z.positive()),
    typical_ttft_ms: z.int().check(z.positive()),
    /** Models kept resolvable for old callers but not chosen by `auto` routing. */
    legacy: z._default(z.boolean(), false),
    /** Whether the model continues an assistant message given as the last turn (used for stream continuation). */
    accepts_prefill: z._default(z.boolean(), false),
    /** Several hosts of this model, spread by weight and live health (docs/LLM_PROVIDERS.md, Capacity). */
    deployments: z.optional(z.array(DeploymentSchema).check(z.maxLength(16))),
  })
  .check(
    z.superRefine((m, ctx) => {
      if (m.type === "embedding" && m.dimensions === undefined)
        ctx.addIssue({ code: "custom", path: ["dimensions"], message: "an embedding model needs dimensions" });
      if (m.type === "chat" && m.dimensions !== undefined)
        ctx.addIssue({ code: "custom", path: ["dimensions"], message: "only embedding models have dimensions" });
      const names = (m.deployments ?? []).map((d) => d.name);
      if (new Set(names).size !== names.length)
        ctx.addIssue({ code: "custom", path: ["deployments"], message: "deployment names must be unique" });
      if (m.type === "embedding" && m.pricing.output !== 0)
        ctx.addIssue({
          code: "custom",
          path: ["pricing", "output"],
          message: "an embedding model bills input only (0)",
        });
    }),
  );
export type ModelEntry = z.infer<typeof ModelEntrySchema>;

export const ModelsFileSchema = z.strictObject({ models: z.array(ModelEntrySchema).check(z.minLength(1)) }).check(
  z.superRefine((file, ctx) => {
    // Every id and alias must resolve to exactly one model, within its provider and globally.
    const seen = new Map<string, { index: number; owner: string }>();
    file.models.forEach((m, i) => {
      for (const [j, name] of [m.id, ...m.aliases].entries()) {
        const prev = seen.get(name);
        // The same name twice on one entry is harmless; on two entries (even of one provider) it is ambiguous.
        if (prev !== undefined && prev.index !== i) {
          ctx.addIssue({
            code: "custom",
            path: ["models", i, ...(j === 0 ? ["id"] : ["aliases", j - 1])],
            message: `"${name}" already names ${prev.owner}; ids and aliases must be unique`,
          });
        }
        seen.set(name, { index: i, owner: `${m.provider}/${m.id}` });
      }
      if (m.max_output > m.context_window) {
        ctx.addIssue({
          code: "custom",
          path: ["models", i, "max_output"],
          message: "max_output cannot exceed context_window",
        });
      }
    });
  }),
);
export type ModelsFile = z.infer<typeof ModelsFileSchema>;

const ms = z.int().check(z.nonnegative());
/** A clock: a zero one would run out before any provider could answer. */
const clockMs = z.int().check(z.positive());

export const TimeoutsSchema = z.strictObject({
  /** Time from sending the request to the response headers. */
  headers_ms: clockMs,
  /** Time from sending the request to the first content token. */
  first_token_ms: clockMs,
  /** Longest silence allowed between two stream chunks. */
  idle_ms: clockMs,
  /** One deadline for the whole request, all candidates included. */
  total_ms: clockMs,
});
export type Timeouts = z.infer<typeof TimeoutsSchema>;

export const ChainSchema = z.strictObject({
  description: z.string(),
  /** provider/model references, tried in order. */
  models: z.array(z.string().check(z.regex(/^[a-z]+\/.+$/, "expected provider/model"))).check(z.minLength(1)),
  /** Order the chain by a strategy instead of as listed (omitted: as listed). */
  strategy: z.optional(StrategySchema),
});
export type Chain = z.infer<typeof ChainSchema>;

const weights = z.strictObject({
  cost: z.number().check(z.gte(0)),
  latency: z.number().check(z.gte(0)),
  quality: z.number().check(z.gte(0)),
});

const DifficultyClassSchema = z.strictObject({
  description: z.string(),
  /** `balanced` picks the cheapest candidate whose registry quality is at least this. */
  quality_floor: z.number().check(z.gte(0), z.lte(1)),
});

export const FallbackFileSchema = z.strictObject({
  defaults: z.strictObject({
    strategy: StrategySchema,
    fallback: z.boolean(),
    prefer_local: z.boolean(),
    /** How many candidates a plan may hold at most. */
    max_candidates: z.int().check(z.positive()),
  }),
  strategies: z.strictObject({
    balanced: z.strictObject({ weights }),
    /** Share of requests on which latency_optimized promotes the least recently measured candidate. */
    latency_optimized: z.strictObject({ exploration_rate: z.number().check(z.gte(0), z.lte(1)) }),
  }),
  chains: z
    .record(z.string().check(z.regex(/^[A-Z][A-Z0-9_]*$/, "chain names are UPPER_SNAKE_CASE")), ChainSchema)
    .check(
      z.superRefine((chains, ctx) => {
        for (const name of CHAIN_NAMES) {
          if (!(name in chains))
            ctx.addIssue({ code: "custom", path: [name], message: `the ${name} chain is required` });
        }
      }),
    ),
  task_types: z.record(
    z.string().check(z.regex(/^[a-z][a-z0-9_]*$/, "task type names are lower_snake_case")),
    z.strictObject({
      chain: z.optional(z.string()),
      strategy: z.optional(StrategySchema),
      capabilities: z.optional(z.array(CapabilitySchema)),
    }),
  ),
  retry: z.strictObject({
    /** Attempts on one candidate, the first included. */
    max_attempts: z.int().check(z.gte(1), z.lte(5)),
    base_delay_ms: ms,
    max_delay_ms: ms,
    /** A Retry-After longer than this skips the candidate instead of waiting. */
    max_retry_after_ms: ms,
  }),
  timeouts: TimeoutsSchema,
  /** Failing over after the commit point and the clocks that adapt to each candidate (docs/failover.md). */
  rescue: z.strictObject({
    /** Malformed chunks in a row after the commit point that fail the attempt (fewer are skipped and counted). */
    malformed_run_limit: z.int().check(z.positive()),
    /** The first-token clock of a candidate with a live TTFT p95: max(floor, multiple x p95). */
    first_token_floor_ms: ms,
    first_token_p95_multiple: z.number().check(z.positive()),
    /** Continue a broken stream on a candidate that takes an assistant prefill, or splice a restart onto it. */
    continuation: z.boolean(),
    /** Hedging when a request does not say (router.hedge / x-router-hedge): per strategy, auto or off. */
    hedge_default: z.partialRecord(StrategySchema, z.enum(["auto", "off"])),
    /** The hedge delay of a candidate without a live TTFT p95 (auto). */
    hedge_fallback_delay_ms: ms,
  }),
  circuit: z.strictObject({
    /** Consecutive failures that open a circuit. */
    failure_threshold: z.int().check(z.positive()),
    /** Failure rate over the window that opens a circuit, once min_requests were seen. */
    failure_rate: z.number().check(z.gt(0), z.lte(1)),
    min_requests: z.int().check(z.positive()),
    window_ms: z.int().check(z.positive()),
    cooldown_ms: z.int().check(z.positive()),
    /** A failed probe reopens the circuit for longer each time, never longer than this. */
    max_cooldown_ms: z.int().check(z.positive()),
    /** Each cooldown is shortened by a random share of up to this (0..0.5), so isolates and circuits do not probe in step. */
    cooldown_jitter: z.number().check(z.gte(0), z.lte(0.5)),
    /** Requests after a successful probe during which traffic ramps back (half the candidates, then all). */
    ramp_requests: z.int().check(z.nonnegative()),
  }),
  budgets: z.strictObject({
    default_period: z.enum(["day", "month"]),
    default_alert_threshold: z.number().check(z.gt(0), z.lte(1)),
  }),
  features: z.strictObject({
    /** Store prompts and completions in D1 (off: only tokens, cost and route). */
    store_prompts: z.boolean(),
  }),
  /** The exact-match response cache (src/cache/): opt-in per request, or per workspace here. */
  response_cache: z._default(
    z.strictObject({
      /** The longest a cached answer is kept, whatever a request asks (seconds). */
      max_ttl_s: z.int().check(z.positive(), z.lte(2_592_000)),
      /** Workspaces whose requests are cached by default, and for how long (a request's own ttl_s wins). */
      workspace_ttl_s: z._default(
        z.record(z.string().check(z.minLength(1), z.maxLength(128)), z.int().check(z.nonnegative())),
        {},
      ),
    }),
    { max_ttl_s: 86_400, workspace_ttl_s: {} },
  ),
  retention: z.strictObject({
    /** Request rows older than this are folded into daily rollups by the cron. */
    request_days: z.int().check(z.positive()),
    /** Stored Responses API answers (`store: true`) are kept this long, then deleted by the same cron. */
    responses_days: z._default(z.int().check(z.positive()), 30),
  }),
  difficulty: z.strictObject({
    /** Estimated prompt tokens from which a request counts as long context. */
    long_context_tokens: z.int().check(z.positive()),
    classes: z.strictObject(
      Object.fromEntries(DIFFICULTY_CLASSES.map((c) => [c, DifficultyClassSchema])) as Record<
        DifficultyClass,
        typeof DifficultyClassSchema
      >,
    ),
  }),
  price_book: z.strictObject({
    /** A registry price whose effective_from is older than this many days is flagged stale in GET /v1/models. */
    max_price_age_days: z.int().check(z.positive()),
  }),
});
export type FallbackFile = z.infer<typeof FallbackFileSchema>;

/** Formats zod issues as `file: path: message` lines, so a bad config names where and what. */
export function describeIssues(file: string, error: z.core.$ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.map(String).join(".") : "(root)";
      // A record's bad key: zod says only "Invalid key in record"; the key's own check says what a key must be.
      const inner = issue.code === "invalid_key" ? issue.issues[0]?.message : undefined;
      return `${file}: ${path}: ${inner === undefined ? issue.message : `${issue.message}: ${inner}`}`;
    })
    .join("\n");
}
