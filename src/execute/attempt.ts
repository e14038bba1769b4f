// One attempt on one candidate: the fetch, the three clocks, and for streams the commit point.
import type { Timeouts } from "../config/schema.ts";
import { ProviderError } from "../core/errors.ts";
import type { ChatResult, StreamEvent } from "../core/types.ts";
import type { AttemptRecord } from "../ledger/record.ts";
import type { AdapterContext, BuiltRequest, ProviderAdapter, StreamDecoder } from "../providers/adapter.ts";
import { type WireMessage, WireReader } from "../streams/wire-messages.ts";
import type { ExecDeps } from "./deps.ts";
import { type ClockName, clockError, withClock } from "./timed-iterator.ts";

export interface AttemptInput {
  adapter: ProviderAdapter;
  built: BuiltRequest;
  timeouts: Timeouts;
  /** Epoch ms by which the whole request must be answered. */
  deadline: number;
  /** Fires when the client goes away. */
  clientSignal: AbortSignal;
  deps: ExecDeps;
  ctx: AdapterContext;
  /** The first-token clock of this attempt (adaptive: see firstTokenClock); absent: timeouts.first_token_ms. */
  firstTokenMs?: number;
  /**
   * A non-streaming call's headers clock, where the caller set one (router.timeouts.headers_ms or its header); absent:
   * the call's headers wait for `deadline`, since a provider sends them only with the whole answer (decision 0004).
   */
  jsonHeadersMs?: number;
  /** Malformed chunks in a row after the commit point that fail the attempt (fewer are skipped); absent: 3. */
  malformedRunLimit?: number;
  /** Aborts this attempt alone (a hedge that lost, a splice that did not match); the client's signal still applies. */
  signal?: AbortSignal;
  /**
   * Asked when `deadline` runs out, if it was cut short to keep time for candidates after this one before the plan
   * knew whether any remain (src/execute/run-plan.ts): the request's own deadline when none does (the last candidate
   * has all of it), null otherwise. Absent: `deadline` is final.
   */
  lastCandidateDeadline?: () => number | null;
}

/** Thrown when the client closed the connection: nothing more is to be tried. */
export class ClientGoneError extends Error {
  override name = "ClientGoneError";
  /** The attempts made before the client left (the one in flight marked failed), for the ledger. */
  attempts: AttemptRecord[] = [];
}

/** A stream's events a provider read at a time: one step per read, not per event. */
export interface EventBatches {
  /**
   * The events of the next read (never none); null once the stream has ended. Throws ProviderError or ClientGoneError.
   * The array is the caller's: a layer above may change it in place rather than copy it.
   */
  next(): Promise<StreamEvent[] | null>;
}

export interface CommittedStream {
  /** Events up to and including the first content event. */
  head: StreamEvent[];
  /** The rest of the stream under the idle clock and the deadline. */
  rest: EventBatches;
  ttftMs: number;
  /** Aborts the upstream request (the client left, or the gateway gave up). */
  abort: (reason?: unknown) => void;
  /** Malformed chunks skipped after the commit point (never passed on). */
  malformedSkipped: () => number;
}

// Reasoning is content: a thinking model streams it for seconds before any text, and the Messages and Responses
// dialects show it to the client as it comes.
const isContent = (e: StreamEvent) =>
  e.type === "text" ||
  e.type === "refusal" ||
  e.type === "tool_call_start" ||
  e.type === "reasoning" ||
  e.type === "reasoning_redacted";

/**
 * One timer for an attempt's clocks before the commit point (the headers, then the first token; for a call, the
 * headers, then the body) instead of one armed and cleared per phase and per event. It is never armed more than
 * idle_ms ahead, the most any later phase starts with, so a phase whose limit is later never re-arms it: the timer
 * fires, finds the phase's limit not reached, and re-arms for the rest.
 */
class AttemptClock {
  readonly expired: Promise<never>;
  #fail: (err: ProviderError) => void = () => undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #armedFor = Number.POSITIVE_INFINITY;
  #limit = Number.POSITIVE_INFINITY;
  #clock: ClockName = "headers";
  #ms = 0;

