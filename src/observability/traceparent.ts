// W3C Trace Context (https://www.w3.org/TR/trace-context/): the caller's `traceparent` header, read so a request's
// spans continue the caller's trace, and fresh ids where there is none.

/** The caller's span this request continues: its trace id and its own span id (our request span's parent). */
export interface TraceParent {
  traceId: string;
  parentSpanId: string;
  /** The caller's sampled flag: a caller that says "not sampled" gets no spans exported. */
  sampled: boolean;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * Parses a traceparent header; null when absent or invalid (all-zero ids, version ff, a malformed field), in which
 * case the request starts a trace of its own, as the spec says. Version 00 must have exactly four fields; a later
 * version may carry more after a dash, which are ignored.
 */
export function parseTraceParent(header: string | null | undefined): TraceParent | null {
  if (header === null || header === undefined) return null;
  const match = TRACEPARENT.exec(header.trim().toLowerCase());
  if (match === null) return null;
  const [, version, traceId, parentSpanId, flags, rest] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string?,
  ];
  if (version === "ff") return null;
  if (version === "00" && rest !== undefined) return null;
  if (/^0+$/.test(traceId) || /^0+$/.test(parentSpanId)) return null;
  return { traceId, parentSpanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}

/** `bytes` random bytes as lowercase hex, never all zero (an all-zero trace or span id is invalid). */
export function randomHexId(bytes: 8 | 16): string {
  const buf = new Uint8Array(bytes);
  for (;;) {
    crypto.getRandomValues(buf);
    if (buf.some((b) => b !== 0)) break;
  }
  let hex = "";
  for (const b of buf) hex += b.toString(16).padStart(2, "0");
  return hex;
}
