// OTLP/HTTP with the JSON encoding (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding), for traces:
// where to send them (the standard OTEL_EXPORTER_OTLP_* variables) and the ExportTraceServiceRequest body.
// Hand-written rather than the OpenTelemetry JS SDK: docs/decisions/0009-otlp-json-by-hand.md.

/** An attribute value as spans carry it; null and undefined attributes are left out. */
export type AttributeValue = string | number | boolean | readonly string[];
export type Attributes = Record<string, AttributeValue | null | undefined>;

/** SpanKind in OTLP's numbering. */
export const SPAN_KIND = { internal: 1, server: 2, client: 3 } as const;
/** Status codes: unset, ok, error. */
export const STATUS_CODE = { unset: 0, ok: 1, error: 2 } as const;

export interface ExportSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: (typeof SPAN_KIND)[keyof typeof SPAN_KIND];
  /** Epoch milliseconds (fractions allowed). */
  startMs: number;
  endMs: number;
  attributes: Attributes;
  status: { code: (typeof STATUS_CODE)[keyof typeof STATUS_CODE]; message?: string };
}

export interface OtlpTarget {
  /** The traces URL: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as given, or OTEL_EXPORTER_OTLP_ENDPOINT + "/v1/traces". */
  url: string;
  headers: Record<string, string>;
  /** Bounded: no export waits longer than this (OTEL_EXPORTER_OTLP_TIMEOUT, capped). */
  timeoutMs: number;
  serviceName: string;
}

export interface OtlpEnv {
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;
  OTEL_EXPORTER_OTLP_HEADERS?: string;
  OTEL_EXPORTER_OTLP_TIMEOUT?: string;
  OTEL_SERVICE_NAME?: string;
}

/** The spec's default is 10 s; an export runs after the response, but it keeps the isolate alive, so less here. */
export const DEFAULT_TIMEOUT_MS = 5000;
export const MAX_TIMEOUT_MS = 10_000;

/** Where traces go; null when no endpoint is set (tracing off) or it is not an http(s) URL (logged once per value). */
export function otlpTarget(env: OtlpEnv): OtlpTarget | null {
  const url = tracesUrl(env);
  if (url === null) return null;
  const timeout = Number(env.OTEL_EXPORTER_OTLP_TIMEOUT ?? DEFAULT_TIMEOUT_MS);
  return {
    url,
    headers: parseOtlpHeaders(env.OTEL_EXPORTER_OTLP_HEADERS),
    timeoutMs: Number.isFinite(timeout) && timeout > 0 ? Math.min(timeout, MAX_TIMEOUT_MS) : DEFAULT_TIMEOUT_MS,
    serviceName: env.OTEL_SERVICE_NAME?.trim() || "switchyard",
  };
}

const warned = new Set<string>();

function tracesUrl(env: OtlpEnv): string | null {
  const signal = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  // The signal's own variable is used as given; the signal-less one gets the signal's path appended (OTLP exporter spec).
  const raw = signal ? signal : base ? `${base.replace(/\/+$/, "")}/v1/traces` : null;
  if (raw === null) return null;
  try {
    const url = new URL(raw);
    if (url.protocol === "http:" || url.protocol === "https:") return url.toString();
  } catch {
    // reported below
  }
  if (!warned.has(raw)) {
    warned.add(raw);
    console.warn("tracing off: the OTLP endpoint is not an http(s) URL");
  }
  return null;
}

/**
 * `k=v,k2=v2` (the W3C Baggage-like list OTEL_EXPORTER_OTLP_HEADERS uses): keys and values trimmed and
 * percent-decoded; an entry without `=` or with an empty key is skipped.
 */
export function parseOtlpHeaders(raw: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (raw === undefined) return headers;
  for (const entry of raw.split(",")) {
    const eq = entry.indexOf("=");
    if (eq <= 0) continue;
    const key = decode(entry.slice(0, eq).trim()).toLowerCase();
    const value = decode(entry.slice(eq + 1).trim());
    if (key !== "" && /^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(key)) headers[key] = value;
  }
  return headers;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The ExportTraceServiceRequest for spans of one service, as OTLP's JSON mapping writes it. */
export function encodeTraces(spans: readonly ExportSpan[], resource: { serviceName: string; version: string }) {
  return {
    resourceSpans: [
      {
        resource: {
          attributes: encodeAttributes({
            "service.name": resource.serviceName,
            "service.version": resource.version,
            "telemetry.sdk.name": "switchyard",
            "telemetry.sdk.language": "webjs",
          }),
        },
        scopeSpans: [
          {
            scope: { name: "switchyard", version: resource.version },
            spans: spans.map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              ...(s.parentSpanId === null ? {} : { parentSpanId: s.parentSpanId }),
              name: s.name,
              kind: s.kind,
              startTimeUnixNano: unixNano(s.startMs),
              endTimeUnixNano: unixNano(Math.max(s.endMs, s.startMs)),
              attributes: encodeAttributes(s.attributes),
              status: s.status.message === undefined ? { code: s.status.code } : s.status,
            })),
          },
        ],
      },
    ],
  };
}

/** Nanoseconds since the epoch as a decimal string (64-bit integers are strings in OTLP JSON). */
export function unixNano(ms: number): string {
  const whole = Math.floor(ms);
  const micros = Math.round((ms - whole) * 1000);
  return `${BigInt(whole) * 1_000_000n + BigInt(micros) * 1000n}`;
}

type AnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: AnyValue[] } };

function encodeValue(v: AttributeValue): AnyValue {
  if (typeof v === "string") return { stringValue: v };
  if (typeof v === "boolean") return { boolValue: v };
  if (typeof v === "number") return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  return { arrayValue: { values: v.map((s) => ({ stringValue: s })) } };
}

export function encodeAttributes(attributes: Attributes): { key: string; value: AnyValue }[] {
  const out: { key: string; value: AnyValue }[] = [];
  for (const [key, v] of Object.entries(attributes)) {
    if (v === null || v === undefined) continue;
    if (typeof v === "number" && !Number.isFinite(v)) continue;
    out.push({ key, value: encodeValue(v) });
  }
  return out;
}