  constructor(
    readonly input: AttemptInput,
    readonly controller: AbortController,
  ) {
    this.expired = new Promise<never>((_, reject) => {
      this.#fail = reject;
    });
    this.expired.catch(() => undefined);
  }

  /** From now on the attempt must be past this phase by `limit` (epoch ms), or `clock` (of `ms`) ran out. */
  phase(clock: ClockName, ms: number, limit: number): void {
    this.#clock = clock;
    this.#ms = ms;
    this.#limit = limit;
    if (limit < this.#armedFor) this.#arm();
  }

  /** `promise`, or the clock's timeout if it runs out first (the attempt's controller is then aborted). */
  race<T>(promise: Promise<T>): Promise<T> {
    // The loser of the race may reject later (an aborted read): that rejection is expected and handled here.
    promise.catch(() => undefined);
    return Promise.race([promise, this.expired]);
  }

  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedFor = Number.POSITIVE_INFINITY;
    this.#limit = Number.POSITIVE_INFINITY;
  }

  #arm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    const now = this.input.deps.now();
    this.#armedFor = Math.min(this.#limit, now + this.input.timeouts.idle_ms);
    this.#timer = setTimeout(this.#fire, Math.max(0, this.#armedFor - now));
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    this.#armedFor = Number.POSITIVE_INFINITY;
    if (this.input.deps.now() < this.#limit) {
      this.#arm();
      return;
    }
    // A deadline kept short for candidates that may follow: if none does, this attempt has the request's whole time.
    const later = this.#limit === this.input.deadline ? (this.input.lastCandidateDeadline?.() ?? null) : null;
    if (later !== null && later > this.#limit) {
      this.#ms += later - this.#limit;
      this.#limit = later;
      this.#arm();
      return;
    }
    const error = clockError(this.input.adapter.id, this.#clock, this.#ms);
    this.controller.abort(error);
    this.#fail(error);
  };
}

/** Sends the request and waits for headers; a non-2xx answer becomes the adapter's ProviderError. */
async function send(
  input: AttemptInput,
  controller: AbortController,
  headersMs: number,
  clock: AttemptClock,
): Promise<Response> {
  const { adapter, built, deps } = input;
  const now = deps.now();
  const remaining = input.deadline - now;
  const limitMs = Math.min(headersMs, remaining);
  clock.phase(remaining < headersMs ? "deadline" : "headers", limitMs, now + limitMs);
  let response: Response;
  try {
    response = await clock.race(
      deps.fetch(built.request.url, {
        method: "POST",
        headers: built.request.headers,
        body: JSON.stringify(built.request.body),
        signal: controller.signal,
      }),
    );
  } catch (err) {
    throw translateFailure(err, input, controller);
  }
  if (!response.ok) {
    const text = await withClock(response.text(), input.timeouts.idle_ms, "idle", controller, adapter.id).catch(
      () => "",
    );
    throw adapter.parseError(response.status, response.headers, text, deps.now(), input.ctx.env);
  }
  return response;
}

/**
 * A non-streaming call. Providers send headers only once the answer is complete, so headers wait for the deadline,
 * or for the headers clock the caller set.
 */
export async function callOnce(input: AttemptInput): Promise<ChatResult> {
  const controller = linkedController(input.clientSignal);
  const clock = new AttemptClock(input, controller);
  try {
    const response = await send(input, controller, input.jsonHeadersMs ?? input.deadline - input.deps.now(), clock);
    let json: unknown;
    try {
      const idle = input.timeouts.idle_ms;
      clock.phase("idle", idle, input.deps.now() + idle);
      json = await clock.race(response.json());
    } catch (err) {
      if (err instanceof SyntaxError)
        throw new ProviderError({
          kind: "malformed",
          provider: input.adapter.id,
          message: "the answer was not valid JSON",
        });
      throw translateFailure(err, input, controller, true);
    }
    return input.adapter.parseChatResponse(json, input.ctx);
  } finally {
    clock.stop();
    controller.dispose();
  }
}

