// The chat stream's fault modes in the other streaming dialects: before the commit point every failure falls back
// unseen and the client gets the fallback's complete answer in its dialect; after it, the dialect's own failure end
// (Anthropic's `error` event, Responses' response.failed), never a finished answer.
import { describe, expect, it } from "vitest";
import { completionCalls, eventually } from "../failover/helpers.ts";
import { call, type Fault, newSession } from "../gateway.ts";
import { parseSse, type SseEvent } from "./fixtures.ts";

const FAST = { headers_ms: 400, first_token_ms: 600, idle_ms: 400, total_ms: 4000 };
const TWO = ["openai/gpt-4o-mini", "mistral/mistral-small-latest"];

interface Dialect {
  path: string;
  /** The dialect's error body when every candidate failed before the commit point. */
  errorShape: (body: Record<string, unknown>) => void;
  body: (models: string[]) => Record<string, unknown>;
  complete: (events: SseEvent[]) => void;
  failed: (events: SseEvent[]) => void;
}

const DIALECTS: Record<"messages" | "responses", Dialect> = {
  messages: {
    path: "/v1/messages",
    errorShape: (body) => expect(body).toMatchObject({ type: "error", error: { type: expect.any(String) } }),
    body: (models) => ({
      model: models[0],
      models,
      max_tokens: 200,
      stream: true,
      router: { timeouts: FAST },
      messages: [{ role: "user", content: "What is 10 + 5?" }],
    }),
    complete: (events) => {
      expect(events.at(-1)?.event).toBe("message_stop");
      expect(events.some((e) => e.event === "error")).toBe(false);
      expect(events.filter((e) => e.event === "message_delta")).toHaveLength(1);
    },
    failed: (events) => {
      expect(events.at(-1)?.event).toBe("error");
      expect(events.some((e) => e.event === "message_stop")).toBe(false);
    },
  },
  responses: {
    path: "/v1/responses",
    errorShape: (body) =>
      expect(body).toMatchObject({ error: { message: expect.any(String), type: expect.any(String) } }),
    body: (models) => ({
      model: models[0],
      models,
      stream: true,
      router: { timeouts: FAST },
      input: "What is 10 + 5?",
    }),
    complete: (events) => {
      // Mistral's recording stops at its length limit: incomplete, a finished answer all the same.
      expect(events.at(-1)?.data.type).toMatch(/^response\.(completed|incomplete)$/);
      expect(events.some((e) => e.data.type === "response.failed")).toBe(false);
    },
    failed: (events) => {
      expect(events.at(-1)?.data.type).toBe("response.failed");
      expect(events.some((e) => e.data.type === "response.completed")).toBe(false);
    },
  },
};

const BEFORE: [string, Fault][] = [
  ["a 503", { provider: "openai", mode: "status", status: 503 }],
  ["a cut before content", { provider: "openai", mode: "cut", after_chunks: 1 }],
  ["a malformed chunk before content", { provider: "openai", mode: "malformed", after_chunks: 1 }],
  ["an error event before content", { provider: "openai", mode: "midstream_error", after_chunks: 1 }],
  ["no headers", { provider: "openai", mode: "hang" }],
  ["slow headers", { provider: "openai", mode: "slow_headers", delay_ms: 3000 }],
  ["a reset before any byte", { provider: "openai", mode: "reset" }],
  ["an empty error body", { provider: "openai", mode: "empty_error", status: 502 }],
  ["a slow first token", { provider: "openai", mode: "slow_first_token", delay_ms: 3000 }],
];
const AFTER: [string, Fault][] = [
  ["a cut", { provider: "openai", mode: "cut", after_chunks: 3 }],
  ["a stall (idle clock)", { provider: "openai", mode: "stall", after_chunks: 3 }],
  ["an error event", { provider: "openai", mode: "midstream_error", after_chunks: 3 }],
];

