// Fault injection: each mode does what the README says, per provider where the wire differs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chat,
  chatBody,
  createSession,
  fixtureText,
  loggedRequests,
  readAll,
  splitEvents,
  waitForLog,
} from "./helpers.ts";
import { ECHO_INTERNAL_HOST } from "./respond.ts";
import { type Emulator, startEmulator } from "./server.ts";
import { type Fault, PROVIDER_IDS, type ProviderId } from "./types.ts";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator.close());

/** A fresh session carrying `fault` for its provider, and its base URL. */
async function withFault(fault: Fault, extra: { chunk_delay_ms?: number } = {}) {
  const session = await createSession(emulator.url, { faults: [fault], ...extra });
  return { id: session.id, base: session.base_urls[fault.provider] };
}

/** A streaming request for each provider (Ollama streams by default). */
const streamBody = (provider: ProviderId) => chatBody(provider, provider === "ollama" ? {} : { stream: true });

/** Each provider's recorded text stream, cut into the events it is replayed as. */
const STREAMS: Record<ProviderId, { file: string; framing: "sse" | "ndjson" }> = {
  openai: { file: "chat-completion-stream-text-include-usage.sse", framing: "sse" },
  anthropic: { file: "messages-stream-text.sse", framing: "sse" },
  mistral: { file: "chat-completion-stream.sse", framing: "sse" },
  together: { file: "chat-completion-stream-include-usage.sse", framing: "sse" },
  ollama: { file: "api-chat-stream.ndjson", framing: "ndjson" },
};

function recordedEvents(provider: ProviderId): string[] {
  const { file, framing } = STREAMS[provider];
  const events = splitEvents(fixtureText(provider, file), framing);
  // The replay drops OpenAI's usage chunk when include_usage is not asked for.
  return provider === "openai" ? events.filter((event) => !event.includes('"choices":[],')) : events;
}

const ALL: readonly ProviderId[] = PROVIDER_IDS;

describe("status", () => {
  it.each([
    ["openai", 400, "error-400-invalid-image-url.json"],
    ["openai", 401, "error-401-invalid-api-key.json"],
    ["openai", 429, "error-429-rate-limit-exceeded.json"],
    ["anthropic", 400, "error-400-invalid-request.json"],
    ["anthropic", 401, "error-401-authentication.json"],
    ["anthropic", 429, "error-429-rate-limit.json"],
    ["anthropic", 529, "error-529-overloaded.json"],
    ["mistral", 422, "error-422-extra-forbidden.json"],
    ["mistral", 429, "error-429-rate-limited.json"],
    ["together", 429, "error-429-credit-limit.json"],
    ["ollama", 404, "error-404-model-not-found.json"],
  ] as const)("%s %i replays %s with the retry headers asked for", async (provider, status, file) => {
    const { base } = await withFault({ provider, mode: "status", status, retry_after: "7", retry_after_ms: 7000 });
    const res = await chat(base, provider, chatBody(provider));
    expect(res.status).toBe(status);
    expect(res.headers.get("retry-after")).toBe("7");
    expect(res.headers.get("retry-after-ms")).toBe("7000");
    expect(await res.text()).toBe(fixtureText(provider, file));
  });

  it("anthropic 529 says x-should-retry: true", async () => {
    const { base } = await withFault({ provider: "anthropic", mode: "status", status: 529 });
    const res = await chat(base, "anthropic", chatBody("anthropic"));
    expect(res.headers.get("x-should-retry")).toBe("true");
  });

  it.each(ALL)("%s 503 without a recording uses the provider's error shape", async (provider) => {
    const { base } = await withFault({ provider, mode: "status", status: 503 });
    const res = await chat(base, provider, chatBody(provider));
    expect(res.status).toBe(503);
    const body = (await res.json()) as Record<string, unknown>;
    const shapes: Record<ProviderId, () => void> = {
      openai: () => expect(body.error).toMatchObject({ type: "server_error" }),
      together: () => expect(body.error).toMatchObject({ type: "server_error" }),
      mistral: () => expect(body).toMatchObject({ object: "error", type: "server_error" }),
      anthropic: () => expect(body).toMatchObject({ type: "error", error: { type: "api_error" } }),
      ollama: () => expect(typeof body.error).toBe("string"),
    };
    shapes[provider]();
  });

  it("a fault naming a model leaves other models alone", async () => {
    const { base } = await withFault({ provider: "openai", model: "gpt-4o", mode: "status", status: 500 });
    expect((await chat(base, "openai", chatBody("openai", { model: "gpt-4o-mini" }))).status).toBe(200);
    expect((await chat(base, "openai", chatBody("openai", { model: "gpt-4o" }))).status).toBe(500);
  });

  it("times: 1 fails once, then the provider answers normally", async () => {
    const { id, base } = await withFault({ provider: "mistral", mode: "status", status: 429, times: 1 });
    expect((await chat(base, "mistral", chatBody("mistral"))).status).toBe(429);
    const second = await chat(base, "mistral", chatBody("mistral"));
    expect(second.status).toBe(200);
    expect(await second.text()).toBe(fixtureText("mistral", "chat-completion.json"));
    expect((await loggedRequests(emulator.url, id)).map((request) => request.fault)).toEqual(["status", null]);
  });

  it("a fault without a model also fails the model listing (health sweeps see the outage)", async () => {
    const { base } = await withFault({ provider: "together", mode: "status", status: 503 });
    const res = await fetch(`${base}/models`, { headers: { authorization: "Bearer t" } });
    expect(res.status).toBe(503);
  });
});

