// One attempt on one candidate: the fetch, the three clocks, and for streams the commit point.
import type { Timeouts } from "../config/schema.ts";
import { ProviderError } from "../core/errors.ts";
import type { ChatResult, StreamEvent } from "../core/types.ts";
import type { AdapterContext, BuiltRequest, ProviderAdapter } from "../providers/adapter.ts";
import { WireReader } from "../streams/wire-messages.ts";
import { linkedController, translateFailure } from "./attempt-signals.ts";
import type { ExecDeps } from "./deps.ts";
import { type ClockName, clockError, withClock } from "./timed-iterator.ts";
import { type EventBatches, isContent, UpstreamEvents } from "./upstream-events.ts";

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
      // The body is read under the idle clock, and the request's deadline still bounds it (decision 0004).
      const now = input.deps.now();
      const idle = input.timeouts.idle_ms;
      if (input.deadline < now + idle) clock.phase("deadline", Math.max(0, input.deadline - now), input.deadline);
      else clock.phase("idle", idle, now + idle);
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
