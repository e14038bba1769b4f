// Walks a plan: tries candidates in order, retries what retrying fixes, and falls back on every other failure.
import type { FallbackFile, ProviderId, Timeouts } from "../config/schema.ts";
import { type ErrorKind, ProviderError } from "../core/errors.ts";
import type { CanonicalRequest, ChatResult } from "../core/types.ts";
import type { ProviderEnv } from "../env.ts";
import type { AttemptRecord } from "../ledger/record.ts";
import type { BuiltRequest, ProviderAdapter } from "../providers/adapter.ts";
import { adapterFor } from "../providers/index.ts";
import { hostOf } from "../routing/deployments.ts";
import type { Candidate, Plan } from "../routing/plan-types.ts";
import { type AttemptInput, type CommittedStream, callOnce, openStream } from "./attempt.ts";
import { failedRecord, goneRecord, okRecord, skippedRecord } from "./attempt-records.ts";
import { ClientGoneError } from "./attempt-signals.ts";
import type { Admission, CircuitGate } from "./circuit-gate.ts";
import { overflowedWindow } from "./context-window.ts";
import type { ExecDeps } from "./deps.ts";
import { type ExecutionFailure, failure, refusedFailure } from "./execution-failure.ts";
import { hedged, hedgeLost } from "./hedge.ts";
import { type RescueHooks, rescuable } from "./rescue.ts";

export type { AttemptRecord };

export interface ExecuteInput {
  plan: Plan;
  request: CanonicalRequest;
  timeouts: Timeouts;
  retry: FallbackFile["retry"];
  env: ProviderEnv;
  clientSignal: AbortSignal;
  deps: ExecDeps;
  /** Epoch ms when the gateway received the request. */
  startedAt: number;
  /**
   * Told of every attempt as it ends (live stats). A committed stream's attempt is not reported here: its outcome is
   * known only when the stream ends, so the caller reports it then. True when the outcome goes to the stats object
   * (whose answer ends a half-open probe's claim); false when it says nothing of the provider's health.
   */
  onAttempt?: (record: AttemptRecord, candidate: Candidate) => boolean;
  /** The circuit breaker: whether a candidate may be tried now (absent: every candidate is tried). */
  gate?: CircuitGate;
  /** The adapter for a provider (absent: the registry's); tests pass a fake one. */
  adapterFor?: (provider: ProviderId) => ProviderAdapter;
  /** The env a candidate's calls go out with (a deployment's own base URL); absent: `env` for all. */
  envFor?: (candidate: Candidate) => ProviderEnv;
  /** The first-token clock of a candidate (adaptive: src/execute/clocks.ts); absent: timeouts.first_token_ms. */
  firstTokenFor?: (candidate: Candidate) => number;
  /** A headers clock for non-streaming calls, which the caller set; absent: they wait for the deadline. */
  jsonHeadersMs?: number;
  /** Rescue after the commit point (docs/failover.md); absent: a broken committed stream is an error event. */
  rescue?: RescueSettings;
  /** Hedging: how long a stream may go without its first token before the next candidate starts alongside it. */
  hedgeFor?: (candidate: Candidate) => number | null;
}

export interface RescueSettings {
  /** Continue a broken stream on the next candidates (prefill, else splice). */
  continuation: boolean;
  /** Malformed chunks in a row after the commit point that fail the attempt. */
  malformedRunLimit: number;
}

/** A hedge partner: the candidate started alongside the first, with its built request. */
interface Partner {
  candidate: Candidate;
  adapter: ProviderAdapter;
  built: BuiltRequest;
  /** Its place in the walk (the rescue continues after it). */
  index: number;
  began: number;
}

interface Answered {
  candidate: Candidate;
  attempts: AttemptRecord[];
  warnings: string[];
}
export type ExecuteOutcome =
  | (Answered & { ok: true; kind: "json"; result: ChatResult })
  | (Answered & {
      ok: true;
      kind: "stream";
      stream: CommittedStream;
      /** The committed candidate was its circuit's half-open probe: the claim to let go if its outcome is not told. */
      probe?: string;
    })
  | { ok: false; failure: ExecutionFailure };

/**
 * Walks the plan. A half-open probe this request claimed holds its circuit's claim until its outcome reaches the
 * stats object; one whose outcome never goes there (the client left, a clock the caller tightened ran out, a hedge
 * lost) lets go of it when the walk ends, or the model would be skipped by everyone until the claim lapsed.
 */
