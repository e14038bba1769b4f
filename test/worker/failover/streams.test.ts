// The stream commit point: failures before the first content chunk fall back unseen; after it, an error event and no [DONE].
import { describe, expect, it } from "vitest";
import type { Fault } from "../gateway.ts";
import { call, chat, newSession, sseData } from "../gateway.ts";
import { body, completionCalls, eventually, FAST, streamedText } from "./helpers.ts";

const TWO = ["openai/gpt-4o-mini", "mistral/mistral-small-latest"];
const streaming = (models: string[], extra: Record<string, unknown> = {}) =>
  body(models, { stream: true, stream_options: { include_usage: true }, ...extra });

type Data = Awaited<ReturnType<typeof sseData>>;
const errorEvent = (events: Data) => events.find((e): e is Record<string, unknown> => e !== "[DONE]" && "error" in e);
const finalChunk = (events: Data) =>
  events.filter((e): e is Record<string, unknown> => e !== "[DONE]" && "x_router" in e).at(-1);

/** Asserts a clean, complete answer: content, a finish reason, usage, [DONE] last, no error event. */
function expectComplete(events: Data) {
  expect(events.at(-1)).toBe("[DONE]");
  expect(errorEvent(events)).toBeUndefined();
  expect(streamedText(events).length).toBeGreaterThan(0);
  const finishes = events.flatMap((e) =>
    e === "[DONE]"
      ? []
      : ((e.choices as { finish_reason?: string | null }[] | undefined) ?? []).map((c) => c.finish_reason),
  );
  expect(finishes.filter((f) => f !== null && f !== undefined)).toHaveLength(1);
  expect(events.some((e) => e !== "[DONE]" && e.usage !== null && e.usage !== undefined)).toBe(true);
}

/** Asserts a stream that failed after commit: an OpenAI-style error event and never a [DONE]. */
function expectCutOff(events: Data) {
  expect(events).not.toContain("[DONE]");
  const error = errorEvent(events)?.error as { type?: string; code?: string; message?: string } | undefined;
  expect(error).toBeDefined();
  expect(error?.code).toBe("stream_interrupted");
}

describe("before the commit point, failures fall back invisibly", () => {
  const cases = [
    { name: "a 503 on the stream request", fault: { provider: "openai" as const, mode: "status", status: 503 } },
    {
      name: "a connection cut before the first content chunk",
      fault: { provider: "openai" as const, mode: "cut", after_chunks: 1 },
    },
    {
      name: "a malformed chunk before the first content",
      fault: { provider: "openai" as const, mode: "malformed", after_chunks: 1 },
    },
    {
      name: "an error event before the first content",
      fault: { provider: "openai" as const, mode: "midstream_error", after_chunks: 1 },
    },
    { name: "no response headers (headers clock)", fault: { provider: "openai" as const, mode: "hang" } },
    {
      name: "a slow first token (first-token clock)",
      fault: { provider: "openai" as const, mode: "slow_first_token", delay_ms: 3000 },
    },
  ] satisfies { name: string; fault: Fault }[];
  for (const { name, fault } of cases) {
    it(`${name}: the client sees only the fallback's clean answer`, async () => {
      const s = await newSession({ faults: [fault] });
      const t0 = Date.now();
      const res = await chat(s.env, streaming(TWO));
      expect(res.status).toBe(200);
      expect(res.headers.get("x-router-provider")).toBe("mistral");
      const events = await sseData(res);
      expectComplete(events);
      expect(Date.now() - t0).toBeLessThan(2500);
      const x = finalChunk(events)?.x_router as { attempts: { provider: string; status: string }[] };
      expect(x.attempts.at(-1)).toMatchObject({ provider: "mistral", status: "ok" });
      expect(x.attempts[0]).toMatchObject({ provider: "openai", status: "failed" });
    });
  }

  it("an Anthropic `event: error` (overloaded) before content falls back", async () => {
    const s = await newSession({ faults: [{ provider: "anthropic", mode: "midstream_error", after_chunks: 1 }] });
    const res = await chat(s.env, streaming(["anthropic/claude-haiku-4-5-20251001", "openai/gpt-4o-mini"]));
    expect(res.headers.get("x-router-provider")).toBe("openai");
    expectComplete(await sseData(res));
  });

  it("an Ollama error line before content falls back", async () => {
    const s = await newSession({ faults: [{ provider: "ollama", mode: "midstream_error", after_chunks: 0 }] });
    const res = await chat(s.env, streaming(["ollama/llama3", "openai/gpt-4o-mini"]));
    expect(res.headers.get("x-router-provider")).toBe("openai");
    expectComplete(await sseData(res));
  });

  it("the headers clock aborts the hung upstream request", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "hang" }] });
    await sseData(await chat(s.env, streaming(TWO)));
    const calls = await eventually(
      () => completionCalls(s, "openai"),
      (c) => c[0]?.aborted === true,
    );
    expect(calls).toHaveLength(1);
    expect(calls[0]!.aborted).toBe(true);
  });
});