/** Opens a stream and reads until its first content event: any failure before then is the caller's to fall back on. */
export async function openStream(input: AttemptInput): Promise<CommittedStream> {
  const { adapter, deps, timeouts } = input;
  const started = deps.now();
  const controller = linkedController(input.clientSignal, input.signal);
  const abort = (reason?: unknown) => controller.abort(reason);
  const clock = new AttemptClock(input, controller);
  try {
    const response = await send(input, controller, timeouts.headers_ms, clock);
    if (response.body === null)
      throw new ProviderError({ kind: "malformed", provider: adapter.id, message: "a stream answer had no body" });
    const events = new UpstreamEvents(
      new WireReader(response.body, adapter.streamFormat),
      adapter.streamDecoder(input.ctx),
      adapter.id,
      input.malformedRunLimit ?? 3,
    );
    const head: StreamEvent[] = [];
    const firstTokenMs = input.firstTokenMs ?? timeouts.first_token_ms;
    // The first token is due firstTokenMs after the request went out (or by the deadline, if that comes first).
    const firstTokenBy = started + firstTokenMs;
    if (input.deadline < firstTokenBy) clock.phase("deadline", input.deadline - started, input.deadline);
    else clock.phase("first_token", firstTokenMs, firstTokenBy);
    let carried: StreamEvent[];
    for (;;) {
      const batch = await clock.race(events.next()).catch((err: unknown) => {
        throw translateFailure(err, input, controller, true);
      });
      if (batch === null) {
        // An answer that finished with no content (Claude may end a turn so, after a tool result) is an answer: the
        // provider ended its stream cleanly, and the client gets it, empty, as the same call's JSON would be.
        if (head.some((e) => e.type === "finish")) {
          carried = [];
          break;
        }
        throw new ProviderError({
          kind: "stream",
          provider: adapter.id,
          message: `${adapter.id} ended the stream before any content`,
        });
      }
      const first = events.committed ? batch.findIndex(isContent) : -1;
      if (first === -1) {
        for (const e of batch) head.push(e);
        continue;
      }
      for (let i = 0; i <= first; i++) head.push(batch[i]!);
      // What the same read brought after the first content event comes first in the rest.
      carried = batch.slice(first + 1);
      break;
    }
    clock.stop();
    return {
      head,
      rest: events.rest(input, controller, carried),
      ttftMs: deps.now() - started,
      abort,
      malformedSkipped: () => events.skipped,
    };
  } catch (err) {
    clock.stop();
    abort(err);
    controller.dispose();
    throw err;
  }
}

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
class UpstreamEvents implements EventBatches {
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
      clock.end(false);
      throw translateFailure(err, clock.input, clock.controller, true);
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

/** Network failures and aborts become ProviderError (network/timeout) or ClientGoneError; ProviderErrors pass. */
function translateFailure(
  err: unknown,
  input: AttemptInput,
  controller: AbortController,
  afterHeaders = false,
): unknown {
  if (err instanceof ProviderError) return err;
  if (input.clientSignal.aborted) return new ClientGoneError("the client closed the connection");
  const reason: unknown = controller.signal.reason;
  if (controller.signal.aborted && reason instanceof ProviderError) return reason;
  const message = err instanceof Error ? err.message : String(err);
  // A reset before any byte is worth retrying; a connection cut after the headers is a broken stream.
  return afterHeaders
    ? new ProviderError({
        kind: "stream",
        provider: input.adapter.id,
        message: `${input.adapter.id} cut the connection: ${message}`,
      })
    : new ProviderError({
        kind: "network",
        provider: input.adapter.id,
        message: `${input.adapter.id} could not be reached: ${message}`,
      });
}

interface DisposableController extends AbortController {
  dispose(): void;
}

/**
 * An AbortController that also aborts when the client's signal does (and when `own`, this attempt's own signal, does,
 * with its reason); dispose() unhooks both.
 */
function linkedController(parent: AbortSignal, own?: AbortSignal): DisposableController {
  const controller = new AbortController() as DisposableController;
  const onAbort = () => controller.abort(new ClientGoneError("the client closed the connection"));
  const onOwn = () => controller.abort(own?.reason);
  if (parent.aborted) onAbort();
  else parent.addEventListener("abort", onAbort, { once: true });
  if (own?.aborted) onOwn();
  else own?.addEventListener("abort", onOwn, { once: true });
  controller.dispose = () => {
    parent.removeEventListener("abort", onAbort);
    own?.removeEventListener("abort", onOwn);
  };
  return controller;
}