export async function executePlan(input: ExecuteInput): Promise<ExecuteOutcome> {
  const probes = new Map<Candidate, string>();
  try {
    return await walk(input, probes);
  } finally {
    for (const key of probes.values()) input.gate?.release(key);
  }
}

async function walk(input: ExecuteInput, probes: Map<Candidate, string>): Promise<ExecuteOutcome> {
  const { plan, request, deps, retry } = input;
  /** Tells the caller of an attempt's end; a probe whose outcome it records is settled by the stats object. */
  const report = (record: AttemptRecord, candidate: Candidate): void => {
    if (input.onAttempt?.(record, candidate) === true) probes.delete(candidate);
  };
  const deadline = input.startedAt + input.timeouts.total_ms;
  const attempts: AttemptRecord[] = [];
  const errors: ProviderError[] = [];
  // After a context_length_exceeded, only candidates with a larger window are worth trying.
  let needWindowAbove = 0;
  // Earliest time a circuit-skipped candidate may be tried again: the Retry-After of a 503 when nothing was tried.
  let reopensAt: number | null = null;
  // Candidates ramping back after an outage go after the others; they are still tried before giving up.
  // The walk starts on the plan's head and reads the rest of the plan only when it needs more (a fallback, a deferral,
  // a hedge, a rescue, or a call's deadline that kept time for the candidates after it): a call answered by its first
  // candidate never ranks the fallbacks.
  const lead = plan.lead;
  const queue = (lead ?? plan.candidates).map((candidate) => ({ candidate, deferred: false }));
  let whole = lead === undefined;
  /** Adds the rest of the plan after the head (before anything is deferred or consumed, so indices stay put). */
  const widen = (): void => {
    if (whole) return;
    whole = true;
    for (const candidate of plan.candidates.slice(queue.length)) queue.push({ candidate, deferred: false });
  };
  // A failure that is not about one model (connection, key) skips the provider's other candidates in this request
  // (a deployment's own host: that host's).
  const providerDown = new Map<string, ErrorKind>();

  /** Whether a candidate may be tried at all now: the window, its provider, its circuit (a skip is recorded). */
  const admit = (candidate: Candidate, deferred: boolean): Admission | null => {
    const { ref } = candidate;
    const window = ref.entry?.context_window ?? Number.POSITIVE_INFINITY;
    if (window <= needWindowAbove) {
      attempts.push(skippedRecord(candidate, `context window ${window} is not larger than the one that overflowed`));
      return null;
    }
    const host = hostOf(ref);
    const down = providerDown.get(host);
    if (down !== undefined) {
      attempts.push(skippedRecord(candidate, `${host} failed for every model this request (${down}); not tried again`));
      return null;
    }
    const admission: Admission = deferred || input.gate === undefined ? { kind: "try" } : input.gate.admit(candidate);
    if (admission.kind === "skip") {
      attempts.push(skippedRecord(candidate, admission.reason));
      if (admission.until !== null) reopensAt = Math.min(reopensAt ?? admission.until, admission.until);
      return null;
    }
    return admission;
  };
  /** A half-open probe this isolate claimed is the deployment's one probe only if the shared claim is ours too. */
  const confirmed = async (candidate: Candidate, admission: Admission): Promise<boolean> => {
    if (admission.kind !== "probe" || input.gate === undefined) return true;
    if (await input.gate.confirm(admission.key)) {
      probes.set(candidate, admission.key);
      return true;
    }
    attempts.push(skippedRecord(candidate, "circuit half-open; its one probe is in flight from another isolate"));
    // Its probe's answer may reopen it at any moment: a 503 says to ask again soon.
    reopensAt = Math.min(reopensAt ?? deps.now(), deps.now());
    return false;
  };
  // A deployment with its own base URL calls with an env that names it (the adapters read the base URL from env).
  const ctxFor = (candidate: Candidate) => ({ env: input.envFor?.(candidate) ?? input.env, newId: deps.newId });
  const attemptInput = (
    candidate: Candidate,
    adapter: ProviderAdapter,
    built: BuiltRequest,
    attemptDeadline: number,
  ): AttemptInput => ({
    adapter,
    built,
    timeouts: input.timeouts,
    deadline: attemptDeadline,
    clientSignal: input.clientSignal,
    deps,
    ctx: ctxFor(candidate),
    firstTokenMs: input.firstTokenFor?.(candidate),
    jsonHeadersMs: input.jsonHeadersMs,
    malformedRunLimit: input.rescue?.malformedRunLimit,
  });
  /** The rescue's view of the plan: the candidates after `from`, and one stream attempt on one of them. */
  const rescueHooks = (from: number): RescueHooks => {
    let j = from;
    return {
      async next() {
        widen();
        while (j < queue.length) {
          if (deps.now() >= deadline) return null;
          const { candidate } = queue[j++]!;
          // In a rescue every moment counts: a ramping circuit is tried in its turn, not deferred.
          const admission = admit(candidate, false);
          if (admission !== null && (await confirmed(candidate, admission))) return candidate;
        }
        return null;
      },
      async open(candidate, rescueRequest, signal) {
        const adapter = (input.adapterFor ?? adapterFor)(candidate.ref.provider);
        const began = deps.now();
        try {
          const built = adapter.buildChatRequest(
            rescueRequest,
            { upstreamId: candidate.ref.upstreamId, entry: candidate.ref.entry },
            ctxFor(candidate),
          );
          const stream = await openStream({ ...attemptInput(candidate, adapter, built, deadline), signal });
          const record = okRecord(candidate, deps.now() - began, stream.ttftMs, began);
          attempts.push(record);
          return { ok: true, stream, record };
        } catch (err) {
          if (err instanceof ClientGoneError) {
            // The answer's reader left while this leg was opening: it was aborted, and says nothing of its health.
            attempts.push(goneRecord(candidate, deps.now() - began, began));
            throw err;
          }
          if (!(err instanceof ProviderError)) throw err;
          const record = failedRecord(candidate, err, deps.now() - began, null, began);
          attempts.push(record);
          report(record, candidate);
          return { ok: false, error: err };
        }
      },
      replaced(leg) {
        report(leg.record, leg.candidate);
      },
    };
  };

  /** A committed stream, continued on the candidates from `from` on if it breaks. */
  const committed = (
    candidate: Candidate,
    record: AttemptRecord,
    opened: CommittedStream,
    from: number,
    warnings: string[],
  ): ExecuteOutcome => {
    const stream: CommittedStream =
      input.rescue?.continuation === true
        ? rescuable(
            opened,
            { candidate, record, via: "commit", usage: null, usageEstimated: false },
            request,
            rescueHooks(from),
          )
        : opened;
    // Its outcome is told when the stream ends (the caller's part): so is the end of its probe, if it is one.
    const probe = probes.get(candidate);
    probes.delete(candidate);
    return {
      ok: true,
      kind: "stream",
      stream,
      candidate,
      attempts,
      warnings,
      ...(probe === undefined ? {} : { probe }),
    };
  };
  /** Records a failed attempt (a bug or the client leaving is rethrown). */
  const noteFailure = (candidate: Candidate, err: unknown, began: number, via?: AttemptRecord["via"]) => {
    if (err instanceof ClientGoneError || !(err instanceof ProviderError)) throw err;
    const record = failedRecord(candidate, err, deps.now() - began, null, began, via);
    attempts.push(record);
    // Losing a hedge says nothing about the candidate's health, and is no reason the request failed.
    if (err.code === "hedge_lost") return;
    errors.push(err);
    report(record, candidate);
  };
  /**
   * What a failure teaches the rest of the walk: a provider down (a refused key, a connection that will not come back),
   * a context window to exceed. The caller's own content stops the walk: no other provider is sent it.
   */
  const learn = (candidate: Candidate, err: ProviderError, attempt: number): ExecuteOutcome | null => {
    if (err.kind === "network" || err.kind === "auth") {
      if (err.kind === "auth" || !err.retryable || attempt >= retry.max_attempts)
        providerDown.set(hostOf(candidate.ref), err.kind);
    }
    if (err.kind === "content_policy") return { ok: false, failure: failure([err], attempts, "caller") };
    // Only a larger window is worth trying: larger than the registry's, or than the one the error states. When
    // neither is known, any other candidate may be larger.
    if (err.kind === "context_length") needWindowAbove = Math.max(needWindowAbove, overflowedWindow(candidate, err));
    return null;
  };
  /** Hedge partners already started: the walk does not try them again. */
  const consumed = new Set<number>();
  /** The next candidate that may be tried, built, for a hedge; null when none is left. */
  const nextPartner = async (after: number): Promise<Partner | null> => {
    widen();
    for (let k = after + 1; k < queue.length; k++) {
      if (consumed.has(k) || deps.now() >= deadline) continue;
      const { candidate } = queue[k]!;
      // The gate decides for a partner as for any candidate: a half-open circuit's one probe, resting keys. A ramping
      // circuit's share is not applied: a hedge is started because every moment counts, as in a rescue.
      const admission = admit(candidate, false);
      if (admission === null || !(await confirmed(candidate, admission))) continue;
      consumed.add(k);
      const adapter = (input.adapterFor ?? adapterFor)(candidate.ref.provider);
      try {
        const built = adapter.buildChatRequest(
          request,
          { upstreamId: candidate.ref.upstreamId, entry: candidate.ref.entry },
          ctxFor(candidate),
        );
        return { candidate, adapter, built, index: k, began: deps.now() };
      } catch (err) {
        noteFailure(candidate, err, deps.now());
      }
    }
    return null;
  };

  for (let i = 0; ; i++) {
    if (i >= queue.length) widen();
    if (i >= queue.length) break;
    if (consumed.has(i)) continue;
    const { candidate, deferred } = queue[i]!;
    const { ref } = candidate;
    const admission = admit(candidate, deferred);
    if (admission === null) continue;
    if (admission.kind === "defer") {
      widen();
      queue.push({ candidate, deferred: true });
      continue;
    }
    if (!(await confirmed(candidate, admission))) continue;
    const adapter = (input.adapterFor ?? adapterFor)(ref.provider);
    let built: BuiltRequest;
    try {
      built = adapter.buildChatRequest(request, { upstreamId: ref.upstreamId, entry: ref.entry }, ctxFor(candidate));
    } catch (err) {
      if (!(err instanceof ProviderError)) throw err;
      errors.push(err);
      attempts.push(failedRecord(candidate, err, 0, null));
      continue;
    }

    for (let attempt = 1; ; attempt++) {
      if (deps.now() >= deadline) return { ok: false, failure: failure(errors, attempts, "deadline") };
      const began = deps.now();
      // Before the rest of the plan is known, a call keeps time for candidates that may follow, and learns whether
      // any does only if its shortened deadline runs out (the last one then has the request's whole deadline).
      const unsure = !request.stream && !whole && i >= queue.length - 1;
      const attemptDeadline = request.stream
        ? deadline
        : jsonAttemptDeadline(deadline, deps.now(), input.timeouts, unsure || i < queue.length - 1);
      const one = attemptInput(candidate, adapter, built, attemptDeadline);
      if (unsure)
        one.lastCandidateDeadline = () => {
          widen();
          return i >= queue.length - 1 ? deadline : null;
        };
      try {
        if (request.stream) {
          const delay = attempt === 1 ? (input.hedgeFor?.(candidate) ?? null) : null;
          if (delay === null) {
            const opened = await openStream(one);
            const record = okRecord(candidate, deps.now() - began, opened.ttftMs, began);
            attempts.push(record);
            return committed(candidate, record, opened, i + 1, built.warnings);
          }
          // Hedged: no first token after the delay, and the next candidate starts alongside; first to commit wins.
          let partner: Partner | null = null;
          const h = await hedged({
            first: (signal) => openStream({ ...one, signal }),
            delayMs: delay,
            second: async () => {
              partner = await nextPartner(i);
              if (partner === null) return null;
              const { adapter: pa, built: pb } = partner;
              const partnerInput = attemptInput(partner.candidate, pa, pb, deadline);
              return (signal) => openStream({ ...partnerInput, signal });
            },
            lose: (loser) => {
              const other = partner?.candidate.ref.id ?? "the other candidate";
              return loser === 0
                ? hedgeLost(candidate.ref.provider, `${partner?.candidate.ref.provider}/${other}`)
                : hedgeLost(partner!.candidate.ref.provider, `${candidate.ref.provider}/${candidate.ref.id}`);
            },
            sleep: deps.sleep,
          });
          const hedge = partner as Partner | null;
          const { first, second } = h;
          const firstRecord = first.ok ? okRecord(candidate, deps.now() - began, first.stream.ttftMs, began) : null;
          if (firstRecord !== null) attempts.push(firstRecord);
          if (hedge !== null && second !== null) {
            if (second.ok) {
              // The first lost the race (or failed on its own): recorded before the partner that answers.
              if (!first.ok) noteFailure(candidate, first.error, began);
              const record = okRecord(
                hedge.candidate,
                deps.now() - hedge.began,
                second.stream.ttftMs,
                hedge.began,
                "hedge",
              );
              attempts.push(record);
              return committed(hedge.candidate, record, second.stream, hedge.index + 1, hedge.built.warnings);
            }
            noteFailure(hedge.candidate, second.error, hedge.began, "hedge");
            // What the partner's failure says holds for the rest of the walk as a plain attempt's would.
            if (second.error instanceof ProviderError && second.error.code !== "hedge_lost") {
              // (The first attempt, if it committed, answers: it was sent the prompt before the partner refused it.)
              const stop = learn(hedge.candidate, second.error, 1);
              if (stop !== null && !first.ok) return stop;
            }
          }
          if (first.ok && firstRecord !== null)
            return committed(candidate, firstRecord, first.stream, i + 1, built.warnings);
          // Neither committed: the first attempt's failure is handled as any other (below), retry included.
          throw first.ok ? new Error("unreachable: a committed first attempt returned above") : first.error;
        }
        const result = await callOnce(one);
        const elapsed = deps.now() - began;
        const record = okRecord(candidate, elapsed, elapsed, began);
        attempts.push(record);
        report(record, candidate);
        return { ok: true, kind: "json", result, candidate, attempts, warnings: built.warnings };
      } catch (err) {
        if (err instanceof ClientGoneError) {
          // The attempt in flight when the client left is one the ledger keeps, with those before it.
          attempts.push(goneRecord(candidate, deps.now() - began, began));
          err.attempts = attempts;
        }
        // A bug is not a fallback: only the one error type moves the plan along.
        if (err instanceof ClientGoneError || !(err instanceof ProviderError)) throw err;
        errors.push(err);
        const record = failedRecord(candidate, err, deps.now() - began, null, began);
        attempts.push(record);
        report(record, candidate);

        const stop = learn(candidate, err, attempt);
        if (stop !== null) return stop;
        if (err.kind === "context_length") break;
        // A half-open probe is one request: its failure reopens the circuit, so it is not retried either.
        if (!err.retryable || attempt >= retry.max_attempts || admission.kind === "probe") break;
        if (err.retryAfterMs !== null && err.retryAfterMs > retry.max_retry_after_ms) break;
        const wait = err.retryAfterMs ?? backoff(attempt, retry, deps.random);
        if (deps.now() + wait >= deadline) break;
        try {
          await deps.sleep(wait, input.clientSignal);
        } catch {
          const left = new ClientGoneError("the client closed the connection");
          left.attempts = attempts;
          throw left;
        }
      }
    }
  }
  if (errors.length === 0) {
    // Nothing was tried: no candidate, or every one behind an open circuit.
    for (const ex of plan.excluded) {
      const at = input.gate?.reopensAt(ex.provider, ex.model) ?? null;
      if (at !== null) reopensAt = Math.min(reopensAt ?? at, at);
    }
    if (plan.refused !== undefined && plan.candidates.length === 0)
      return { ok: false, failure: refusedFailure(plan.refused, attempts) };
    const none = failure(errors, attempts, "none");
    return {
      ok: false,
      failure: { ...none, retryAfterMs: reopensAt === null ? null : Math.max(1000, reopensAt - deps.now()) },
    };
  }
  // The last candidate's clock was the request's deadline: it ran out, whatever else failed before.
  return { ok: false, failure: failure(errors, attempts, deps.now() >= deadline ? "deadline" : "exhausted") };
}

/**
 * A non-streaming answer has no first token to time: its headers come with the whole answer, so a hung provider and a
 * long answer look alike. While other candidates remain, an attempt may therefore use the deadline only up to a
 * reserve of one fallback's worth (headers + first-token clocks, at most half of what is left), so a silent provider
 * cannot eat the whole request. The last candidate gets the full deadline.
 */
export function jsonAttemptDeadline(deadline: number, now: number, timeouts: Timeouts, moreToTry: boolean): number {
  if (!moreToTry) return deadline;
  const remaining = deadline - now;
  return deadline - Math.min(remaining / 2, timeouts.headers_ms + timeouts.first_token_ms);
}

/** Capped exponential backoff with "equal" jitter (half fixed, half random): never a tight loop, never a herd. */
export function backoff(attempt: number, retry: FallbackFile["retry"], random: () => number): number {
  const cap = Math.min(retry.max_delay_ms, retry.base_delay_ms * 2 ** (attempt - 1));
  return Math.round(cap / 2 + (random() * cap) / 2);
}
