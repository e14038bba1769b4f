// failoverbench's sixteen scenarios (S01..S16), each one's fault played by the provider emulator against the Worker
// through the official openai client, in the chat completions and the Responses dialects. What is asserted is what
// failoverbench scores: the caller gets the complete answer (S13: a clean error), never a truncated answer presented
// as success; the attempts on the primary and the fallback (the emulator's request log) stay within the scenario's
// bounds; the model reported is the fallback's where the fallback answered; usage is present; a prefill refusal is
// never the final error. Clocks are tightened per request (router.timeouts), and S15's 60 s outage is played on a
// virtual clock: between two requests the circuits' open_until moves back by the interval, as if it had passed.
//
// The chain is failoverbench's as docs/failover.md runs it: the primary on the OpenAI provider path, the fallback on
// Mistral's (a provider that takes an assistant prefill, so a broken stream can be continued there).

import {
  createExecutionContext,
  evictDurableObject,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { CONFIG } from "../../../src/config/index.ts";
import type { RouteReport } from "../../../src/core/route-report.ts";
import type { Env } from "../../../src/env.ts";
import worker from "../../../src/index.ts";
import type { StatsObject } from "../../../src/stats/stats-object.ts";
import { call, type Fault, type LoggedRequest, newSession, type ProviderId, type Session } from "../gateway.ts";
import { completions, lastMessage } from "./helpers.ts";

const ADMIN = "admin-key-for-failoverbench-tests-0123";
const PROMPT = "What is 10 + 5?";
const PRIMARY = "openai/gpt-4o-mini";
const FALLBACK = "mistral/mistral-small-latest";
const CHAIN = [PRIMARY, FALLBACK];
/** Every request's ceiling: a scenario that hangs fails on its own bound long before the test's timeout. */
const TOTAL_MS = 8000;

type Timeouts = { headers_ms?: number; first_token_ms?: number; idle_ms?: number; total_ms?: number };

/** What the caller got, whichever dialect it spoke. */
interface Outcome {
  /**
   * complete: the stream ended as a finished answer ([DONE] after a finish reason; response.completed or
   * response.incomplete); failed: it ended in an error (the chat error event, response.failed); rejected: the SDK
   * threw before any stream (an HTTP error status); truncated: it ended cleanly without a finish, which is a cut answer
   * passed off as a success and must never happen.
   */
  end: "complete" | "failed" | "rejected" | "truncated";
  text: string;
  /** The finish the answer reports: chat's finish_reason, the Responses status. */
  finish: string | null;
  /** The model the answer itself reports (chunk.model, response.model). */
  model: string | null;
  usage: { input: number; output: number } | null;
  xRouter: RouteReport | null;
  /** The HTTP status of a rejection, and the error's message (a rejection's, the error event's, response.failed's). */
  status: number | null;
  error: string | null;
  /** A rejection's error code (the dialect's error body). */
  code: string | null;
  ms: number;
}

interface Ask {
  models: string[];
  timeouts?: Timeouts;
}

/** The official client, its fetch answered by the Worker; `settle` waits for every request's waitUntil work. */
function sdk(s: Session) {
  const sessionEnv: Env = { ...s.env, ADMIN_KEY: ADMIN };
  const contexts: ExecutionContext[] = [];
  const client = new OpenAI({
    baseURL: "http://127.0.0.1:8787/v1",
    apiKey: ADMIN,
    maxRetries: 0,
    fetch: async (url: string | URL | Request, init?: RequestInit) => {
      const ctx = createExecutionContext();
      contexts.push(ctx);
      return worker.fetch(new Request(url, init), sessionEnv, ctx);
    },
  });
  const settle = async () => {
    for (const ctx of contexts.splice(0)) await waitOnExecutionContext(ctx);
  };
  return { client, settle };
}

const gatewayFields = (req: Ask) => ({
  models: req.models,
  router: { timeouts: { total_ms: TOTAL_MS, ...req.timeouts } },
});

function rejected(err: unknown, t0: number): Outcome {
  return {
    end: "rejected",
    text: "",
    finish: null,
    model: null,
    usage: null,
    xRouter: null,
    status: err instanceof OpenAI.APIError ? (err.status ?? null) : null,
    error: err instanceof Error ? err.message : String(err),
    code: err instanceof OpenAI.APIError ? ((err.code as string | null | undefined) ?? null) : null,
    ms: Date.now() - t0,
  };
}

interface Dialect {
  name: string;
  run(client: OpenAI, req: Ask): Promise<Outcome>;
}

const chat: Dialect = {
  name: "chat completions",
  async run(client, req) {
    const t0 = Date.now();
    let stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>;
    try {
      stream = await client.chat.completions.create({
        model: req.models[0]!,
        messages: [{ role: "user", content: PROMPT }],
        stream: true,
        stream_options: { include_usage: true },
        ...gatewayFields(req),
      });
    } catch (err) {
      return rejected(err, t0);
    }
    const out: Outcome = {
      end: "truncated",
      text: "",
      finish: null,
      model: null,
      usage: null,
      xRouter: null,
      status: null,
      error: null,
      code: null,
      ms: 0,
    };
    let finishes = 0;
    try {
      for await (const chunk of stream) {
        out.model = chunk.model;
        for (const c of chunk.choices) {
          out.text += c.delta?.content ?? "";
          if (c.finish_reason) {
            finishes++;
            out.finish = c.finish_reason;
          }
        }
        if (chunk.usage) out.usage = { input: chunk.usage.prompt_tokens, output: chunk.usage.completion_tokens };
        const x = (chunk as unknown as { x_router?: RouteReport }).x_router;
        if (x) out.xRouter = x;
      }
      // The SDK ends the loop at [DONE]; an answer is finished only with exactly one finish reason before it.
      if (finishes === 1) out.end = "complete";
    } catch (err) {
      // The error event after the commit point: the SDK throws it as an APIError.
      out.end = "failed";
      out.error = err instanceof Error ? err.message : String(err);
      const x = (err as { error?: { x_router?: RouteReport } }).error?.x_router;
      if (x) out.xRouter = x;
    }
    out.ms = Date.now() - t0;
    return out;
  },
};

const responses: Dialect = {
  name: "Responses",
  async run(client, req) {
    const t0 = Date.now();
    let stream: AsyncIterable<OpenAI.Responses.ResponseStreamEvent>;
    try {
      stream = await client.responses.create({
        model: req.models[0]!,
        input: PROMPT,
        stream: true,
        ...gatewayFields(req),
      });
    } catch (err) {
      return rejected(err, t0);
    }
    const out: Outcome = {
      end: "truncated",
      text: "",
      finish: null,
      model: null,
      usage: null,
      xRouter: null,
      status: null,
      error: null,
      code: null,
      ms: 0,
    };
    const settle = (response: OpenAI.Responses.Response) => {
      out.model = response.model;
      out.finish = response.status ?? null;
      if (response.usage) out.usage = { input: response.usage.input_tokens, output: response.usage.output_tokens };
      out.xRouter = (response as unknown as { x_router?: RouteReport }).x_router ?? null;
    };
    try {
      for await (const event of stream) {
        if (out.end !== "truncated") throw new Error(`an event after the stream's end: ${event.type}`);
        if (event.type === "response.output_text.delta") out.text += event.delta;
        else if (event.type === "response.completed" || event.type === "response.incomplete") {
          settle(event.response);
          out.end = "complete";
        } else if (event.type === "response.failed") {
          settle(event.response);
          out.end = "failed";
          out.error = event.response.error?.message ?? "response.failed";
        } else if (event.type === "error") {
          out.end = "failed";
          out.error = event.message;
        }
      }
    } catch (err) {
      out.end = "failed";
      out.error = err instanceof Error ? err.message : String(err);
    }
    out.ms = Date.now() - t0;
    return out;
  },
};

/** The answer a model gives unfaulted in a dialect (the emulator replays one recording per provider). */
const references = new Map<string, Promise<Outcome>>();
function reference(dialect: Dialect, model: string): Promise<Outcome> {
  const key = `${dialect.name} ${model}`;
  let ref = references.get(key);
  if (ref === undefined) {
    ref = newSession().then(async (s) => {
      const out = await dialect.run(sdk(s).client, { models: [model] });
      expect(out.end).toBe("complete");
      expect(out.text.length).toBeGreaterThan(0);
      return out;
    });
    references.set(key, ref);
  }
  return ref;
}

/** Plays one request of a scenario: its own emulator session with the scenario's faults. */
async function play(dialect: Dialect, faults: Fault[], req: Ask = { models: CHAIN }) {
  const s = await newSession({ faults });
  const { client, settle } = sdk(s);
  const out = await dialect.run(client, req);
  await settle();
  const calls = async (provider: ProviderId, model?: string) =>
    (await completions(s, provider)).filter((r) => model === undefined || r.body?.model === model);
  return { out, calls, session: s };
}

/** The most requests the log shows inside any window of `windowMs`. */
function mostWithin(requests: LoggedRequest[], windowMs: number): number {
  const at = requests.map((r) => r.received_at).sort((a, b) => a - b);
  let most = 0;
  for (let i = 0; i < at.length; i++)
    most = Math.max(most, at.filter((t) => t >= at[i]! && t < at[i]! + windowMs).length);
  return most;
}

/** A complete answer: finished, its text exactly the expected one, usage present, no error. */
function expectComplete(out: Outcome, text: string) {
  expect(out.error).toBeNull();
  expect(out.end).toBe("complete");
  expect(out.text).toBe(text);
  expect(out.usage?.input).toBeGreaterThan(0);
  expect(out.usage?.output).toBeGreaterThan(0);
}

const fault = (provider: ProviderId, model: string, rest: Omit<Fault, "provider" | "model">): Fault => ({
  provider,
  model,
  ...rest,
});
const primaryFault = (rest: Omit<Fault, "provider" | "model">) => fault("openai", "gpt-4o-mini", rest);

// The OpenAI recording streams the role chunk, then "10", " +", " ", "5", ...: a fault after four events leaves the
// caller holding "10 + " (ending in whitespace, which a prefill must not: it is held back and sent as "10 +").
const AFTER = 4;
const SENT = "10 + ";

const cfg = CONFIG.fallback.circuit;

function statsStub(s: Session) {
  return s.env.STATS.get(s.env.STATS.idFromName(s.env.STATS_INSTANCE ?? "global"));
}

/** The virtual clock of S15: every circuit's open_until moves back by `ms`, and this isolate re-reads the stats. */
async function advance(s: Session, ms: number): Promise<void> {
  await runInDurableObject(statsStub(s), (_instance: StatsObject, state) => {
    state.storage.sql.exec(
      "UPDATE health SET body = json_set(body, '$.circuit.open_until', json_extract(body, '$.circuit.open_until') - ?) WHERE json_extract(body, '$.circuit.open_until') IS NOT NULL",
      ms,
    );
  });
  // The object keeps its rows in memory too: evict it so it re-reads the edited ones.
  await evictDurableObject(statsStub(s));
  // The health endpoint reads fresh stats, which refreshes this isolate's cached snapshot.
  await call(s.env, "/v1/health/providers");
}

for (const dialect of [chat, responses]) {
  // Each scenario has its own emulator session and its own stats object, so they run side by side.
  describe.concurrent(`failoverbench through the official client: ${dialect.name}`, { timeout: 30_000 }, () => {
    it("S01 429 with Retry-After: waited for as told, then answered by the primary", async () => {
      const ref = await reference(dialect, PRIMARY);
      const { out, calls } = await play(dialect, [
        primaryFault({ mode: "status", status: 429, retry_after: "1", times: 1 }),
      ]);
      expectComplete(out, ref.text);
      const primary = await calls("openai");
      expect(primary).toHaveLength(2);
      expect(await calls("mistral")).toHaveLength(0);
      // Retry-After: 1 honoured, and never more than two calls within 1.5 s.
      expect(primary[1]!.received_at - primary[0]!.received_at).toBeGreaterThanOrEqual(950);
      expect(mostWithin(primary, 1500)).toBeLessThanOrEqual(2);
    });

    it("S02 429 without Retry-After, persistent: backed off, bounded, answered by the fallback", async () => {
      const ref = await reference(dialect, FALLBACK);
      const { out, calls } = await play(dialect, [primaryFault({ mode: "status", status: 429 })]);
      expectComplete(out, ref.text);
      expect(out.xRouter?.provider).toBe("mistral");
      const primary = await calls("openai");
      expect(primary.length).toBeGreaterThanOrEqual(1);
      expect(primary.length).toBeLessThanOrEqual(6);
      expect(mostWithin(primary, 3000)).toBeLessThanOrEqual(4);
      // Backoff, never a tight loop: the retry waits at least the first backoff's lower bound.
      if (primary.length > 1) expect(primary[1]!.received_at - primary[0]!.received_at).toBeGreaterThanOrEqual(100);
      expect(await calls("mistral")).toHaveLength(1);
      expect(out.ms).toBeLessThan(5000);
    });

    it("S03 500 once, then healthy: retried on the same provider, answered by it", async () => {
      const ref = await reference(dialect, PRIMARY);
      const { out, calls } = await play(dialect, [primaryFault({ mode: "status", status: 500, times: 1 })]);
      expectComplete(out, ref.text);
      expect(await calls("openai")).toHaveLength(2);
      expect(await calls("mistral")).toHaveLength(0);
      expect(out.ms).toBeLessThan(5000);
    });

    it("S04 503 persistent: bounded attempts on the primary, answered by the fallback", async () => {
      const ref = await reference(dialect, FALLBACK);
      const { out, calls } = await play(dialect, [primaryFault({ mode: "status", status: 503 })]);
      expectComplete(out, ref.text);
      expect((await calls("openai")).length).toBeLessThanOrEqual(6);
      expect(await calls("mistral")).toHaveLength(1);
      expect(out.xRouter?.attempts.map((a) => `${a.provider}:${a.status}`)).toContain("mistral:ok");
      expect(out.ms).toBeLessThan(5000);
    });

    it("S05 TCP reset before headers: retried, answered, no hang", async () => {
      const ref = await reference(dialect, PRIMARY);
      const { out, calls } = await play(dialect, [primaryFault({ mode: "reset", times: 1 })]);
      expectComplete(out, ref.text);
      expect(await calls("openai")).toHaveLength(2);
      expect(out.ms).toBeLessThan(5000);
    });

    it("S06 No response at all: the headers clock gives up on it once, the fallback answers", async () => {
      const ref = await reference(dialect, FALLBACK);
      const { out, calls } = await play(dialect, [primaryFault({ mode: "hang" })], {
        models: CHAIN,
        timeouts: { headers_ms: 500 },
      });
      expectComplete(out, ref.text);
      const primary = await calls("openai");
      // A silent route is not retried, and its request was aborted, not left open.
      expect(primary).toHaveLength(1);
      expect(primary[0]!.aborted).toBe(true);
      expect(out.ms).toBeGreaterThanOrEqual(450);
      expect(out.ms).toBeLessThan(4000);
    });

    it("S07 Slow first token: the first-token clock moves on, the fallback answers in time", async () => {
      const ref = await reference(dialect, FALLBACK);
      const { out, calls } = await play(dialect, [primaryFault({ mode: "slow_first_token" })], {
        models: CHAIN,
        timeouts: { first_token_ms: 600 },
      });
      expectComplete(out, ref.text);
      const primary = await calls("openai");
      expect(primary).toHaveLength(1);
      expect(primary[0]!.aborted).toBe(true);
      expect(out.xRouter?.provider).toBe("mistral");
      expect(out.ms).toBeLessThan(4000);
    });

    it("S08 Stream cut mid-answer: continued on the fallback, one seamless answer", async () => {
      const ref = await reference(dialect, FALLBACK);
      const { out, calls } = await play(dialect, [primaryFault({ mode: "cut", after_chunks: AFTER })]);
      expectComplete(out, SENT + ref.text);
      expect(out.finish).toBe(ref.finish);
      expect(await calls("openai")).toHaveLength(1);
      const fallback = await calls("mistral");
      expect(fallback).toHaveLength(1);
      expect(lastMessage(fallback[0])).toMatchObject({ role: "assistant", content: SENT.trimEnd(), prefix: true });
      expect(out.xRouter?.attempts.map((a) => `${a.provider}:${a.status}`)).toEqual(["openai:failed", "mistral:ok"]);
      // Usage adds both legs: more output than the continuation's alone.
      expect(out.usage!.output).toBeGreaterThan(ref.usage!.output);
    });

    it("S09 Stream stalls: the idle clock ends the stall, the answer is continued, bounded", async () => {
      const ref = await reference(dialect, FALLBACK);
      const { out, calls } = await play(dialect, [primaryFault({ mode: "stall", after_chunks: AFTER })], {
        models: CHAIN,
        timeouts: { idle_ms: 500 },
      });
      expectComplete(out, SENT + ref.text);
      const primary = await calls("openai");
      expect(primary).toHaveLength(1);
      expect(primary[0]!.aborted).toBe(true);
      expect(await calls("mistral")).toHaveLength(1);
      expect(out.ms).toBeGreaterThanOrEqual(450);
      expect(out.ms).toBeLessThan(4000);
    });

    it("S10 Malformed chunk in the stream: skipped and counted, the answer completes in place", async () => {
      const ref = await reference(dialect, PRIMARY);
      const { out, calls } = await play(dialect, [primaryFault({ mode: "malformed", after_chunks: AFTER })]);
      expectComplete(out, ref.text);
      expect(await calls("openai")).toHaveLength(1);
      expect(await calls("mistral")).toHaveLength(0);
      expect(out.xRouter?.warnings.join(" ")).toMatch(/1 malformed stream chunk/);
    });

    it("S11 Stream ends without [DONE]: finalised at once, with usage", async () => {
      const ref = await reference(dialect, PRIMARY);
      // The idle clock left at its default (15 s): the end is settled when the connection ends, not when a clock runs out.
      const { out, calls } = await play(dialect, [primaryFault({ mode: "no_done" })]);
      expectComplete(out, ref.text);
      expect(out.finish).toBe(ref.finish);
      expect(await calls("openai")).toHaveLength(1);
      expect(out.ms).toBeLessThan(5000);
    });

    it("S12 Context length exceeded: not retried on the same model, the fallback of unknown window answers", async () => {
      // Neither model is in the registry: the windows are unknown, as failoverbench's are.
      const models = ["openai/fb-context-8k", "mistral/fb-fallback"];
      const ref = await reference(dialect, models[1]!);
      const { out, calls } = await play(dialect, [fault("openai", "fb-context-8k", { mode: "context_length" })], {
        models,
      });
      expectComplete(out, ref.text);
      expect(await calls("openai")).toHaveLength(1);
      expect(await calls("mistral")).toHaveLength(1);
      expect(out.xRouter?.model).toBe("fb-fallback");
    });

    it("S13 Content-filter rejection: a clean 400 to the caller, not retried, no other provider sees the prompt", async () => {
      const { out, calls } = await play(dialect, [primaryFault({ mode: "content_policy" })]);
      expect(out.end).toBe("rejected");
      expect(out.status).toBe(400);
      expect(out.error).toMatch(/content|policy|safety/i);
      expect(out.code).toBe("content_policy_violation");
      expect(await calls("openai")).toHaveLength(1);
      expect(await calls("mistral")).toHaveLength(0);
      expect(out.ms).toBeLessThan(5000);
    });

    it("S14 Fallback target rejects prefill: the same fallback restarted and spliced on, never the 400", async () => {
      // A splice needs a restart that begins with exactly the text sent: here the primary and the fallback are two
      // Mistral models, which the emulator answers with the same recording (failoverbench's wall answers every model
      // alike). The fallback refuses its first request, the prefill, with a 400.
      const models = ["mistral/mistral-small-latest", "mistral/mistral-large-latest"];
      const ref = await reference(dialect, models[0]!);
      const { out, calls } = await play(
        dialect,
        [
          fault("mistral", "mistral-small-latest", { mode: "cut", after_chunks: 3 }),
          fault("mistral", "mistral-large-latest", { mode: "status", status: 400, times: 1 }),
        ],
        { models },
      );
      expectComplete(out, ref.text);
      const fallback = await calls("mistral", "mistral-large-latest");
      expect(fallback).toHaveLength(2);
      expect(lastMessage(fallback[0])).toMatchObject({ role: "assistant", prefix: true });
      expect(lastMessage(fallback[1])?.role).toBe("user");
    });

    it("S14 Fallback target rejects prefill: a restart that differs is not joined, the caller gets the cut, not the 400", async () => {
      const { out, calls } = await play(dialect, [
        primaryFault({ mode: "cut", after_chunks: AFTER }),
        fault("mistral", "mistral-small-latest", { mode: "status", status: 400, times: 1 }),
      ]);
      // Never a truncated answer as a success: the stream ends in its error, holding only what was sent.
      expect(out.end).toBe("failed");
      expect(out.text).toBe(SENT);
      expect(out.error).toMatch(/cut off/);
      expect(out.error).not.toMatch(/400|prefix|prefill/i);
      const fallback = await calls("mistral");
      expect(fallback).toHaveLength(2);
      expect(lastMessage(fallback[0])).toMatchObject({ role: "assistant", prefix: true });
      expect(lastMessage(fallback[1])?.role).toBe("user");
    });

    it("S15 Primary flaps: down for 60 s, then healthy, one request every 4 s: served throughout, back on the primary within 30 s", async () => {
      const s = await newSession({ faults: [primaryFault({ mode: "status", status: 503 })] });
      const { client, settle } = sdk(s);
      const interval = 4000;
      const downFor = 60_000;
      const served: { at: number; by: string | undefined; primaryCalls: number }[] = [];
      let seen = 0;
      // failoverbench sends 20; five more past its end let a correct schedule's latest probe (77 s) show.
      for (let i = 0; i < 25; i++) {
        const at = i * interval;
        if (at === downFor) await s.setFaults([]);
        const out = await dialect.run(client, { models: CHAIN });
        await settle();
        // Every request is answered, in the outage by the fallback.
        expect(out.end, `request at ${at / 1000} s`).toBe("complete");
        const primaryCalls = (await completions(s, "openai")).length;
        served.push({ at, by: out.xRouter?.provider, primaryCalls: primaryCalls - seen });
        seen = primaryCalls;
        await advance(s, interval);
      }
      const outage = served.filter((r) => r.at < downFor);
      expect(outage.every((r) => r.by === "mistral")).toBe(true);
      // Probe discipline: the calls that open the circuit (one retried), then one probe per cooldown at most.
      const probes = Math.floor(downFor / (cfg.cooldown_ms * (1 - cfg.cooldown_jitter)));
      expect(outage.reduce((n, r) => n + r.primaryCalls, 0)).toBeLessThanOrEqual(cfg.failure_threshold + 1 + probes);
      // Recovered: the primary answers again within 30 s of being healthy.
      const back = served.find((r) => r.at >= downFor && r.by === "openai");
      expect(back, JSON.stringify(served)).toBeDefined();
      expect(back!.at - downFor).toBeLessThanOrEqual(30_000);
    });

    it("S16 Fail-over accounting: the fallback's model and its usage reported, bounded attempts", async () => {
      const ref = await reference(dialect, FALLBACK);
      const primaryRef = await reference(dialect, PRIMARY);
      const { out, calls } = await play(dialect, [primaryFault({ mode: "status", status: 503 })]);
      expectComplete(out, ref.text);
      expect(out.model).toBe(ref.model);
      expect(out.model).not.toBe(primaryRef.model);
      expect(out.xRouter).toMatchObject({ provider: "mistral", model: "mistral-small-latest" });
      expect(out.usage).toEqual(ref.usage);
      expect((await calls("openai")).length).toBeLessThanOrEqual(6);
    });
  });
}
