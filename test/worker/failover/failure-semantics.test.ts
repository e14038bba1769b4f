// Failure semantics held to DESIGN.md's words: a finished answer whose connection breaks or goes silent before its end
// marker is finalised, not cut; only 429, 500, 502, 503, 504 are retried on the same candidate; an all-failed answer
// carries the route headers; a rescue continues on the next candidate that takes a prefill before restarting any.
import { describe, expect, it } from "vitest";
import { chat, newSession, sseData } from "../gateway.ts";
import { CLOCKS, client, completions, lastMessage, readChatStream, withGateway } from "../rescue/helpers.ts";
import { body, completionCalls, streamedText } from "./helpers.ts";

const TWO = ["openai/gpt-4o-mini", "mistral/mistral-small-latest"];
const ONE = ["openai/gpt-4o-mini"];
const streaming = (models: string[], extra: Record<string, unknown> = {}) =>
  body(models, { stream: true, stream_options: { include_usage: true }, ...extra });
type Data = Awaited<ReturnType<typeof sseData>>;
const errorEvent = (events: Data) => events.find((e): e is Record<string, unknown> => e !== "[DONE]" && "error" in e);

// OpenAI recording: 0 role, 1..8 text, 9 finish_reason "stop", 10 usage-only chunk, 11 [DONE].
describe("a stream whose answer had finished, then lost its connection before [DONE]", () => {
  it("reset after the usage chunk (only [DONE] missing): finalised, not reported as cut", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "cut", after_chunks: 11 }] });
    const res = await chat(s.env, streaming(ONE, { router: { timeouts: { ...CLOCKS }, fallback: false } }));
    expect(res.status).toBe(200);
    const events = await sseData(res);
    expect(streamedText(events)).toBe("10 + 5 equals 15.");
    expect(errorEvent(events)).toBeUndefined();
    expect(events.at(-1)).toBe("[DONE]");
  });

  it("reset right after finish_reason (no usage, no [DONE]): finalised with (estimated) usage", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "cut", after_chunks: 10 }] });
    const res = await chat(s.env, streaming(ONE, { router: { timeouts: { ...CLOCKS }, fallback: false } }));
    const events = await sseData(res);
    expect(streamedText(events)).toBe("10 + 5 equals 15.");
    expect(errorEvent(events)).toBeUndefined();
    expect(events.at(-1)).toBe("[DONE]");
  });
});

describe("a stream whose answer had finished, then went silent before its usage and [DONE]", () => {
  it("stall after finish_reason: the idle clock ends it as a finished answer, not an error event", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "stall", after_chunks: 10, delay_ms: 3000 }] });
    const res = await chat(s.env, streaming(ONE, { router: { timeouts: { ...CLOCKS }, fallback: false } }));
    const events = await sseData(res);
    expect(streamedText(events)).toBe("10 + 5 equals 15.");
    expect(errorEvent(events)).toBeUndefined();
    expect(events.at(-1)).toBe("[DONE]");
  });
});

describe("what is retried on the same candidate", () => {
  it("a 501 (not in DESIGN's retry list 429/500/502/503/504) is not retried on the same model", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "status", status: 501 }] });
    const res = await chat(s.env, body(TWO));
    expect(res.status).toBe(200);
    expect(await completionCalls(s, "openai")).toHaveLength(1);
  });

  it("a 500 is retried once (max_attempts 2), then the chain moves on", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "status", status: 500 }] });
    const res = await chat(s.env, body(TWO));
    expect(res.status).toBe(200);
    expect(await completionCalls(s, "openai")).toHaveLength(2);
    expect(res.headers.get("x-router-provider")).toBe("mistral");
    expect(res.headers.get("x-router-attempts")).toBe("2");
  });

  it("a 400 from the provider is not retried on the same model; the chain moves on", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "status", status: 400 }] });
    const res = await chat(s.env, body(TWO));
    expect(res.status).toBe(200);
    expect(await completionCalls(s, "openai")).toHaveLength(1);
    expect(res.headers.get("x-router-provider")).toBe("mistral");
  });

  it("a 503 with Retry-After: 1 is waited for and retried on the same candidate", async () => {
    const s = await newSession({
      faults: [{ provider: "openai", mode: "status", status: 503, retry_after: "1", times: 1 }],
    });
    const t0 = Date.now();
    const res = await chat(s.env, body(TWO));
    expect(res.status).toBe(200);
    expect(res.headers.get("x-router-provider")).toBe("openai");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
  });
});

