// Routing controls from the body's `router` object and the x-router-* headers (the header wins), validated.
import * as z from "zod/mini";
import { CapabilitySchema, StrategySchema } from "../config/names.ts";
import { GatewayError } from "../core/gateway-error.ts";
import { type RouterControls, RouterControlsSchema } from "../core/router-controls.ts";
import { HEADER_FIELDS } from "./control-params.ts";

const bool = z.pipe(
  z.enum(["true", "false"]),
  z.transform((v) => v === "true"),
);
/**
 * A header's number, written in decimal: what Number() alone would also take ("0x10", "", " ", "Infinity") is refused.
 */
const decimal = z.pipe(
  z.string().check(z.regex(/^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/, "must be a decimal number")),
  z.transform(Number),
);
const wholeNumber = z.pipe(z.string().check(z.regex(/^\d+$/, "must be a whole number")), z.transform(Number));
const positive = z.pipe(decimal, z.number().check(z.positive()));
const nonNegative = z.pipe(decimal, z.number().check(z.nonnegative(), z.lte(Number.MAX_VALUE)));
const positiveInt = z.pipe(wholeNumber, z.number().check(z.int(), z.positive()));
const nonNegativeInt = z.pipe(wholeNumber, z.number().check(z.int(), z.nonnegative()));
const id = z.string().check(z.minLength(1), z.maxLength(128));

/** Header name -> how to read it into the body's `router` field of the same meaning. */
const HEADERS = {
  "x-router-strategy": ["strategy", StrategySchema],
  "x-router-chain": ["chain", id],
  "x-router-capabilities": [
    "capabilities",
    z.pipe(
      z.pipe(
        z.string(),
        z.transform((v) =>
          v
            .split(",")
            .map((s) => s.trim())
            .filter((s) => s !== ""),
        ),
      ),
      z.array(CapabilitySchema),
    ),
  ],
  "x-router-task-type": ["task_type", id],
  "x-router-budget-remaining": ["budget_remaining", nonNegative],
  "x-router-max-latency-ms": ["max_latency_ms", positive],
  "x-router-fallback": ["fallback", bool],
  "x-router-workspace": ["workspace_id", id],
  "x-router-execution": ["execution_id", id],
  "x-router-timeout-headers-ms": ["timeouts.headers_ms", positiveInt],
  "x-router-timeout-first-token-ms": ["timeouts.first_token_ms", positiveInt],
  "x-router-timeout-idle-ms": ["timeouts.idle_ms", positiveInt],
  "x-router-timeout-total-ms": ["timeouts.total_ms", positiveInt],
  "x-router-hedge": ["hedge", z.union([z.enum(["auto", "off"]), nonNegativeInt])],
  "x-router-cache-ttl": ["cache.ttl_s", nonNegativeInt],
} as const satisfies Record<string, readonly [string, z.ZodMiniType]>;

/**
 * `body` is the dialect's `router` field, already validated by its body schema (every dialect's schema holds
 * RouterControlsSchema): a request without routing headers (most) takes it as it is. One pass over the headers finds
 * the x-router-* ones, instead of a get() per name the table knows.
 */
export function readControls(body: RouterControls | undefined, headers: Headers): RouterControls {
  const asked = new Map<string, string>();
  let noStore = false;
  for (const [name, value] of headers) {
    if (name.startsWith("x-router-")) asked.set(name, value);
    // The caller's Cache-Control: no-store keeps this request out of the response cache (not read, not written).
    else if (name === "cache-control") noStore = /(^|,)\s*no-store\s*(,|$)/i.test(value);
  }
  if (asked.size === 0 && !noStore) return { ...(body ?? {}) };
  const merged: Record<string, unknown> = { ...(body ?? {}) };
  const timeouts: Record<string, unknown> = { ...(body?.timeouts ?? {}) };
  const cache: Record<string, unknown> = { ...(body?.cache ?? {}) };
  if (noStore) cache.no_store = true;
  /** Field -> the header it came from. */
  const fromHeaders = new Map<string, string>();
  // In the table's order, so the first refused header named is the same whatever order the caller sent them in.
  for (const [header, [field, schema]] of Object.entries(HEADERS)) {
    const raw = asked.get(header);
    if (raw === undefined) continue;
    fromHeaders.set(field, header);
    const parsed = (schema as z.ZodMiniType).safeParse(raw);
    if (!parsed.success) {
      // A refused value is quoted short: a header can carry kilobytes the caller already has.
      const got = raw.length > 80 ? `${raw.slice(0, 80)}…` : raw;
      throw new GatewayError(400, `Header ${header}: ${parsed.error.issues[0]?.message ?? "invalid"} (got "${got}")`, {
        param: header,
        code: "invalid_header",
      });
    }
    if (field.startsWith("timeouts.")) timeouts[field.slice("timeouts.".length)] = parsed.data;
    else if (field.startsWith("cache.")) cache[field.slice("cache.".length)] = parsed.data;
    else merged[field] = parsed.data;
  }
  if (Object.keys(timeouts).length > 0) merged.timeouts = timeouts;
  if (Object.keys(cache).length > 0) merged.cache = cache;
  const result = RouterControlsSchema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = (issue?.path ?? []).map(String).join(".");
    // A value that came from a header is named by its header, as the caller sent it.
    const header = fromHeaders.get(field);
    if (header !== undefined)
      throw new GatewayError(400, `Header ${header}: ${issue?.message ?? "invalid"}`, {
        param: header,
        code: "invalid_header",
      });
    const param = ["router", field].filter((p) => p !== "").join(".");
    throw new GatewayError(400, `'${param}': ${issue?.message ?? "invalid"}`, { param, code: "invalid_value" });
  }
  if (fromHeaders.size > 0) HEADER_FIELDS.set(result.data, fromHeaders);
  return result.data;
}
