// Every malformed request gets a 400 (or 413) in OpenAI's error shape naming the offending param: never a 500 or a hang.
import { describe, expect, it } from "vitest";
import { MAX_BODY_BYTES } from "../../../src/http/read-body.ts";
import { call, chat, newSession } from "../gateway.ts";

const JSON_TYPE = { "content-type": "application/json" };
const OK = { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }] };

async function expectError(res: Response, status: number, param: string | null, message?: RegExp) {
  const body = (await res.json()) as {
    error: { message: string; type: string; param: string | null; code: string | null };
  };
  expect(res.status, JSON.stringify(body)).toBe(status);
  expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
  expect(body.error.param).toBe(param);
  if (message) expect(body.error.message).toMatch(message);
  expect(res.headers.get("content-type")).toContain("application/json");
  expect(res.headers.get("x-request-id")).not.toBeNull();
}

describe("request validation", () => {
  const cases: [string, unknown, string | null, RegExp?][] = [
    ["missing model", { messages: OK.messages }, "model"],
    ["empty messages", { model: OK.model, messages: [] }, "messages", /at least one message/],
    ["unknown role", { model: OK.model, messages: [{ role: "wizard", content: "x" }] }, "messages.0.role"],
    ["temperature out of range", { ...OK, temperature: 3 }, "temperature"],
    ["top_p out of range", { ...OK, top_p: 1.5 }, "top_p"],
    ["negative max_tokens", { ...OK, max_tokens: -5 }, "max_tokens"],
    ["fractional seed", { ...OK, seed: 1.5 }, "seed"],
    ["too many stop sequences", { ...OK, stop: ["a", "b", "c", "d", "e"] }, "stop"],
    ["n other than 1", { ...OK, n: 3 }, "n"],
    [
      "tool without a name",
      { ...OK, tools: [{ type: "function", function: { description: "x" } }] },
      "tools.0.function.name",
    ],
    [
      "tool name with spaces",
      { ...OK, tools: [{ type: "function", function: { name: "get weather" } }] },
      "tools.0.function.name",
    ],
    [
      "tool message without tool_call_id",
      { model: OK.model, messages: [{ role: "tool", content: "x" }] },
      "messages.0.tool_call_id",
    ],
    ["bad response_format", { ...OK, response_format: { type: "xml" } }, "response_format.type"],
    ["stream not boolean", { ...OK, stream: "yes" }, "stream"],
    ["unknown routing strategy", { ...OK, router: { strategy: "cheapest" } }, "router.strategy"],
    ["unknown router field", { ...OK, router: { stratgey: "balanced" } }, "router.stratgey"],
    ["negative budget", { ...OK, router: { budget_remaining: -1 } }, "router.budget_remaining"],
    ["unknown model", { ...OK, model: "gpt-17-ultra" }, "model", /not in the registry/],
    ["unknown chain", { ...OK, model: "chain:nonsense" }, "model", /Unknown chain/],
    ["empty models array", { ...OK, models: [] }, "models"],
  ];

  for (const [name, body, param, message] of cases) {
    it(`400 for ${name}`, async () => {
      const s = await newSession();
      await expectError(await chat(s.env, body as Record<string, unknown>), 400, param, message);
      expect(await s.requests()).toHaveLength(0);
    });
  }

  it("400 for a body that is not JSON", async () => {
    const s = await newSession();
    await expectError(
      await call(s.env, "/v1/chat/completions", {
        method: "POST",
        body: "{nope",
        headers: { "content-type": "application/json" },
      }),
      400,
      null,
      /not valid JSON/,
    );
  });

  it("400 for an empty body and for a JSON array", async () => {
    const s = await newSession();
    await expectError(await call(s.env, "/v1/chat/completions", { method: "POST" }), 400, null, /empty/);
    await expectError(
      await call(s.env, "/v1/chat/completions", { method: "POST", body: "[1]", headers: JSON_TYPE }),
      400,
      null,
      /JSON object/,
    );
  });

  it("413 past the stated body limit", async () => {
    const s = await newSession();
    const big = JSON.stringify({ ...OK, messages: [{ role: "user", content: "x".repeat(MAX_BODY_BYTES + 10) }] });
    await expectError(
      await call(s.env, "/v1/chat/completions", { method: "POST", body: big, headers: JSON_TYPE }),
      413,
      null,
      new RegExp(String(MAX_BODY_BYTES)),
    );
  });

  it("413 for a chunked body (no content-length) that grows past the limit, and a chunked body within it is read", async () => {
    const s = await newSession();
    const stream = (text: string) => {
      const bytes = new TextEncoder().encode(text);
      return new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 65_536) controller.enqueue(bytes.slice(i, i + 65_536));
          controller.close();
        },
      });
    };
    const big = JSON.stringify({ ...OK, messages: [{ role: "user", content: "x".repeat(MAX_BODY_BYTES + 10) }] });
    await expectError(
      await call(s.env, "/v1/chat/completions", { method: "POST", body: stream(big), headers: JSON_TYPE }),
      413,
      null,
    );
    const fine = await call(s.env, "/v1/chat/completions", {
      method: "POST",
      body: stream(JSON.stringify({ ...OK, router: { fallback: false } })),
      headers: JSON_TYPE,
    });
    expect(fine.status).toBe(200);
  });

  it("400 naming the header for a bad x-router-* value", async () => {
    const s = await newSession();
    await expectError(await chat(s.env, OK, { "x-router-strategy": "fastest" }), 400, "x-router-strategy");
    await expectError(await chat(s.env, OK, { "x-router-budget-remaining": "lots" }), 400, "x-router-budget-remaining");
    await expectError(await chat(s.env, OK, { "x-router-fallback": "maybe" }), 400, "x-router-fallback");
    await expectError(
      await chat(s.env, OK, { "x-router-capabilities": "tools,telepathy" }),
      400,
      "x-router-capabilities",
    );
    // Numbers are decimal: what Number() alone would also read is refused.
    for (const value of ["0x10", "", "Infinity", "1,5"])
      await expectError(
        await chat(s.env, OK, { "x-router-budget-remaining": value }),
        400,
        "x-router-budget-remaining",
      );
    await expectError(await chat(s.env, OK, { "x-router-timeout-total-ms": "1e3" }), 400, "x-router-timeout-total-ms");
    // A header value over a bound is named by its header, not by the router field it fills.
    await expectError(await chat(s.env, OK, { "x-router-cache-ttl": "99999999" }), 400, "x-router-cache-ttl");
    const ok = await chat(s.env, OK, { "x-router-budget-remaining": "0.5", "x-router-max-latency-ms": "1e5" });
    expect(ok.status).toBe(200);
  });

  it("a tool_choice that cannot be honoured is a 400 naming tool_choice, in every dialect", async () => {
    const s = await newSession();
    const tools = [{ type: "function", function: { name: "get_weather", parameters: { type: "object" } } }];
    const named = { type: "function", function: { name: "book_flight" } };
    await expectError(await chat(s.env, { ...OK, tool_choice: "required" }), 400, "tool_choice", /no tools/);
    await expectError(await chat(s.env, { ...OK, tools, tool_choice: named }), 400, "tool_choice", /book_flight/);
    const messages = await call(s.env, "/v1/messages", {
      method: "POST",
      json: { model: "openai/gpt-4o-mini", max_tokens: 16, messages: OK.messages, tool_choice: { type: "any" } },
    });
    expect(messages.status).toBe(400);
    expect(await messages.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
    const responses = await call(s.env, "/v1/responses", {
      method: "POST",
      json: {
        model: "openai/gpt-4o-mini",
        input: "hi",
        tools: [{ type: "function", name: "get_weather", parameters: { type: "object" } }],
        tool_choice: { type: "function", name: "book_flight" },
      },
    });
    await expectError(responses, 400, "tool_choice", /book_flight/);
    const fine = await chat(s.env, {
      ...OK,
      tools,
      tool_choice: { type: "function", function: { name: "get_weather" } },
    });
    expect(fine.status).toBe(200);
    expect(await s.requests()).toHaveLength(1);
  });

  it('"AUTO" is auto, as "CHAIN:x" is a chain', async () => {
    const s = await newSession();
    const res = await chat(s.env, { ...OK, model: "AUTO" });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get("x-router-provider")).not.toBeNull();
  });

  it("404 in OpenAI's shape for an unknown route", async () => {
    const s = await newSession();
    await expectError(await call(s.env, "/v1/engines"), 404, null);
  });

  it("null means not set on every optional field, as at OpenAI", async () => {
    const s = await newSession();
    const nulls = {
      user: null,
      tools: null,
      tool_choice: null,
      parallel_tool_calls: null,
      response_format: null,
      temperature: null,
      max_tokens: null,
      stop: null,
      seed: null,
    };
    const res = await chat(s.env, { ...OK, ...nulls });
    expect(res.status, await res.clone().text()).toBe(200);
    const sent = (await s.requests()).at(-1)?.body ?? {};
    for (const key of Object.keys(nulls)) expect(sent[key], key).toBeUndefined();
  });

  it("warns about a field it does not carry instead of dropping it silently", async () => {
    const s = await newSession();
    const res = await chat(s.env, { ...OK, logit_bias: { "50256": -100 } });
    const body = (await res.json()) as { x_router: { warnings: string[] } };
    expect(res.status).toBe(200);
    expect(body.x_router.warnings).toContain('"logit_bias" is not supported by Switchyard; it was not sent');
    expect(decodeURIComponent(res.headers.get("x-router-warnings") ?? "")).toContain("logit_bias");
  });
});

