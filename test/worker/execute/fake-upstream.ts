// A scripted upstream for executePlan's direct tests: a fake adapter, a fetch that answers each model from its script,
// and a driver that runs the executor on vitest's fake clock (Date, setTimeout), so waits and clocks cost no real time.
import { vi } from "vitest";
import type { FallbackFile, ProviderId, Timeouts } from "../../../src/config/schema.ts";
import { type ErrorKind, kindForStatus, ProviderError, parseRetryAfter } from "../../../src/core/errors.ts";
import type { CanonicalRequest, StreamEvent } from "../../../src/core/types.ts";
import { type ExecDeps, realDeps } from "../../../src/execute/deps.ts";
import { type ExecuteInput, type ExecuteOutcome, executePlan } from "../../../src/execute/run-plan.ts";
import type { ProviderAdapter } from "../../../src/providers/adapter.ts";
import type { Candidate, Plan } from "../../../src/routing/plan-types.ts";

/** What the upstream does with one request for a model. */
export type Step =
  /** 200 with this content (a JSON answer, or for a stream one text event, finish and end), `afterMs` late. */
  | { answer: string; afterMs?: number }
  /** A non-2xx answer; the fake adapter reads `kind` and `code` from its body, Retry-After from its headers. */
  | { status: number; kind?: ErrorKind; code?: string; headers?: Record<string, string>; afterMs?: number }
  /** The connection fails before any byte. */
  | { reset: true }
  /** No headers ever: the request waits until it is aborted. */
  | { hang: true }
  /** Stream headers, then silence until aborted. */
  | { stall: true }
  /** A stream that sends one text event, then falls silent until aborted. */
  | { textThenStall: string }
  /** 200, but the adapter's parser throws a TypeError: a bug, not a provider failure. */
  | { bug: true };

export interface Call {
  model: string;
  /** Fake-clock time the request was sent. */
  at: number;
}

/** A fake adapter: the request names the model; answers and errors are read back as the scripted fetch wrote them. */
export function fakeAdapter(id: ProviderId): ProviderAdapter {
  return {
    id,
    streamFormat: "ndjson",
    configured: () => true,
    buildChatRequest(req, target) {
      if (target.upstreamId === "unbuildable") throw new TypeError("a bug while building the request");
      if (target.upstreamId === "refused-at-build")
        throw new ProviderError({ kind: "invalid_request", provider: id, message: `${id} cannot carry this request` });
      return {
        request: {
          url: `https://${id}.test/chat`,
          headers: {},
          body: { model: target.upstreamId, stream: req.stream },
        },
        warnings: [],
      };
    },
    parseChatResponse(json) {
      const body = json as { model: string; content: string; bug?: boolean };
      if (body.bug) throw new TypeError("Cannot read properties of undefined (reading 'choices')");
      return { model: body.model, content: body.content, tool_calls: [], finish_reason: "stop", usage: null };
    },
    streamDecoder: () => (m, out) => {
      out.push(JSON.parse(m.data) as StreamEvent);
    },
    parseError(status, headers, body, now) {
      const spec = JSON.parse(body) as { kind?: ErrorKind; code?: string };
      return new ProviderError({
        kind: spec.kind ?? kindForStatus(status),
        provider: id,
        status,
        code: spec.code ?? null,
        message: `${id} answered ${status}`,
        retryAfterMs: parseRetryAfter(headers, now),
      });
    },
    probeRequest: () => ({ url: `https://${id}.test/models`, headers: {} }),
  };
}

/** Fake-clock milliseconds before a promise settles (a delayed answer). */
const after = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const untilAborted = (signal: AbortSignal) =>
  new Promise<never>((_, reject) => {
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });

/** A fetch that answers each model from its script, one step per request; an unscripted request fails the test. */
export function scriptedFetch(scripts: Record<string, Step[]>, calls: Call[]): typeof fetch {
  return (async (_url: RequestInfo | URL, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body)) as { model: string; stream: boolean };
    const signal = init?.signal ?? new AbortController().signal;
    calls.push({ model: body.model, at: Date.now() });
    const step = scripts[body.model]?.shift();
    if (step === undefined) throw new Error(`test bug: no scripted answer left for ${body.model}`);
    if ("reset" in step) throw new TypeError("Network connection lost.");
    if ("hang" in step) return untilAborted(signal);
    if ("status" in step) {
      if (step.afterMs !== undefined) await after(step.afterMs);
      return new Response(JSON.stringify({ kind: step.kind, code: step.code }), {
        status: step.status,
        headers: step.headers,
      });
    }
    if ("bug" in step) return Response.json({ bug: true });
    if ("stall" in step) return new Response(new ReadableStream<Uint8Array>({ pull: () => untilAborted(signal) }));
    if ("textThenStall" in step) {
      let sent = false;
      const line = `${JSON.stringify({ type: "text", text: step.textThenStall })}\n`;
      return new Response(
        new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent) return untilAborted(signal);
            sent = true;
            controller.enqueue(new TextEncoder().encode(line));
          },
        }),
      );
    }
    if (step.afterMs !== undefined) await after(step.afterMs);
    if (!body.stream) return Response.json({ model: body.model, content: step.answer });
    const events: StreamEvent[] = [
      { type: "text", text: step.answer },
      { type: "finish", finish_reason: "stop" },
      { type: "end" },
    ];
    return new Response(events.map((e) => `${JSON.stringify(e)}\n`).join(""));
  }) as typeof fetch;
}