describe("when every candidate fails", () => {
  it("502, OpenAI error shape, attempts listed, and the route headers DESIGN lists for every chat response", async () => {
    const s = await newSession({
      faults: [
        { provider: "openai", mode: "status", status: 503 },
        { provider: "mistral", mode: "status", status: 500 },
      ],
    });
    const res = await chat(s.env, body(TWO));
    expect(res.status).toBe(502);
    const json = (await res.json()) as {
      error: { message: string; type: string; param: unknown; code: string };
      x_router: { attempts: { provider: string; status: string }[] };
    };
    expect(Object.keys(json.error).sort()).toEqual(["code", "message", "param", "type"]);
    expect(json.x_router.attempts.map((a) => a.provider)).toEqual(["openai", "openai", "mistral", "mistral"]);
    expect(res.headers.get("x-request-id")).toBeTruthy();
    expect(res.headers.get("x-router-strategy")).toBeTruthy();
    expect(res.headers.get("x-router-attempts")).toBe("2");
    // "Headers on every chat response, streaming too: x-request-id, x-router-provider, x-router-model, ..."
    // The last candidate tried.
    expect(res.headers.get("x-router-provider")).toBe("mistral");
    expect(res.headers.get("x-router-model")).toBe("mistral-small-latest");
  });

  it("the official client gets an APIError with status 502 and the OpenAI error fields", async () => {
    const s = await newSession({
      faults: [
        { provider: "openai", mode: "status", status: 503 },
        { provider: "mistral", mode: "status", status: 503 },
      ],
    });
    const err = await client(s)
      .chat.completions.create(
        withGateway(
          { model: TWO[0]!, messages: [{ role: "user" as const, content: "hi" }] },
          { models: TWO, router: { timeouts: CLOCKS } },
        ),
      )
      .catch((e: unknown) => e);
    expect((err as { status?: number }).status).toBe(502);
    expect((err as { code?: string }).code).toBe("upstream_failed");
    expect((err as { type?: string }).type).toBe("upstream_error");
  });

  it("429 with Retry-After when every candidate was rate limited", async () => {
    const s = await newSession({
      faults: [
        { provider: "openai", mode: "status", status: 429, retry_after: "30" },
        { provider: "mistral", mode: "status", status: 429, retry_after: "20" },
      ],
    });
    const res = await chat(s.env, body(TWO));
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("20");
  });

  it("429 with Retry-After even when no rate-limited provider named a wait (a second)", async () => {
    const s = await newSession({
      faults: [
        { provider: "openai", mode: "status", status: 429 },
        { provider: "mistral", mode: "status", status: 429 },
      ],
    });
    const res = await chat(s.env, body(TWO));
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("1");
  });
});

describe("rescue: continuation goes to the next candidate that accepts a prefill", () => {
  // The OpenAI recording streams "10", " +", " ", "5": four events in, the text sent is "10 + ".
  const CUT = { provider: "openai" as const, model: "gpt-4o-mini", mode: "cut" as const, after_chunks: 4 };
  it("a non-prefill candidate ahead of a prefill one is not restarted first (splice only where none takes a prefill)", async () => {
    const s = await newSession({ faults: [CUT] });
    const models = [
      "openai/gpt-4o-mini",
      "together/meta-llama/Llama-3.3-70B-Instruct-Turbo",
      "mistral/mistral-small-latest",
    ];
    const stream = await client(s).chat.completions.create(
      withGateway(
        {
          model: models[0]!,
          messages: [{ role: "user" as const, content: "What is 10 + 5?" }],
          stream: true as const,
          stream_options: { include_usage: true },
        },
        { models, router: { timeouts: CLOCKS } },
      ),
    );
    const out = await readChatStream(stream);
    expect(out.error).toBeNull();
    expect(out.text.startsWith("10 + ")).toBe(true);
    const mistral = await completions(s, "mistral");
    expect(lastMessage(mistral[0])?.role).toBe("assistant");
    // DESIGN: "continues the answer on the next candidate that accepts an assistant prefill"; splice "where no
    // candidate takes a prefill". Together (no prefill) should not have been restarted from scratch first.
    expect(await completions(s, "together")).toHaveLength(0);
    expect(out.xRouter?.attempts.map((a) => `${a.provider}:${a.status}`)).toEqual(["openai:failed", "mistral:ok"]);
  });
});
