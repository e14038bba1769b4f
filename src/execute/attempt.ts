// One attempt on one candidate: the fetch, the three clocks, and for streams the commit point.
import type { Timeouts } from "../config/schema.ts";
import { ProviderError } from "../core/errors.ts";
import type { ChatResult, StreamEvent } from "../core/types.ts";
import type { AdapterContext, BuiltRequest, ProviderAdapter } from "../providers/adapter.ts";
import { readWireMessages, type WireMessage } from "../streams/wire-messages.ts";
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
  /** Malformed chunks in a row after the commit point that fail the attempt (fewer are skipped); absent: 3. */
  malformedRunLimit?: number;
  /** Aborts this attempt alone (a hedge that lost, a splice that did not match); the client's signal still applies. */
  signal?: AbortSignal;
}

/** Thrown when the client closed the connection: nothing more is to be tried. */
export class ClientGoneError extends Error {
  override name = "ClientGoneError";
}

export interface CommittedStream {
  /** Events up to and including the first content event. */
  head: StreamEvent[];
  /** The rest of the stream, under the idle clock and the deadline. Throws ProviderError or ClientGoneError. */
  rest: AsyncGenerator<StreamEvent>;
  ttftMs: number;
  /** Aborts the upstream request (the client left, or the gateway gave up). */
  abort: (reason?: unknown) => void;
  /** Malformed chunks skipped after the commit point (never passed on). */
  malformedSkipped: () => number;
  /**
   * Sets what runs each time the stream is about to wait on the provider, i.e. when every event read so far has been
   * handed on (null clears it): where a transport writes out the events it batched. Absent: no such moment is known.
   */
  onWait?: (hook: (() => void) | null) => void;
}

// Reasoning is content: a thinking model streams it for seconds before any text, and the Messages and Responses
// dialects show it to the client as it comes.
const isContent = (e: StreamEvent) => e.type === "text" || e.type === "tool_call_start" || e.type === "reasoning";

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

/** A non-streaming call. Providers send headers only once the answer is complete, so headers wait for the deadline. */
export async function callOnce(input: AttemptInput): Promise<ChatResult> {
  const controller = linkedController(input.clientSignal);
  const clock = new AttemptClock(input, controller);
  try {
    const response = await send(input, controller, input.deadline - input.deps.now(), clock);
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
  const guard = new MalformedGuard(adapter.id, input.malformedRunLimit ?? 3);
  let waitHook: (() => void) | null = null;
  const clock = new AttemptClock(input, controller);
  try {
    const response = await send(input, controller, timeouts.headers_ms, clock);
    if (response.body === null)
      throw new ProviderError({ kind: "malformed", provider: adapter.id, message: "a stream answer had no body" });
    const events = adapter.parseStream(
      readWireMessages(response.body, adapter.streamFormat, guard.check, () => waitHook?.()),
      input.ctx,
    );
    const head: StreamEvent[] = [];
    const firstTokenMs = input.firstTokenMs ?? timeouts.first_token_ms;
    // The first token is due firstTokenMs after the request went out (or by the deadline, if that comes first).
    const firstTokenBy = started + firstTokenMs;
    if (input.deadline < firstTokenBy) clock.phase("deadline", input.deadline - started, input.deadline);
    else clock.phase("first_token", firstTokenMs, firstTokenBy);
    for (;;) {
      const next = await clock.race(events.next()).catch((err: unknown) => {
        throw translateFailure(err, input, controller, true);
      });
      if (next.done) {
        throw new ProviderError({
          kind: "stream",
          provider: adapter.id,
          message: `${adapter.id} ended the stream before any content`,
        });
      }
      head.push(next.value);
      if (isContent(next.value)) break;
    }
    // From here on a malformed chunk is skipped, not a reason to fall back: the client has the answer's start.
    guard.committed = true;
    clock.stop();
    return {
      head,
      rest: timedRest(events, input, controller),
      ttftMs: deps.now() - started,
      abort,
      malformedSkipped: () => guard.skipped,
      onWait: (hook) => {
        waitHook = hook;
      },
    };
  } catch (err) {
    clock.stop();
    abort(err);
    controller.dispose();
    throw err;
  }
}

/**
 * The rest of a committed stream under the idle clock and the deadline. One timer serves the whole stream: it fires
 * when the silence (or the deadline) may have run out and re-arms itself otherwise, instead of a timer armed and
 * cleared per chunk. Silence is counted only while waiting on the provider, never while the client reads slowly.
 */
async function* timedRest(
  events: AsyncGenerator<StreamEvent>,
  input: AttemptInput,
  controller: DisposableController,
): AsyncGenerator<StreamEvent> {
  const { adapter, deps, timeouts } = input;
  let waitingSince: number | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stalled: (err: ProviderError) => void = () => undefined;
  const stall = new Promise<never>((_, reject) => {
    stalled = reject;
  });
  stall.catch(() => undefined);
  let ended = false;
  const check = () => {
    timer = undefined;
    if (waitingSince === null) return;
    const now = deps.now();
    const idleLeft = waitingSince + timeouts.idle_ms - now;
    const deadlineLeft = input.deadline - now;
    if (idleLeft > 0 && deadlineLeft > 0) {
      timer = setTimeout(check, Math.min(idleLeft, deadlineLeft));
      return;
    }
    const error =
      deadlineLeft <= idleLeft
        ? clockError(adapter.id, "deadline", input.deadline - waitingSince)
        : clockError(adapter.id, "idle", timeouts.idle_ms);
    controller.abort(error);
    stalled(error);
  };
  try {
    for (;;) {
      waitingSince = deps.now();
      timer ??= setTimeout(check, Math.max(0, Math.min(timeouts.idle_ms, input.deadline - waitingSince)));
      // The loser of the race may reject later (an aborted read): the race's own handler on it keeps that rejection
      // handled, so no catch of its own is needed (one promise less per event).
      let next: IteratorResult<StreamEvent>;
      try {
        next = await Promise.race([events.next(), stall]);
      } catch (err) {
        throw translateFailure(err, input, controller, true);
      }
      waitingSince = null;
      if (next.done) {
        ended = true;
        return;
      }
      yield next.value;
    }
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    // Leaving early (the client went away, or an error) must not leave the upstream request running; a stream that
    // ended by itself has nothing left running (and no error to build for it).
    if (!ended && !controller.signal.aborted) controller.abort(new ClientGoneError("stream closed"));
    controller.dispose();
  }
}

/**
 * Before the commit point every wire message reaches the adapter (a malformed one fails the attempt, which falls back
 * unseen). After it, a message whose data is not JSON is skipped and counted; `limit` of them in a row fail the
 * attempt. Every stream format the adapters read carries JSON data (and OpenAI's `[DONE]`). The check runs inside the
 * wire reader, and the JSON it parses rides on the message (`json`), so the adapter does not parse it again.
 */
class MalformedGuard {
  committed = false;
  skipped = 0;
  #run = 0;

  constructor(
    readonly provider: ProviderAdapter["id"],
    readonly limit: number,
  ) {}

  readonly check = (m: WireMessage): boolean => {
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
  };
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