/** A candidate for "provider/model" with no registry entry. */
export function candidate(ref: string): Candidate {
  const [provider, ...rest] = ref.split("/");
  const id = rest.join("/");
  return {
    ref: { provider: provider as ProviderId, id, upstreamId: id, entry: null },
    score: 1,
    estimated_cost_usd: null,
    reasons: [],
  };
}

export function plan(refs: string[]): Plan {
  return {
    strategy: "balanced",
    chain: null,
    order: "requested",
    task_type: null,
    required_capabilities: [],
    fallback: true,
    budget_remaining_usd: null,
    candidates: refs.map(candidate),
    excluded: [],
    estimated_prompt_tokens: 8,
  };
}

export const TIMEOUTS: Timeouts = { headers_ms: 1000, first_token_ms: 2000, idle_ms: 1000, total_ms: 20_000 };
export const RETRY: FallbackFile["retry"] = {
  max_attempts: 3,
  base_delay_ms: 100,
  max_delay_ms: 1000,
  max_retry_after_ms: 5000,
};

export interface Run {
  outcome: ExecuteOutcome;
  calls: Call[];
  /** Every wait the executor asked for, in order. */
  sleeps: number[];
  /** Fake-clock milliseconds the whole walk took. */
  elapsed: number;
  /** How many times the executor read the whole plan's candidates (only counted with `lead`). */
  restReads: number;
}

/** A plan whose head is known and whose candidates are read through a getter that counts each read. */
function leadPlan(refs: string[], lead: number, reads: { n: number }): Plan {
  const whole = plan(refs);
  const candidates = whole.candidates;
  return Object.defineProperties(whole, {
    lead: { value: candidates.slice(0, lead), enumerable: true },
    candidates: {
      get: () => {
        reads.n++;
        return candidates;
      },
      enumerable: true,
    },
  });
}

export interface Scenario {
  refs: string[];
  scripts: Record<string, Step[]>;
  stream?: boolean;
  timeouts?: Partial<Timeouts>;
  retry?: Partial<FallbackFile["retry"]>;
  /** Backoff jitter (default 0.5). */
  random?: () => number;
  /**
   * The first `lead` refs are the plan's head (`Plan.lead`), as buildPlan gives them: the plan's candidates are then
   * worked out on first read, and the run counts the reads (`restReads`). Absent: a whole plan.
   */
  lead?: number;
}

// Captured before any test fakes the timers: the driver yields to the real event loop with it.
const realSetTimeout = globalThis.setTimeout;
const realTick = () => new Promise<void>((resolve) => realSetTimeout(resolve, 0));

/** Runs executePlan on the fake clock (see drive). Call with vi.useFakeTimers() in force. */
export async function walk(s: Scenario): Promise<Run> {
  const calls: Call[] = [];
  const sleeps: number[] = [];
  const deps: ExecDeps = {
    fetch: scriptedFetch(structuredClone(s.scripts), calls),
    now: () => Date.now(),
    sleep: (ms, signal) => {
      sleeps.push(ms);
      return realDeps.sleep(ms, signal);
    },
    random: s.random ?? (() => 0.5),
    newId: (prefix) => `${prefix}_test`,
  };
  const request: CanonicalRequest = { messages: [{ role: "user", content: "hi" }], stream: s.stream ?? false };
  const startedAt = Date.now();
  const reads = { n: 0 };
  const input: ExecuteInput = {
    plan: s.lead === undefined ? plan(s.refs) : leadPlan(s.refs, s.lead, reads),
    request,
    timeouts: { ...TIMEOUTS, ...s.timeouts },
    retry: { ...RETRY, ...s.retry },
    env: {},
    clientSignal: new AbortController().signal,
    deps,
    startedAt,
    adapterFor: fakeAdapter,
  };
  const outcome = await drive(executePlan(input)).catch((err: unknown) => {
    throw Object.assign(new WalkThrew(err), { calls });
  });
  return { outcome, calls, sleeps, elapsed: Date.now() - startedAt, restReads: reads.n };
}

/** The executor threw instead of returning an outcome: what it threw, and what the upstream saw before. */
export class WalkThrew extends Error {
  calls: Call[] = [];
  constructor(readonly thrown: unknown) {
    super(`executePlan threw: ${String(thrown)}`);
  }
}

/** Runs a walk that must throw; returns what it threw and the calls made. */
export async function walkThrowing(s: Scenario): Promise<WalkThrew> {
  try {
    await walk(s);
  } catch (err) {
    if (err instanceof WalkThrew) return err;
    throw err;
  }
  throw new Error("executePlan returned instead of throwing");
}

/**
 * Lets the code under test work until it waits on nothing but a timer, then moves the fake clock to that timer,
 * until `promise` settles.
 */
export async function drive<T>(promise: Promise<T>): Promise<T> {
  let settled = false;
  promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  for (let step = 0; step < 500 && !settled; step++) {
    // A few turns of the real event loop: whatever is not waiting on a timer (body reads, stream pulls) runs now.
    for (let turn = 0; turn < 5 && !settled; turn++) await realTick();
    if (!settled && vi.getTimerCount() > 0) vi.advanceTimersToNextTimer();
  }
  if (!settled) throw new Error("the walk did not settle: it waits on something that is not a timer");
  return promise;
}
