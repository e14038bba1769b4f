// A committed stream as the gateway hands it to a transport: canonical events one at a time, then the end (finished,
// with the final route report, or cut off honestly), the outcome recorded once, and the upstream call aborted when the
// caller goes away. The transport's dialect encodes the items; `encodedBody` is the one pump every transport shares.
import type { RouteReport } from "../core/route-report.ts";
import type { StreamEvent, Usage } from "../core/types.ts";
import { ClientGoneError, type CommittedStream } from "../execute/attempt.ts";

/** A canonical event a caller sees (the upstream's own end marker is the gateway's business). */
export type AnswerEvent = Exclude<StreamEvent, { type: "end" }>;

/** The end of a committed answer: it finished (the final route report), or it was cut off after it had started. */
export type AnswerEnd = { type: "done"; route: RouteReport } | { type: "cut"; message: string; route: RouteReport };

export interface CommittedAnswer {
  /** Events in hand at the commit point (up to and including the first content event). */
  readonly head: readonly AnswerEvent[];
  /** The next event, or the end; null once the caller went away (recorded as such; nothing more will come). */
  next(): Promise<{ type: "event"; event: AnswerEvent } | AnswerEnd | null>;
  /** The caller went away: records that (unless the answer had ended) and aborts the upstream call. */
  cancel(reason?: unknown): void;
  /** What runs when the answer is about to wait on the provider (CommittedStream.onWait); absent: never known. */
  onWait?: (hook: (() => void) | null) => void;
}

/**
 * How an outcome is recorded, once: the usage seen, and null (finished), the failure's message, or "client";
 * `estimated` when the usage is the gateway's estimate (the provider reported none).
 */
export type RecordEnd = (usage: Usage | null, error: string | null | "client", estimated?: boolean) => RouteReport;

/**
 * After the commit point a failure is a cut; a stream whose upstream ended without its terminator is finished if the
 * answer had finished (a finish event came), and cut if it had not.
 */
export function committedAnswer(
  committed: CommittedStream,
  done: RecordEnd,
  /** Sees every event as it passes (the head included): what was streamed is counted for an estimate. */
  observe?: (e: StreamEvent) => void,
  /**
   * The usage of a finished answer whose provider reported none: the client still gets a usage event (the estimate
   * the ledger bills, marked usage_estimated in the route).
   */
  estimate?: () => Usage,
): CommittedAnswer {
  let usage: Usage | null = null;
  let estimated = false;
  let finished = false;
  let ended = false;
  /** Notes what the answer holds as each event passes; false for the upstream's end marker. */
  const note = (e: StreamEvent): e is AnswerEvent => {
    observe?.(e);
    if (e.type === "end") {
      ended = true;
      return false;
    }
    if (e.type === "usage") usage = e.usage;
    if (e.type === "finish") finished = true;
    return true;
  };
  const head = committed.head.filter(note);
  return {
    head,
    async next() {
      try {
        for (;;) {
          const next = await committed.rest.next();
          if (next.done) {
            if (!finished) throw new Error("the provider ended the stream before finishing the answer");
            if (usage === null && estimate !== undefined) {
              usage = estimate();
              estimated = true;
              return { type: "event", event: { type: "usage", usage } };
            }
            return { type: "done", route: done(usage, null, estimated) };
          }
          if (note(next.value)) return { type: "event", event: next.value };
        }
      } catch (err) {
        if (err instanceof ClientGoneError) {
          // The caller's signal fired and the upstream call is aborted: recorded as the caller leaving.
          if (!ended) done(usage, "client");
          return null;
        }
        const message = err instanceof Error ? err.message : String(err);
        return { type: "cut", message: `The answer was cut off: ${message}`, route: done(usage, message) };
      }
    },
    cancel(reason) {
      // The caller went away: abort the upstream call so nobody pays for tokens no one reads.
      if (!ended) done(usage, "client");
      committed.abort(new ClientGoneError(String(reason ?? "the client closed the stream")));
    },
    ...(committed.onWait === undefined ? {} : { onWait: committed.onWait }),
  };
}

/** How one transport's dialect writes the events, the end of a finished answer, and the end of a cut one. */
export interface EventEncoder {
  /** Bytes for one event; null for an event this encoding holds back (e.g. OpenAI's finish and usage). */
  event(e: AnswerEvent): Uint8Array | null;
  end(route: RouteReport): Uint8Array;
  cut(message: string, route: RouteReport): Uint8Array;
}

/** Bytes written as one piece. */
function joined(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The byte stream of a committed answer, pulled by the caller (nothing is read from the provider ahead of it). The
 * events of one provider read are written to the client as one piece: each is encoded as it comes and held until the
 * answer is about to wait on the provider again (its onWait), then written together; the head is one piece too. An
 * answer without onWait is written event by event.
 */
export function encodedBody(answer: CommittedAnswer, encoder: EventEncoder): ReadableStream<Uint8Array> {
  let held: Uint8Array[] = [];
  let wrote = false;
  let target: ReadableStreamDefaultController<Uint8Array> | null = null;
  const flush = () => {
    if (held.length === 0 || target === null) return;
    target.enqueue(joined(held));
    held = [];
    wrote = true;
  };
  const batching = answer.onWait !== undefined;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        target = controller;
        for (const event of answer.head) {
          const bytes = encoder.event(event);
          if (bytes) held.push(bytes);
        }
        flush();
        answer.onWait?.(flush);
      },
      async pull(controller) {
        wrote = false;
        for (;;) {
          const item = await answer.next();
          // The caller went away (its signal fired): a reader still holding the stream sees it end, with no route.
          if (item === null) {
            flush();
            return controller.close();
          }
          if (item.type === "event") {
            const bytes = encoder.event(item.event);
            if (bytes) held.push(bytes);
            // Batched: this pull is done once something was written (by onWait while waiting, or now without it).
            if (!batching) flush();
            if (wrote) return;
            continue;
          }
          held.push(item.type === "done" ? encoder.end(item.route) : encoder.cut(item.message, item.route));
          flush();
          answer.onWait?.(null);
          controller.close();
          return;
        }
      },
      cancel(reason) {
        held = [];
        answer.onWait?.(null);
        answer.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