describe("route reporting", () => {
  it("names the route in headers and in x_router, streaming or not", async () => {
    const s = await newSession();
    const res = await chat(s.env, { ...OK, router: { fallback: false } }, { "x-request-id": "client-chosen" });
    const body = (await res.json()) as { id: string; x_router: Record<string, unknown> };
    // The id is the gateway's own (it keys the ledger), never one a client chose.
    const id = res.headers.get("x-request-id") ?? "";
    expect(id).toMatch(/^req_[0-9a-f]{24}$/);
    expect(res.headers.get("x-router-provider")).toBe("openai");
    expect(res.headers.get("x-router-model")).toBe("gpt-4o-mini");
    expect(res.headers.get("x-router-attempts")).toBe("1");
    expect(res.headers.get("x-router-strategy")).not.toBeNull();
    expect(body.id).toBe(`chatcmpl-${id}`);
    expect(body.x_router).toMatchObject({
      provider: "openai",
      model: "gpt-4o-mini",
      attempts: [{ provider: "openai", model: "gpt-4o-mini", status: "ok" }],
    });
    expect(typeof body.x_router.cost_usd).toBe("number");
    expect(typeof body.x_router.latency_ms).toBe("number");

    const streamed = await chat(s.env, { ...OK, stream: true, router: { fallback: false } });
    expect(streamed.headers.get("x-router-provider")).toBe("openai");
    expect(streamed.headers.get("x-router-attempts")).toBe("1");
    await streamed.text();
  });

  it("reports the model that answered after a fallback", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "status", status: 503 }] });
    const res = await chat(s.env, { ...OK, models: ["openai/gpt-4o-mini", "mistral/mistral-small-latest"] });
    const body = (await res.json()) as {
      x_router: { provider: string; attempts: { provider: string; status: string }[] };
    };
    expect(res.status).toBe(200);
    expect(res.headers.get("x-router-provider")).toBe("mistral");
    expect(res.headers.get("x-router-attempts")).toBe("2");
    expect(body.x_router.attempts.map((a) => `${a.provider}:${a.status}`)).toEqual([
      "openai:failed",
      "openai:failed",
      "mistral:ok",
    ]);
  });
});