describe("error answers", () => {
  it("empty_error sends the status with an empty body", async () => {
    const { base } = await withFault({ provider: "anthropic", mode: "empty_error", status: 502, retry_after: "1" });
    const res = await chat(base, "anthropic", chatBody("anthropic"));
    expect(res.status).toBe(502);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(await res.text()).toBe("");
  });

  it("context_length replays OpenAI's recorded 400", async () => {
    const { base } = await withFault({ provider: "openai", mode: "context_length" });
    const res = await chat(base, "openai", chatBody("openai"));
    expect(res.status).toBe(400);
    expect(await res.text()).toBe(fixtureText("openai", "error-400-context-length-exceeded.json"));
  });

  it.each(["mistral", "together"] as const)(
    "context_length from %s carries code context_length_exceeded",
    async (provider) => {
      const { base } = await withFault({ provider, mode: "context_length" });
      const res = await chat(base, provider, chatBody(provider));
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('"code":"context_length_exceeded"');
    },
  );

  it("context_length from anthropic says the prompt is too long", async () => {
    const { base } = await withFault({ provider: "anthropic", mode: "context_length" });
    const res = await chat(base, "anthropic", chatBody("anthropic"));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe("invalid_request_error");
    expect(body.error.message).toMatch(/^prompt is too long: \d+ tokens > \d+ maximum$/);
  });

  it("context_length from ollama is a plain error string", async () => {
    const { base } = await withFault({ provider: "ollama", mode: "context_length" });
    const res = await chat(base, "ollama", chatBody("ollama"));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain("context length");
  });

  it("content_policy answers 400 content_policy_violation (OpenAI) and Anthropic's own shape", async () => {
    const openai = await withFault({ provider: "openai", mode: "content_policy" });
    const res = await chat(openai.base, "openai", chatBody("openai"));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: { type: "invalid_request_error", code: "content_policy_violation" },
    });

    const anthropic = await withFault({ provider: "anthropic", mode: "content_policy" });
    const refused = await chat(anthropic.base, "anthropic", chatBody("anthropic"));
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
  });
});

describe("connection faults", () => {
  it("reset drops the connection before any byte: fetch fails", async () => {
    const { id, base } = await withFault({ provider: "openai", mode: "reset" });
    await expect(chat(base, "openai", chatBody("openai"))).rejects.toThrow();
    const [request] = await loggedRequests(emulator.url, id);
    expect(request).toMatchObject({ fault: "reset", aborted: false });
  });

  it("hang never answers; the client's abort is logged", async () => {
    const { id, base } = await withFault({ provider: "anthropic", mode: "hang" });
    const call = chat(base, "anthropic", chatBody("anthropic"), { signal: AbortSignal.timeout(100) });
    await expect(call).rejects.toThrow();
    const [request] = await waitForLog(emulator.url, id, (requests) => requests[0]?.aborted === true);
    expect(request).toMatchObject({ fault: "hang", aborted: true });
  });

  it("slow_headers holds the headers, then answers normally", async () => {
    const { base } = await withFault({ provider: "mistral", mode: "slow_headers", delay_ms: 150 });
    const started = Date.now();
    const res = await chat(base, "mistral", chatBody("mistral"));
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(await res.text()).toBe(fixtureText("mistral", "chat-completion.json"));
  });

  it("slow_first_token sends headers at once and the first event late", async () => {
    const { base } = await withFault({ provider: "together", mode: "slow_first_token", delay_ms: 200 });
    const started = Date.now();
    const res = await chat(base, "together", chatBody("together", { stream: true }));
    expect(Date.now() - started).toBeLessThan(150);
    const { text } = await readAll(res);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(text).toBe(fixtureText("together", "chat-completion-stream-include-usage.sse"));
  });
});

