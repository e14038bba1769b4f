// A committed stream's reading: the upstream body as batches of canonical events, the commit point crossed inside
// each read, the idle clock and the deadline after it, and the malformed-chunk rule.
import { ProviderError } from "../core/errors.ts";
import type { StreamEvent } from "../core/types.ts";
import type { ProviderAdapter, StreamDecoder } from "../providers/adapter.ts";
import type { WireMessage, WireReader } from "../streams/wire-messages.ts";
import type { AttemptInput } from "./attempt.ts";
import { ClientGoneError, type DisposableController, translateFailure } from "./attempt-signals.ts";
import { clockError } from "./timed-iterator.ts";

/** A stream's events a provider read at a time: one step per read, not per event. */
export interface EventBatches {
  /**
   * The events of the next read (never none); null once the stream has ended. Throws ProviderError or ClientGoneError.
   * The array is the caller's: a layer above may change it in place rather than copy it.
   */
  next(): Promise<StreamEvent[] | null>;
}

// Reasoning is content: a thinking model streams it for seconds before any text, and the Messages and Responses
// dialects show it to the client as it comes.
export const isContent = (e: StreamEvent) =>
  e.type === "text" ||
  e.type === "refusal" ||
  e.type === "tool_call_start" ||
  e.type === "reasoning" ||
  e.type === "reasoning_redacted";

/**
 * The idle clock and the deadline of a committed stream. One timer serves the whole stream: it fires when the silence
 * (or the deadline) may have run out and re-arms itself otherwise, instead of a timer armed and cleared per chunk.
 * Silence is counted only while waiting on the provider, never while the client reads slowly. When it runs out the
 * upstream request is aborted and the body cancelled, so the read waiting on it ends at once, and the reader throws
 * `stalled` instead of what the read gave.
 */
class RestClock {
  #waitingSince: number | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The clock's error, once it ran out. */
  stalled: ProviderError | null = null;
  done = false;

  constructor(
    readonly input: AttemptInput,
    readonly controller: DisposableController,
    readonly wire: WireReader,
  ) {}

  /** Waiting on the provider from now. */
  waiting(): void {
    const { deps, timeouts, deadline } = this.input;
    const since = deps.now();
    this.#waitingSince = since;
    this.#timer ??= setTimeout(this.#check, Math.max(0, Math.min(timeouts.idle_ms, deadline - since)));
  }

  /** The provider's read came. */
  answered(): void {
    this.#waitingSince = null;
  }

  readonly #check = (): void => {
    this.#timer = undefined;
    const since = this.#waitingSince;
    if (since === null || this.done) return;
    const { adapter, deps, timeouts, deadline } = this.input;
    const now = deps.now();
    const idleLeft = since + timeouts.idle_ms - now;
    const deadlineLeft = deadline - now;
    if (idleLeft > 0 && deadlineLeft > 0) {
      this.#timer = setTimeout(this.#check, Math.min(idleLeft, deadlineLeft));
      return;
    }
    this.stalled =
      deadlineLeft <= idleLeft
        ? clockError(adapter.id, "deadline", deadline - since)
        : clockError(adapter.id, "idle", timeouts.idle_ms);
    this.controller.abort(this.stalled);
    void this.wire.cancel();
  };

  end(finished: boolean): void {
    this.done = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    // A failed stream must not leave the upstream request running; one that ended by itself has nothing left running
    // (and no error to build for it).
    if (!finished && !this.controller.signal.aborted) this.controller.abort(new ClientGoneError("stream closed"));
    this.controller.dispose();
  }
}

/**
 * One upstream stream as batches of canonical events. Each read of the body is one synchronous step: its wire
 * messages checked, decoded by the adapter and gathered, with no promise per event and none per layer: the body's
 * read is the only thing awaited. The commit point is crossed inside that step, at the first content event; from
 * then on (`rest`) the idle clock and the deadline apply, and a failure is translated for the caller.
 *
 * Before the commit point every wire message reaches the adapter (a malformed one fails the attempt, which falls back
 * unseen). After it, a message whose data is not JSON is skipped and counted; `limit` of them in a row fail the
 * attempt. Every stream format the adapters read carries JSON data (and OpenAI's `[DONE]`); the JSON parsed here
 * rides on the message (`json`), so the adapter does not parse it again. An error after some events of the same read
 * comes on the next call, after them. The adapter's `end` event stops the reading: the body is cancelled.
 */
export class UpstreamEvents implements EventBatches {
  /** The first content event has been decoded. */
  committed = false;
  skipped = 0;
  #run = 0;
  #ended = false;
  #pending: { error: unknown } | null = null;
  #carried: StreamEvent[] | null = null;
  #clock: RestClock | null = null;

  constructor(
    readonly wire: WireReader,
    readonly decode: StreamDecoder,
    readonly provider: ProviderAdapter["id"],
    readonly limit: number,
  ) {}

  /**
   * The rest of the stream after the commit point, under the idle clock and the deadline: `carried` (what the read
   * that committed brought after the first content event) comes first.
   */
  rest(input: AttemptInput, controller: DisposableController, carried: StreamEvent[]): EventBatches {
    this.#clock = new RestClock(input, controller, this.wire);
    this.#carried = carried.length > 0 ? carried : null;
    return this;
  }

  /** The events of the next reads, up to the first read that brought any; null once the stream has ended. */
  async next(): Promise<StreamEvent[] | null> {
    if (this.#carried !== null) {
      const carried = this.#carried;
      this.#carried = null;
      return carried;
    }
    const clock = this.#clock;
    if (clock?.done) return null;
    try {
      if (this.#pending !== null) {
        const { error } = this.#pending;
        this.#pending = null;
        this.#ended = true;
        throw error;
      }
      const out: StreamEvent[] = [];
      while (!this.#ended) {
        const read = this.wire.readRaw();
        if (read === null) break;
        clock?.waiting();
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await read;
        } catch (err) {
          throw clock?.stalled ?? err;
        }
        if (clock !== null) {
          if (clock.stalled !== null) throw clock.stalled;
          clock.answered();
        }
        const messages = this.wire.take(result);
        if (messages === null) break;
        try {
          for (const message of messages) {
            if (!this.#check(message)) continue;
            const from = out.length;
            this.decode(message, out);
            for (let i = from; i < out.length; i++) {
              const e = out[i]!;
              if (e.type === "end") {
                out.length = i + 1;
                this.#ended = true;
                void this.wire.cancel();
                return out;
              }
              if (!this.committed && isContent(e)) this.committed = true;
            }
          }
        } catch (err) {
          if (out.length === 0) throw err;
          this.#pending = { error: err };
          return out;
        }
        if (out.length > 0) return out;
      }
      this.#ended = true;
      clock?.end(true);
      return null;
    } catch (err) {
      if (clock === null) throw err;
      // Named before end() aborts the call, so the abort is not taken for the reason.
      const failure = translateFailure(err, clock.input, clock.controller, true);
      clock.end(false);
      throw failure;
    }
  }

  #check(m: WireMessage): boolean {
    if (m.data === "[DONE]") {
      this.#run = 0;
      return true;
    }
    try {
      m.json = JSON.parse(m.data);
    } catch {
      // Before the commit point the adapter sees it, and fails the attempt with its own words.
      if (!this.committed) return true;
      this.skipped++;
      if (++this.#run >= this.limit)
        throw new ProviderError({
          kind: "malformed",
          provider: this.provider,
          message: `${this.provider} sent ${this.#run} malformed stream chunks in a row`,
        });
      return false;
    }
    this.#run = 0;
    return true;
  }
}
