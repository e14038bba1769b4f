// A committed stream as the gateway hands it to a transport: canonical events a provider read at a time, then the end
// (finished, with the final route report, or cut off honestly), the outcome recorded once, and the upstream call
// aborted when the caller goes away. The transport's dialect encodes the items; `encodedBody` is the one pump every transport shares.
import { ProviderError } from "../core/errors.ts";
import type { RouteReport } from "../core/route-report.ts";
import type { StreamEvent, Usage } from "../core/types.ts";
import type { CommittedStream } from "../execute/attempt.ts";
import { ClientGoneError } from "../execute/attempt-signals.ts";

/** A canonical event a caller sees (the upstream's own end marker is the gateway's business). */
export type AnswerEvent = Exclude<StreamEvent, { type: "end" }>;

/** The end of a committed answer: it finished (the final route report), or it was cut off after it had started. */
export type AnswerEnd =
  | { type: "done"; route: RouteReport }
  /** `status`: the HTTP status the failure would have had (429 rate limited, 529 overloaded, 504 timed out, ...). */
  | { type: "cut"; message: string; route: RouteReport; status: number };

export interface CommittedAnswer {
  /** Events in hand at the commit point (up to and including the first content event). */
  readonly head: readonly AnswerEvent[];
  /**
   * The events of the next provider read (never none), or the end; null once the caller went away (recorded as such;
   * nothing more will come).
   */
  next(): Promise<{ type: "events"; events: AnswerEvent[] } | AnswerEnd | null>;
  /** The caller went away: records that (unless the answer had ended) and aborts the upstream call. */
  cancel(reason?: unknown): void;
  /**
   * The answer has finished and the provider's end marker was read: the next call gives the end without waiting on
   * anyone (so a transport writes it with the last events). Absent: never known.
   */
  complete?: () => boolean;
}

/**
 * How an outcome is recorded, once: the usage seen, and null (finished), the failure's message, or "client";
 * `estimated` when the usage is the gateway's estimate (the provider reported none).
 */
/** `cause`: what cut the answer, where something did. */
export type RecordEnd = (
  usage: Usage | null,
  error: string | null | "client",
  estimated?: boolean,
  cause?: unknown,
) => RouteReport;

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
  /** The provider's part is over although its stream did not end by itself (lost after the answer had finished). */
  let over = false;
  /** A finished answer's end: the usage (an estimate where the provider sent none) first, then the final route. */
  const finish = (): { type: "events"; events: AnswerEvent[] } | AnswerEnd => {
    if (usage === null && estimate !== undefined) {
      usage = estimate();
      estimated = true;
      return { type: "events", events: [{ type: "usage", usage }] };
    }
    return { type: "done", route: done(usage, null, estimated) };
  };
  return {
    head,
    async next() {
      if (over) return finish();
      try {
        for (;;) {
          const batch = await committed.rest.next();
          if (batch === null) {
            if (!finished) throw new Error("the provider ended the stream before finishing the answer");
            return finish();
          }
          // In place (the batch is ours): only the upstream's end marker is dropped.
          let kept = 0;
          for (const e of batch) if (note(e)) batch[kept++] = e;
          batch.length = kept;
          if (kept > 0) return { type: "events", events: batch as AnswerEvent[] };
        }
      } catch (err) {
        if (err instanceof ClientGoneError) {
          // The caller's signal fired and the upstream call is aborted: recorded as the caller leaving.
          if (!ended) done(usage, "client");
          return null;
        }
        if (finished) {
          // The answer had finished (its finish event came) when the connection broke or went silent before the
          // provider's end marker: it is finalised as finished, with usage, as a stream that ended without [DONE] is.
          over = true;
          return finish();
        }
        const message = err instanceof Error ? err.message : String(err);
        return {
          type: "cut",
          message: `The answer was cut off: ${message}`,
          route: done(usage, message, false, err),
          status: cutStatus(err),
        };
      }
    },
    cancel(reason) {
      // The caller went away: abort the upstream call so nobody pays for tokens no one reads.
      if (!ended) done(usage, "client");
      committed.abort(new ClientGoneError(String(reason ?? "the client closed the stream")));
    },
    complete: () => ended && finished,
  };
}

/** How one transport's dialect writes the events, the end of a finished answer, and the end of a cut one. */
export interface EventEncoder {
  /** Bytes for one event; null for an event this encoding holds back (e.g. OpenAI's finish and usage). */
  event(e: AnswerEvent): Uint8Array | null;
  end(route: RouteReport): Uint8Array;
  cut(message: string, route: RouteReport, status: number): Uint8Array;
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
 * events of one provider read are written to the client as one piece; the head is one piece too.
 */
export function encodedBody(answer: CommittedAnswer, encoder: EventEncoder): ReadableStream<Uint8Array> {
  /** Adds the bytes of `events` to `parts` (events this encoding holds back add none). */
  const encode = (events: readonly AnswerEvent[], parts: Uint8Array[]) => {
    for (const event of events) {
      const bytes = encoder.event(event);
      if (bytes) parts.push(bytes);
    }
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const parts: Uint8Array[] = [];
        encode(answer.head, parts);
        if (parts.length > 0) controller.enqueue(joined(parts));
      },
      async pull(controller) {
        const parts: Uint8Array[] = [];
        for (;;) {
          const item = await answer.next();
          // The caller went away (its signal fired): a reader still holding the stream sees it end, with no route.
          if (item === null) {
            if (parts.length > 0) controller.enqueue(joined(parts));
            return controller.close();
          }
          if (item.type === "events") {
            encode(item.events, parts);
            // A pull ends once something was written (a read whose events this encoding all holds back writes
            // nothing); a complete answer's end comes at once, and goes in the same piece.
            if (parts.length === 0 || answer.complete?.() === true) continue;
            controller.enqueue(joined(parts));
            return;
          }
          parts.push(
            item.type === "done" ? encoder.end(item.route) : encoder.cut(item.message, item.route, item.status),
          );
          controller.enqueue(joined(parts));
          controller.close();
          return;
        }
      },
      cancel(reason) {
        answer.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/** The status a failure after the commit point stands for, for dialects whose error events carry a type. */
function cutStatus(err: unknown): number {
  if (!(err instanceof ProviderError)) return 500;
  if (err.code === "overloaded_error") return 529;
  if (err.status !== null && err.status >= 400) return err.status;
  switch (err.kind) {
    case "rate_limited":
      return 429;
    case "timeout":
      return 504;
    case "invalid_request":
    case "context_length":
    case "content_policy":
      return 400;
    default:
      return 500;
  }
}