describe("raw answers", () => {
  it("raw: status 200, the content type given, and the pieces' bytes in order", async () => {
    const pieces = ['data: {"a":1}\r\n', "\r\n: keep-alive\n\n", "data: [DONE]\n\n"];
    const { base } = await withFault({
      provider: "openai",
      mode: "raw",
      pieces: pieces.map((p) => Buffer.from(p).toString("base64")),
      content_type: "text/event-stream; charset=utf-8",
    });
    const res = await chat(base, "openai", streamBody("openai"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect((await readAll(res)).text).toBe(pieces.join(""));
  });

  it("raw without pieces is refused when the session is made", async () => {
    await expect(createSession(emulator.url, { faults: [{ provider: "openai", mode: "raw" }] })).rejects.toThrow(
      /pieces is required/,
    );
  });
});

describe("stream faults", () => {
  it.each(ALL)("%s cut: two events, then the connection drops", async (provider) => {
    const { base } = await withFault({ provider, mode: "cut", after_chunks: 2 });
    const res = await chat(base, provider, streamBody(provider));
    expect(res.status).toBe(200);
    const { text, error } = await readAll(res);
    expect(error).toBeDefined();
    expect(text).toBe(recordedEvents(provider).slice(0, 2).join(""));
  });

  it("cut on a non-streaming request drops the connection after the headers", async () => {
    const { base } = await withFault({ provider: "openai", mode: "cut" });
    const res = await chat(base, "openai", chatBody("openai"));
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });

  it("stall with delay_ms pauses mid-stream, then finishes", async () => {
    const { base } = await withFault({ provider: "mistral", mode: "stall", after_chunks: 1, delay_ms: 150 });
    const started = Date.now();
    const res = await chat(base, "mistral", streamBody("mistral"));
    const { text, error } = await readAll(res);
    expect(error).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(text).toBe(fixtureText("mistral", "chat-completion-stream.sse"));
  });

  it("stall without delay_ms waits until the client gives up, which is logged", async () => {
    const { id, base } = await withFault({ provider: "ollama", mode: "stall", after_chunks: 3 });
    const res = await chat(base, "ollama", streamBody("ollama"), { signal: AbortSignal.timeout(150) });
    const { text, error } = await readAll(res);
    expect(error).toBeDefined();
    expect(text).toBe(recordedEvents("ollama").slice(0, 3).join(""));
    const [request] = await waitForLog(emulator.url, id, (requests) => requests[0]?.aborted === true);
    expect(request?.fault).toBe("stall");
  });

  it.each(ALL)("%s malformed: one unparsable event slips in, the rest is intact", async (provider) => {
    const { base } = await withFault({ provider, mode: "malformed", after_chunks: 2 });
    const res = await chat(base, provider, streamBody(provider));
    const { text, error } = await readAll(res);
    expect(error).toBeUndefined();
    const events = recordedEvents(provider);
    const framing = STREAMS[provider].framing;
    const received = splitEvents(text, framing);
    expect(received).toHaveLength(events.length + 1);
    const injected = received[2] ?? "";
    const payload =
      framing === "sse"
        ? injected
            .split("\n")
            .find((line) => line.startsWith("data: "))
            ?.slice(6)
        : injected;
    expect(() => JSON.parse(payload ?? "")).toThrow();
    expect(received.filter((_, index) => index !== 2)).toEqual(events);
  });

  it.each([
    ["openai", "data: [DONE]"],
    ["mistral", "data: [DONE]"],
    ["together", "data: [DONE]"],
    ["anthropic", "event: message_stop"],
    ["ollama", '"done":true'],
  ] as const)("%s no_done: everything but the terminator, then a clean end", async (provider, terminator) => {
    const { base } = await withFault({ provider, mode: "no_done" });
    const res = await chat(base, provider, streamBody(provider));
    const { text, error } = await readAll(res);
    expect(error).toBeUndefined();
    expect(text).not.toContain(terminator);
    expect(text).toBe(
      recordedEvents(provider)
        .filter((event) => !event.includes(terminator))
        .join(""),
    );
  });

  it.each([
    [
      "openai",
      'data: {"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}\n\n',
    ],
    [
      "mistral",
      'data: {"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}\n\n',
    ],
    [
      "together",
      'data: {"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}\n\n',
    ],
    ["anthropic", `event: error\ndata: ${fixtureText("anthropic", "stream-error-event-overloaded.data.json")}\n\n`],
    ["ollama", '{"error":"an error was encountered while running the model"}\n'],
  ] as const)(
    "%s midstream_error: HTTP 200, events, then the provider's error and a close",
    async (provider, errorEvent) => {
      const { base } = await withFault({ provider, mode: "midstream_error", after_chunks: 2 });
      const res = await chat(base, provider, streamBody(provider));
      expect(res.status).toBe(200);
      const { text, error } = await readAll(res);
      expect(error).toBeUndefined();
      expect(text).toBe(recordedEvents(provider).slice(0, 2).join("") + errorEvent);
    },
  );

  it.each(["stall", "malformed", "no_done", "midstream_error"] as const)(
    "%s on a non-streaming request answers 500",
    async (mode) => {
      const { base } = await withFault({ provider: "openai", mode });
      const res = await chat(base, "openai", chatBody("openai"));
      expect(res.status).toBe(500);
      expect(await res.json()).toMatchObject({ error: { type: "server_error" } });
    },
  );
});

describe("echo_key", () => {
  /** The credential each provider's request carries (Ollama: the Access service token, sent as headers). */
  const CREDENTIAL: Record<ProviderId, { headers: Record<string, string>; secret: string }> = {
    openai: { headers: {}, secret: "sk-test-openai" },
    mistral: { headers: {}, secret: "test-mistral" },
    together: { headers: {}, secret: "test-together" },
    anthropic: { headers: {}, secret: "sk-ant-test" },
    ollama: {
      headers: { "cf-access-client-id": "echo-id.access", "cf-access-client-secret": "echo-secret" },
      secret: "echo-secret",
    },
  };

  it.each(ALL)(
    "%s json: its own error shape, 401, carrying the credential, the header and an internal URL",
    async (p) => {
      const { base } = await withFault({ provider: p, mode: "echo_key" });
      const res = await chat(base, p, chatBody(p), { headers: CREDENTIAL[p].headers });
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toMatch(/json/);
      const text = await res.text();
      expect(JSON.parse(text)).toBeTruthy();
      expect(text).toContain("Incorrect API key provided: ");
      expect(text).toContain(CREDENTIAL[p].secret);
      if (p !== "ollama" && p !== "anthropic") expect(text).toContain(`authorization: Bearer ${CREDENTIAL[p].secret}`);
      expect(text).toContain(`http://${ECHO_INTERNAL_HOST}/internal/v1/chat?api_key=`);
    },
  );

  it.each(ALL)("%s text: an HTML page (502 unless told) carrying the credential", async (p) => {
    const { base } = await withFault({ provider: p, mode: "echo_key", echo: "text" });
    const res = await chat(base, p, chatBody(p), { headers: CREDENTIAL[p].headers });
    expect(res.status).toBe(502);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(await res.text()).toMatch(new RegExp(`^<!DOCTYPE html>.*${CREDENTIAL[p].secret}`, "s"));
  });

  it.each(ALL)("%s stream: HTTP 200, events, then its error event carrying the credential", async (p) => {
    const { base } = await withFault({ provider: p, mode: "echo_key", echo: "stream", after_chunks: 2 });
    const res = await chat(base, p, streamBody(p), { headers: CREDENTIAL[p].headers });
    expect(res.status).toBe(200);
    const { text } = await readAll(res);
    const head = recordedEvents(p).slice(0, 2).join("");
    expect(text.startsWith(head)).toBe(true);
    expect(text.slice(head.length)).toContain(CREDENTIAL[p].secret);
    expect(text.slice(head.length)).toMatch(p === "ollama" ? /^\{"error":/ : /^(event: error\n)?data: /);
  });
});