describe("the clocks, tightened per request by header", () => {
  it("x-router-timeout-first-token-ms moves a slow first token to the next candidate", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "slow_first_token", delay_ms: 2000 }] });
    const t0 = Date.now();
    // No router.timeouts in the body: only the header tightens the 20 s default.
    const res = await chat(
      s.env,
      {
        model: "openai/gpt-4o-mini",
        models: TWO,
        messages: [{ role: "user", content: "hi" }],
        stream: true,
        stream_options: { include_usage: true },
      },
      { "x-router-timeout-first-token-ms": "300" },
    );
    expect(res.headers.get("x-router-provider")).toBe("mistral");
    expectComplete(await sseData(res));
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it("x-router-timeout-idle-ms cuts a stall after commit", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "stall", after_chunks: 3 }] });
    const t0 = Date.now();
    const res = await chat(
      s.env,
      { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }], stream: true },
      { "x-router-timeout-idle-ms": "300", "x-router-fallback": "false" },
    );
    expectCutOff(await sseData(res));
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it("x-router-timeout-total-ms bounds the whole request", async () => {
    const s = await newSession({
      faults: [
        { provider: "openai", mode: "hang" },
        { provider: "mistral", mode: "hang" },
      ],
    });
    const t0 = Date.now();
    const res = await chat(
      s.env,
      { model: "openai/gpt-4o-mini", models: TWO, messages: [{ role: "user", content: "hi" }], stream: true },
      { "x-router-timeout-total-ms": "700" },
    );
    expect(res.status).toBe(502);
    expect(Date.now() - t0).toBeLessThan(1500);
  });
});

// With somewhere to go, a broken committed stream is continued (test/worker/rescue); these have nowhere to go.
const ALONE = (models: string[]) => streaming(models, { router: { timeouts: FAST, fallback: false } });

describe("after the commit point, with nowhere to continue, a failure is never passed off as a finished answer", () => {
  it("a connection cut mid-answer ends in an error event, no [DONE]", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "cut", after_chunks: 3 }] });
    const res = await chat(s.env, ALONE(["openai/gpt-4o-mini"]));
    expect(res.headers.get("x-router-provider")).toBe("openai");
    const events = await sseData(res);
    expect(streamedText(events).length).toBeGreaterThan(0);
    expectCutOff(events);
    // The route in the error event says the attempt failed, and why: a cut answer is no success.
    const x = errorEvent(events)?.x_router as { attempts: { provider: string; status: string; error: string }[] };
    expect(x.attempts).toHaveLength(1);
    expect(x.attempts[0]).toMatchObject({ provider: "openai", status: "failed" });
    expect(x.attempts[0]?.error).toMatch(/\S/);
  });

  it("a stall mid-answer trips the idle clock: error event, no [DONE], upstream aborted", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "stall", after_chunks: 3 }] });
    const t0 = Date.now();
    const events = await sseData(await chat(s.env, ALONE(["openai/gpt-4o-mini"])));
    expect(Date.now() - t0).toBeLessThan(FAST.idle_ms + 1500);
    expectCutOff(events);
    const calls = await eventually(
      () => completionCalls(s, "openai"),
      (c) => c[0]?.aborted === true,
    );
    expect(calls[0]!.aborted).toBe(true);
  });

  it("a malformed chunk mid-answer never reaches the client: it is skipped, counted, and the answer completes", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "malformed", after_chunks: 3 }] });
    const res = await chat(s.env, ALONE(["openai/gpt-4o-mini"]));
    const text = await res.text();
    // Every data line the client gets is JSON or [DONE]: the garbage is not passed through.
    for (const block of text.split("\n\n").filter((b) => b.trim() !== "")) {
      const data = block.trim().slice("data: ".length);
      if (data !== "[DONE]") expect(() => JSON.parse(data)).not.toThrow();
    }
    const events = await sseData(new Response(text));
    expectComplete(events);
    const x = finalChunk(events)?.x_router as { warnings: string[] };
    expect(x.warnings).toContain("1 malformed stream chunk(s) from the provider were skipped");
  });

  it("an OpenAI error event mid-answer ends in an error event, no [DONE]", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "midstream_error", after_chunks: 3 }] });
    expectCutOff(await sseData(await chat(s.env, ALONE(["openai/gpt-4o-mini"]))));
  });

  it("an Anthropic `event: error` mid-answer ends in an error event, no [DONE]", async () => {
    const s = await newSession({ faults: [{ provider: "anthropic", mode: "midstream_error", after_chunks: 6 }] });
    const res = await chat(s.env, ALONE(["anthropic/claude-haiku-4-5-20251001"]));
    expect(res.headers.get("x-router-provider")).toBe("anthropic");
    expectCutOff(await sseData(res));
  });

  it("an Ollama error line mid-answer ends in an error event, no [DONE]", async () => {
    const s = await newSession({ faults: [{ provider: "ollama", mode: "midstream_error", after_chunks: 4 }] });
    const res = await chat(s.env, ALONE(["ollama/llama3"]));
    expect(res.headers.get("x-router-provider")).toBe("ollama");
    expectCutOff(await sseData(res));
  });
});

