// Rescue after the commit point: a committed stream that breaks (cut, stall, error event, a run of malformed chunks)
// is continued on another candidate, so the client's one stream of canonical events carries on as one answer.
// Continuation: a candidate that takes an assistant prefill (registry capability `prefill`) is sent the text so far as
// the assistant's prefix and streams the rest. Splice: where none takes one (or the prefill is refused), a candidate
// restarts from scratch, and its answer is joined on only if it begins with exactly the text already sent. Never once
// a tool call has started, and never once the answer had finished. Every dialect gets this: it is below them.
import { ProviderError } from "../core/errors.ts";
import type { CanonicalRequest, ChatMessage, StreamEvent, Usage } from "../core/types.ts";
import type { AttemptRecord } from "../ledger/record.ts";
import type { Candidate } from "../routing/plan-types.ts";
import { estimatePromptTokens, estimateTextTokens } from "../routing/tokens.ts";
import type { CommittedStream } from "./attempt.ts";
import type { EventBatches } from "./upstream-events.ts";

/** One stretch of the answer, from one candidate. */
export interface StreamLeg {
  candidate: Candidate;
  /** Its attempt record (the same object as in the attempts list); marked failed when the leg broke. */
  record: AttemptRecord;
  /** How the leg joined the answer. */
  via: "commit" | "prefill" | "splice";
  /** The usage it reported, or (a leg that broke before reporting) an estimate; null while it runs. */
  usage: Usage | null;
  usageEstimated: boolean;
}

/** A stream opened for the rescue (its attempt already recorded), or why it could not be. */
export type Opened = { ok: true; stream: CommittedStream; record: AttemptRecord } | { ok: false; error: ProviderError };

/** What the executor lends the rescue: the candidates left, and one attempt on one of them. */
export interface RescueHooks {
  /** The next candidate to try (circuits, providers down and the deadline already applied); null when none is left. */
  next(): Promise<Candidate | null>;
  /**
   * Opens a stream on `candidate` for `request` up to its first content event; records the attempt. Aborting `signal`
   * (the answer's reader left) aborts it, opening or open, and it throws the reason.
   */
  open(candidate: Candidate, request: CanonicalRequest, signal: AbortSignal): Promise<Opened>;
  /** A leg that broke and was rescued (its outcome belongs to the live stats now; the last leg's, at the end). */
  replaced(leg: StreamLeg): void;
}

export interface RescuedStream extends CommittedStream {
  /** Every leg of the answer, the one answering now last. */
  readonly legs: StreamLeg[];
  /** Gives the answering leg its usage where it reported none (an estimate from its prompt and what it streamed). */
  closeLast(): void;
}

/**
 * Providers whose chat API itself continues a final assistant message, whatever the model (Mistral's `prefix: true`,
 * Ollama's final assistant turn): a model the registry does not list is taken to accept a prefill there. Anthropic's
 * models differ one from another (4.6 and later refuse it), so only the registry says. A wrong guess costs one 400,
 * after which the same candidate is restarted and spliced instead.
 */
const PREFILL_APIS: ReadonlySet<string> = new Set(["mistral", "ollama"]);

export function takesPrefill(candidate: Candidate): boolean {
  const { entry, provider } = candidate.ref;
  return entry === null ? PREFILL_APIS.has(provider) : entry.capabilities.includes("prefill");
}

/**
 * The request with `text` as the assistant's prefix, and the whitespace held back from it: Anthropic refuses a prefix
 * that ends in whitespace, and the continuation usually starts with that whitespace again, so it is trimmed from the
 * prefix and dropped from the continuation's start (the client's text stays exact). The caller's reasoning setting is
 * not sent on.
 */
export function prefillRequest(request: CanonicalRequest, text: string): { request: CanonicalRequest; held: string } {
  const last = request.messages.at(-1);
  // A client that sent its own prefix: the answer so far continues it.
  const own = last?.role === "assistant" && typeof last.content === "string" && !last.tool_calls ? last.content : null;
  const whole = (own ?? "") + text;
  const prefix = whole.trimEnd();
  const messages: ChatMessage[] = own === null ? [...request.messages] : request.messages.slice(0, -1);
  messages.push({ role: "assistant", content: prefix });
  const continued: CanonicalRequest = { ...request, messages };
  // The continuation writes on from the text: its thinking was done on the broken leg, and Anthropic refuses a
  // prefill with thinking on ("Prefilling is only available for non-extended thinking modes").
  delete continued.reasoning;
  // The caller's output limit bounds the one answer it reads: the continuation gets what the text sent left of it.
  if (request.max_output_tokens !== undefined)
    continued.max_output_tokens = Math.max(1, request.max_output_tokens - Math.ceil(estimateTextTokens(text)));
  return { request: continued, held: whole.slice(prefix.length) };
}

