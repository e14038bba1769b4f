// The worker side of test/support/receiver.ts: a session of its own per test, and what arrived there.
import { inject } from "vitest";
import type { Received, ReceiverOptions } from "../../support/receiver.ts";

export type { Received };

export interface Receiver {
  /** The session's base URL: everything under it is recorded. */
  url: string;
  received(): Promise<Received[]>;
  set(options: ReceiverOptions): Promise<void>;
}

export async function newReceiver(options: ReceiverOptions = {}): Promise<Receiver> {
  const base = inject("receiverUrl");
  const res = await fetch(`${base}/sessions`, { method: "POST", body: JSON.stringify(options) });
  if (res.status !== 201) throw new Error(`receiver session: ${res.status}`);
  const { id, url } = (await res.json()) as { id: string; url: string };
  return {
    url,
    async received() {
      const r = await fetch(`${base}/sessions/${id}/received`);
      return ((await r.json()) as { received: Received[] }).received;
    },
    async set(next) {
      await fetch(`${base}/sessions/${id}`, { method: "PUT", body: JSON.stringify(next) });
    },
  };
}

interface OtlpAnyValue {
  stringValue?: string;
  intValue?: string;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values: OtlpAnyValue[] };
}

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  status: { code: number; message?: string };
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
}

function plain(v: OtlpAnyValue): unknown {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue !== undefined) return v.arrayValue.values.map(plain);
  throw new Error(`unknown OTLP value ${JSON.stringify(v)}`);
}

function attributes(list: { key: string; value: OtlpAnyValue }[]): Record<string, unknown> {
  return Object.fromEntries(list.map((a) => [a.key, plain(a.value)]));
}

/** Every span of every OTLP/JSON export received, with attributes as plain values. */
export function spansOf(received: Received[]): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const r of received) {
    if (r.path !== "/v1/traces") continue;
    const body = JSON.parse(r.body) as {
      resourceSpans: {
        resource: { attributes: { key: string; value: OtlpAnyValue }[] };
        scopeSpans: { spans: (Omit<ReceivedSpan, "attributes" | "resource"> & { attributes: never })[] }[];
      }[];
    };
    for (const rs of body.resourceSpans) {
      const resource = attributes(rs.resource.attributes);
      for (const ss of rs.scopeSpans)
        for (const s of ss.spans) out.push({ ...s, attributes: attributes(s.attributes), resource });
    }
  }
  return out;
}

/**
 * Polls the receiver every 50 ms until `count` spans arrived, for at most `polls` polls (a stream's spans go out once
 * the stream is read, after the response); then returns what arrived.
 */
export async function spansArrived(receiver: Receiver, count: number, polls = 100): Promise<ReceivedSpan[]> {
  for (let i = 0; i < polls; i++) {
    const spans = spansOf(await receiver.received());
    if (spans.length >= count) return spans;
    await new Promise((r) => setTimeout(r, 50));
  }
  return spansOf(await receiver.received());
}