describe.each(Object.entries(DIALECTS))("%s stream", (_name, dialect) => {
  const post = async (fault: Fault, models = TWO) => {
    const s = await newSession({ faults: [fault] });
    const res = await call(s.env, dialect.path, { method: "POST", json: dialect.body(models) });
    return { res, events: parseSse(await res.text()) };
  };

  it.each(BEFORE)("before commit, %s falls back unseen to a complete answer", async (_f, fault) => {
    const { res, events } = await post(fault);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-router-provider")).toBe("mistral");
    dialect.complete(events);
  });

  // One candidate: with a second one the gateway would rescue the answer there (continuation), as chat does.
  it.each(AFTER)("after commit, %s ends in the dialect's failure event", async (_f, fault) => {
    const { res, events } = await post(fault, ["openai/gpt-4o-mini"]);
    expect(res.status).toBe(200);
    dialect.failed(events);
  });

  it("after commit with a candidate that takes a prefill, the answer is continued there, as in chat", async () => {
    const { events } = await post({ provider: "openai", mode: "cut", after_chunks: 3 });
    dialect.complete(events);
    const route = JSON.stringify(
      events
        .map((e) => e.data.x_router ?? e.data.response?.x_router)
        .filter(Boolean)
        .at(-1),
    );
    expect(route).toContain("mistral");
  });

  it("a malformed chunk after commit never reaches the client", async () => {
    const { events } = await post({ provider: "openai", mode: "malformed", after_chunks: 3 });
    // parseSse parsed every event: no garbage passed through.
    expect(events.length).toBeGreaterThan(2);
  });

  it("a finished answer without its terminator is finalised at once", async () => {
    const { events } = await post({ provider: "openai", mode: "no_done" });
    dialect.complete(events);
  });

  it("every candidate failing before commit is the dialect's error body with its status, never a stream", async () => {
    const s = await newSession({
      faults: [
        { provider: "openai", mode: "status", status: 503 },
        { provider: "mistral", mode: "status", status: 503 },
      ],
    });
    const res = await call(s.env, dialect.path, { method: "POST", json: dialect.body(TWO) });
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(res.headers.get("content-type")).toContain("json");
    dialect.errorShape(await res.json());
  });

  it("the total clock bounds a stream whose candidates all hang: the dialect's error body, in time", async () => {
    const s = await newSession({
      faults: [
        { provider: "openai", mode: "hang" },
        { provider: "mistral", mode: "hang" },
      ],
    });
    const t0 = Date.now();
    const res = await call(s.env, dialect.path, {
      method: "POST",
      json: dialect.body(TWO),
      headers: { "x-router-timeout-total-ms": "700", "x-router-timeout-headers-ms": "5000" },
    });
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(res.status).toBeGreaterThanOrEqual(500);
    dialect.errorShape(await res.json());
  });

  // The same ends whatever the upstream: Anthropic's own error event, and Ollama's stream without its done line.
  it.each([
    [
      "anthropic's error event",
      "anthropic/claude-haiku-4-5",
      { provider: "anthropic", mode: "midstream_error", after_chunks: 6 },
    ],
    ["ollama without its done line", "ollama/llama3", { provider: "ollama", mode: "no_done" }],
  ] as [string, string, Fault][])("after commit, %s ends in the dialect's failure event", async (_f, model, fault) => {
    const s = await newSession({ faults: [fault] });
    const res = await call(s.env, dialect.path, { method: "POST", json: dialect.body([model]) });
    expect(res.status).toBe(200);
    dialect.failed(parseSse(await res.text()));
  });

  it("the client closing the stream aborts the upstream request", async () => {
    const s = await newSession({ chunk_delay_ms: 150 });
    const res = await call(s.env, dialect.path, { method: "POST", json: dialect.body(["openai/gpt-4o-mini"]) });
    const reader = res.body!.getReader();
    expect((await reader.read()).done).toBe(false);
    await reader.cancel("client went away");
    const calls = await eventually(
      () => completionCalls(s, "openai"),
      (c) => c[0]?.aborted === true,
    );
    expect(calls).toHaveLength(1);
    expect(calls[0]!.aborted).toBe(true);
  });
});