const failedRecord = (record: AttemptRecord, err: ProviderError): void => {
  record.status = "failed";
  record.error = err.message;
  record.error_kind = err.kind;
  if (err.kind === "timeout" && err.code !== null) record.clock = err.code;
};

/** The stream the client reads: the committed one, continued on the next candidates when it breaks. */
export function rescuable(
  first: CommittedStream,
  firstLeg: StreamLeg,
  request: CanonicalRequest,
  hooks: RescueHooks,
): RescuedStream {
  const legs: StreamLeg[] = [firstLeg];
  let current = first;
  // Aborted with the answer: a leg still being opened (or one that opens after) is aborted with it, not left running.
  // Made only when a leg is opened or the answer aborted: most streams never need one.
  let leaving: AbortController | undefined;
  const left = () => (leaving ??= new AbortController());
  const stopIfLeft = () => {
    if (leaving?.signal.aborted) throw leaving.signal.reason;
  };
  let leg = firstLeg;
  let legText = "";
  /** The answering leg's reasoning so far: output its provider bills too, though no prefill carries it on. */
  let legReasoning = "";
  /** The answering leg's prompt as its provider counted it at the start (Anthropic's message_start), if it did. */
  let legPrompt: Usage | null = null;
  let sent = "";
  /** A tool call or a refusal started: the answer is no text a prefill or a restart could go on from. */
  let notText = false;
  let finished = false;
  let skippedBefore = 0;
  const track = (e: StreamEvent) => {
    if (e.type === "text") {
      sent += e.text;
      legText += e.text;
    } else if (e.type === "tool_call_start") notText = true;
    else if (e.type === "refusal") {
      notText = true;
      legText += e.text;
    } else if (e.type === "reasoning") legReasoning += e.text;
    else if (e.type === "finish") finished = true;
    else if (e.type === "prompt_usage") legPrompt = e.usage;
  };
  first.head.forEach(track);
  const prior = () => sumUsage(legs.slice(0, -1).map((l) => l.usage));

  /**
   * Ends a broken leg: its usage, reported or estimated from what it streamed (its prompt as its provider counted it
   * at the start, where it did).
   */
  const close = (broken: StreamLeg, promptOf: CanonicalRequest) => {
    if (broken.usage === null) {
      const reasoning_tokens = legReasoning === "" ? 0 : Math.max(1, Math.ceil(estimateTextTokens(legReasoning)));
      const output_tokens = Math.max(1, Math.ceil(estimateTextTokens(legText))) + reasoning_tokens;
      const reasoned = reasoning_tokens > 0 ? { reasoning_tokens } : {};
      broken.usage =
        legPrompt === null
          ? {
              input_tokens: estimatePromptTokens(promptOf),
              output_tokens,
              cached_input_tokens: 0,
              cache_write_tokens: 0,
              ...reasoned,
            }
          : { ...legPrompt, output_tokens, ...reasoned };
      broken.usageEstimated = true;
    }
  };

  /**
   * Opens the next leg: a continuation on the next candidate that takes a prefill; where none does (or each refused
   * it), a splice on the others in order; null when none works. With no text sent yet there is nothing to continue:
   * each candidate is simply restarted, in order.
   */
  async function rescue(): Promise<{ stream: CommittedStream; leg: StreamLeg; request: CanonicalRequest } | null> {
    const restartLater: Candidate[] = [];
    for (let candidate = await hooks.next(); candidate !== null; candidate = await hooks.next()) {
      stopIfLeft();
      if (sent.trim() === "") {
        const spliced = await splice(candidate);
        if (spliced !== null) return { stream: spliced.stream, leg: spliced.leg, request };
        continue;
      }
      if (!takesPrefill(candidate)) {
        restartLater.push(candidate);
        continue;
      }
      const prefilled = prefillRequest(request, sent);
      const opened = await hooks.open(candidate, prefilled.request, left().signal);
      if (opened.ok) {
        return {
          stream: continuation(opened.stream, prefilled.held),
          leg: newLeg(candidate, opened.record, "prefill"),
          request: prefilled.request,
        };
      }
      // A refusal of the request (a prefill it does not take) leaves a restart to try; anything else is the
      // candidate's failure.
      if (opened.error.kind === "invalid_request") restartLater.push(candidate);
    }
    for (const candidate of restartLater) {
      stopIfLeft();
      const spliced = await splice(candidate);
      if (spliced !== null) return { stream: spliced.stream, leg: spliced.leg, request };
    }
    return null;
  }

  /** Restarts `candidate` from scratch; its stream is joined on only if it begins with exactly the text sent. */
  async function splice(candidate: Candidate): Promise<{ stream: CommittedStream; leg: StreamLeg } | null> {
    const opened = await hooks.open(candidate, request, left().signal);
    if (!opened.ok) return null;
    const { stream, record } = opened;
    let got = "";
    const kept: StreamEvent[] = [];
    const mismatch = async (why: string) => {
      failedRecord(record, new ProviderError({ kind: "stream", provider: candidate.ref.provider, message: why }));
      stream.abort(new ProviderError({ kind: "stream", provider: candidate.ref.provider, message: why }));
      return null;
    };
    /** Reads one batch: "joined" once the text sent is matched (the rest of the batch kept), or why it is not. */
    const read = (batch: readonly StreamEvent[]): "joined" | "more" | string => {
      for (let i = 0; i < batch.length; i++) {
        const e = batch[i]!;
        if (e.type === "tool_call_start" || e.type === "finish")
          return "the restarted answer is not the one already sent";
        if (e.type !== "text") {
          // The restarted answer's own thinking, before the text already sent, is not part of the answer the client
          // is reading: it would come in the middle of it.
          if (!isThinking(e)) kept.push(e);
          continue;
        }
        got += e.text;
        if (got.length < sent.length) {
          if (!sent.startsWith(got)) return "the restarted answer did not begin with the text already sent";
          continue;
        }
        if (!got.startsWith(sent)) return "the restarted answer did not begin with the text already sent";
        const rest = got.slice(sent.length);
        if (rest !== "") kept.push({ type: "text", text: rest });
        for (let j = i + 1; j < batch.length; j++) kept.push(batch[j]!);
        return "joined";
      }
      return "more";
    };
    try {
      for (let result = read(stream.head); ; ) {
        if (result === "joined") return { stream: { ...stream, head: kept }, leg: newLeg(candidate, record, "splice") };
        if (result !== "more") return mismatch(result);
        const batch = await stream.rest.next();
        if (batch === null) return mismatch("the restarted answer ended before it reached the text already sent");
        result = read(batch);
      }
    } catch (err) {
      if (!(err instanceof ProviderError)) throw err;
      failedRecord(record, err);
      return null;
    }
  }

  let legRequest = request;
  /** A leg's events as the client sees them (in place): usage as the whole answer's (every leg's added up), the rest tracked. */
  const passed = (batch: StreamEvent[]): StreamEvent[] => {
    for (let i = 0; i < batch.length; i++) {
      const e = batch[i]!;
      if (e.type !== "usage") {
        track(e);
        continue;
      }
      leg.usage = e.usage;
      if (legs.length > 1) batch[i] = { type: "usage", usage: sumUsage([prior(), e.usage]) ?? e.usage };
    }
    return batch;
  };
  /** The next read's events; on a break before the answer finished, the next leg's head, from a rescue. */
  async function next(): Promise<StreamEvent[] | null> {
    for (;;) {
      try {
        const batch = await current.rest.next();
        if (batch !== null) return passed(batch);
        if (finished) return null;
        // Ended cleanly but unfinished (no finish reason): as broken as a cut, and rescued the same way.
        const { provider } = leg.candidate.ref;
        throw new ProviderError({
          kind: "stream",
          provider,
          message: `${provider} ended the stream before finishing the answer`,
        });
      } catch (err) {
        if (!(err instanceof ProviderError) || notText || finished) throw err;
        const broken = leg;
        const brokenRequest = legRequest;
        const found = await rescue();
        if (found === null) throw err;
        failedRecord(broken.record, err);
        close(broken, brokenRequest);
        hooks.replaced(broken);
        skippedBefore += current.malformedSkipped();
        current = found.stream;
        leg = found.leg;
        legRequest = found.request;
        legText = "";
        legReasoning = "";
        legPrompt = null;
        legs.push(leg);
        // A restart generated the text already sent again before it joined: that is its output too.
        if (leg.via === "splice") legText = sent;
        // The new leg's head: its usage is the leg's own (the total comes with its later usage event).
        const head: StreamEvent[] = [];
        for (const e of current.head) {
          if (e.type === "usage") {
            leg.usage = e.usage;
            continue;
          }
          track(e);
          head.push(e);
        }
        if (head.length > 0) return head;
      }
    }
  }

  return {
    head: first.head,
    rest: { next },
    ttftMs: first.ttftMs,
    abort: (reason) => {
      left().abort(reason);
      current.abort(reason);
    },
    malformedSkipped: () => skippedBefore + current.malformedSkipped(),
    legs,
    closeLast: () => close(leg, legRequest),
  };
}

