// The client-facing body of a committed stream, for any wire encoding: pulled one event at a time, finalised or
// cut off honestly, and the upstream call aborted when the client goes away.

import type { RouteReport } from "../core/route-report.ts";
import type { StreamEvent, Usage } from "../core/types.ts";
import { ClientGoneError, type CommittedStream } from "../execute/attempt.ts";

/** How one transport writes the events, the end of a finished answer, and the end of a cut one. */
export interface EventEncoder {
  /** Bytes for one event; null for an event this encoding holds back (e.g. OpenAI's finish and usage). */
  event(e: Exclude<StreamEvent, { type: "end" }>): Uint8Array | null;
  end(route: RouteReport): Uint8Array;
  cut(message: string, route: RouteReport): Uint8Array;
}

/**
 * After the commit point a failure is the encoder's `cut` (OpenAI: an error event and no [DONE]); a stream whose
 * upstream ended without its terminator is finalised at once if the answer had finished, and cut if it had not.
 * `done` records the outcome (once) and returns the route report.
 */
export function committedBody(
  committed: CommittedStream,
  encoder: EventEncoder,
  done: (usage: Usage | null, error: string | null | "client") => RouteReport,
): ReadableStream<Uint8Array> {
  let usage: Usage | null = null;
  let finished = false;
  let ended = false;
  const encode = (e: StreamEvent): Uint8Array | null => {
    if (e.type === "end") {
      ended = true;
      return null;
    }
    if (e.type === "usage") usage = e.usage;
    if (e.type === "finish") finished = true;
    return encoder.event(e);
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        for (const event of committed.head) {
          const bytes = encode(event);
          if (bytes) controller.enqueue(bytes);
        }
      },
      async pull(controller) {
        try {
          for (;;) {
            const next = await committed.rest.next();
            if (next.done) {
              if (!finished) throw new Error("the provider ended the stream before finishing the answer");
              controller.enqueue(encoder.end(done(usage, null)));
              controller.close();
              return;
            }
            const bytes = encode(next.value);
            if (bytes) {
              controller.enqueue(bytes);
              return;
            }
          }
        } catch (err) {
          if (err instanceof ClientGoneError) return;
          const message = err instanceof Error ? err.message : String(err);
          controller.enqueue(encoder.cut(`The answer was cut off: ${message}`, done(usage, message)));
          controller.close();
        }
      },
      cancel(reason) {
        // The client went away: abort the upstream call so nobody pays for tokens no one reads.
        if (!ended) done(usage, "client");
        committed.abort(new ClientGoneError(String(reason ?? "the client closed the stream")));
      },
    },
    { highWaterMark: 0 },
  );
}