describe("a stream without its terminator", () => {
  it("openai: a finished answer without [DONE] is finalised at once, with usage and [DONE]", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "no_done" }] });
    const t0 = Date.now();
    const events = await sseData(await chat(s.env, streaming(["openai/gpt-4o-mini"])));
    expect(Date.now() - t0).toBeLessThan(FAST.idle_ms);
    expectComplete(events);
  });

  it("anthropic: a finished answer without message_stop is finalised at once with its finish reason and [DONE]", async () => {
    const s = await newSession({ faults: [{ provider: "anthropic", mode: "no_done" }] });
    const t0 = Date.now();
    const events = await sseData(await chat(s.env, streaming(["anthropic/claude-haiku-4-5-20251001"])));
    expect(Date.now() - t0).toBeLessThan(FAST.idle_ms);
    expect(events.at(-1)).toBe("[DONE]");
    expect(errorEvent(events)).toBeUndefined();
    expect(streamedText(events)).toContain("jokes!");
  });

  it("ollama: without its done line the answer is not known to be finished, so it ends in an error event, at once", async () => {
    // Ollama's done:true line is the only one carrying the finish reason and the token counts.
    const s = await newSession({ faults: [{ provider: "ollama", mode: "no_done" }] });
    const t0 = Date.now();
    const events = await sseData(await chat(s.env, streaming(["ollama/llama3"])));
    expect(Date.now() - t0).toBeLessThan(FAST.idle_ms);
    expectCutOff(events);
  });
});

describe("the client closing the connection", () => {
  it("aborts the upstream request", async () => {
    const s = await newSession({ chunk_delay_ms: 150 });
    const res = await chat(s.env, streaming(["openai/gpt-4o-mini"]));
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    await reader.cancel("client went away");
    const calls = await eventually(
      () => completionCalls(s, "openai"),
      (c) => c[0]?.aborted === true,
    );
    expect(calls).toHaveLength(1);
    expect(calls[0]!.aborted).toBe(true);
  });

  it("aborts a non-streaming upstream call too", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "slow_headers", delay_ms: 3000 }] });
    const controller = new AbortController();
    const pending = call(s.env, "/v1/chat/completions", {
      method: "POST",
      json: body(["openai/gpt-4o-mini"]),
      signal: controller.signal,
    }).catch(() => null);
    await eventually(
      () => completionCalls(s, "openai"),
      (c) => c.length === 1,
    );
    controller.abort();
    await pending;
    const calls = await eventually(
      () => completionCalls(s, "openai"),
      (c) => c[0]?.aborted === true,
    );
    expect(calls[0]!.aborted).toBe(true);
  });
});