function newLeg(candidate: Candidate, record: AttemptRecord, via: StreamLeg["via"]): StreamLeg {
  // The ledger and the trace say how a later leg joined: a continuation of the text sent, or a spliced restart.
  if (via === "prefill") record.via = "continuation";
  else if (via === "splice") record.via = "splice";
  return { candidate, record, via, usage: null, usageEstimated: false };
}

const isThinking = (e: StreamEvent): boolean =>
  e.type === "reasoning" || e.type === "reasoning_signature" || e.type === "reasoning_redacted";

/**
 * The continuation as the client reads it: `held` (the whitespace trimmed off its prefix) dropped from its start
 * where it repeats it, and its model's own thinking left out (it would come in the middle of the answer).
 */
function continuation(stream: CommittedStream, held: string): CommittedStream {
  let left = held;
  const strip = (e: StreamEvent): StreamEvent | null => {
    if (isThinking(e)) return null;
    if (left === "" || e.type !== "text") return e;
    let i = 0;
    while (i < e.text.length && i < left.length && e.text[i] === left[i]) i++;
    // Text that does not repeat the held whitespace ends the stripping: the model chose its own spacing.
    left = i < e.text.length ? "" : left.slice(i);
    const text = e.text.slice(i);
    return text === "" ? null : { type: "text", text };
  };
  const head = stream.head.map(strip).filter((e): e is StreamEvent => e !== null);
  const inner = stream.rest;
  const rest: EventBatches = {
    async next() {
      for (;;) {
        const batch = await inner.next();
        if (batch === null) return null;
        const out: StreamEvent[] = [];
        for (const e of batch) {
          const kept = strip(e);
          if (kept !== null) out.push(kept);
        }
        if (out.length > 0) return out;
      }
    },
  };
  return { ...stream, head, rest };
}

/** Usage added up, with the tier the last one says it was served at; null when none is known. */
export function sumUsage(usages: (Usage | null)[]): Usage | null {
  const known = usages.filter((u): u is Usage => u !== null);
  if (known.length === 0) return null;
  const total: Usage = { input_tokens: 0, output_tokens: 0, cached_input_tokens: 0, cache_write_tokens: 0 };
  for (const u of known) {
    total.input_tokens += u.input_tokens;
    total.output_tokens += u.output_tokens;
    total.cached_input_tokens += u.cached_input_tokens;
    total.cache_write_tokens += u.cache_write_tokens;
    if (u.cache_write_1h_tokens !== undefined)
      total.cache_write_1h_tokens = (total.cache_write_1h_tokens ?? 0) + u.cache_write_1h_tokens;
    if (u.reasoning_tokens !== undefined) total.reasoning_tokens = (total.reasoning_tokens ?? 0) + u.reasoning_tokens;
  }
  // The tier the answer was served at is the last leg's (the one answering), as it said: a sum has no tier of its own.
  const servedAt = usages.at(-1)?.service_tier;
  if (servedAt !== undefined) total.service_tier = servedAt;
  return total;
}
