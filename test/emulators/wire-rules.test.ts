// Wire rules the real APIs enforce: credentials, required headers and fields, Mistral's closed field list, bad JSON.
import { describe, expect, it } from "vitest";
import { AUTH, chat, chatBody, createSession, fixtureText, MODELS_PATH, runningEmulator } from "./helpers.ts";
import type { ProviderId } from "./types.ts";

const running = runningEmulator();

const post = (provider: ProviderId, headers: Record<string, string>, body: unknown) =>
  fetch(`${running.base[provider]}${provider === "anthropic" ? "/v1/messages" : "/chat/completions"}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

describe("credentials", () => {
  it.each<Record<string, string>>([{}, { authorization: "Bearer " }, { authorization: "sk-no-scheme" }])(
    "openai without a bearer key answers the recorded 401 (%o)",
    async (headers) => {
      const res = await post("openai", headers, chatBody("openai"));
      expect(res.status).toBe(401);
      expect(await res.text()).toBe(fixtureText("openai", "error-401-invalid-api-key.json"));
    },
  );

  it.each(["mistral", "together"] as const)("%s without a bearer key answers 401 JSON", async (provider) => {
    const res = await post(provider, {}, chatBody(provider));
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(await res.json()).toBeTruthy();
  });

  it("anthropic without x-api-key answers the recorded 401", async () => {
    const res = await post("anthropic", { "anthropic-version": "2023-06-01" }, chatBody("anthropic"));
    expect(res.status).toBe(401);
    expect(await res.text()).toBe(fixtureText("anthropic", "error-401-authentication.json"));
  });

  it.each(["openai", "mistral", "together", "anthropic"] as const)(
    "%s model listing needs the key too",
    async (provider) => {
      const res = await fetch(`${running.base[provider]}${MODELS_PATH[provider]}`);
      expect(res.status).toBe(401);
    },
  );
});

describe("anthropic required headers and fields", () => {
  it("refuses a request without anthropic-version", async () => {
    const res = await post("anthropic", { "x-api-key": "k" }, chatBody("anthropic"));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      type: "error",
      error: { type: "invalid_request_error", message: "anthropic-version: header is required" },
    });
  });

  it("refuses a body without max_tokens", async () => {
    const { max_tokens: _, ...body } = chatBody("anthropic");
    const res = await post("anthropic", AUTH.anthropic, body);
    expect(res.status).toBe(400);
    expect(res.headers.get("x-should-retry")).toBe("false");
    expect(await res.json()).toEqual({
      type: "error",
      error: { type: "invalid_request_error", message: "max_tokens: Field required" },
    });
  });
});

describe("mistral's tool-call ids", () => {
  const withIds = (callId: string, resultId: string) =>
    chatBody("mistral", {
      messages: [
        { role: "user", content: "hi" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: callId, type: "function", function: { name: "f", arguments: "{}" } }],
        },
        { role: "tool", tool_call_id: resultId, content: "ok" },
      ],
    });

  it("refuses an id that is not nine letters and digits, as Mistral does", async () => {
    const res = await post("mistral", AUTH.mistral, withIds("call_PTLP8xhu3uwZk4l3nlnrrJha", "Caf7Pyrd8"));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      object: "error",
      message: "Tool call id was call_PTLP8xhu3uwZk4l3nlnrrJha but must be a-z, A-Z, 0-9, with a length of 9.",
      type: "invalid_function_call",
      param: null,
      code: "3280",
    });
    expect((await post("mistral", AUTH.mistral, withIds("Caf7Pyrd8", "toolu_01"))).status).toBe(400);
  });

  it("takes its own kind of id", async () => {
    expect((await post("mistral", AUTH.mistral, withIds("Caf7Pyrd8", "Caf7Pyrd8"))).status).toBe(200);
  });
});

describe("mistral's closed field list", () => {
  it.each([
    ["stream_options", { include_usage: true }],
    ["max_completion_tokens", 32000],
    ["seed", 1],
    ["user", "u-1"],
  ] as const)("refuses %s with 422 extra_forbidden naming it", async (field, value) => {
    const res = await post("mistral", AUTH.mistral, chatBody("mistral", { stream: true, [field]: value }));
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      object: "error",
      message: {
        detail: [
          { type: "extra_forbidden", loc: ["body", field], msg: "Extra inputs are not permitted", input: value },
        ],
      },
      type: "invalid_request_error",
      param: null,
      code: null,
    });
  });

  it("takes every documented field", async () => {
    const body = chatBody("mistral", {
      temperature: 0.2,
      top_p: 1,
      max_tokens: 10,
      stream: false,
      stop: ["\n"],
      random_seed: 1,
      response_format: { type: "text" },
      tools: [],
      tool_choice: "auto",
      presence_penalty: 0,
      frequency_penalty: 0,
      n: 1,
      safe_prompt: false,
      parallel_tool_calls: true,
      prediction: { type: "content", content: "" },
      prompt_mode: null,
    });
    expect((await post("mistral", AUTH.mistral, body)).status).toBe(200);
  });
});

describe("malformed JSON", () => {
  it.each([
    ["openai", (body: unknown) => expect(body).toMatchObject({ error: { type: "invalid_request_error" } })],
    ["together", (body: unknown) => expect(body).toMatchObject({ error: { type: "invalid_request_error" } })],
    ["mistral", (body: unknown) => expect(body).toMatchObject({ object: "error", type: "invalid_request_error" })],
    [
      "anthropic",
      (body: unknown) => expect(body).toMatchObject({ type: "error", error: { type: "invalid_request_error" } }),
    ],
    ["ollama", (body: unknown) => expect(body).toMatchObject({ error: expect.any(String) as unknown })],
  ] as const)("%s answers 400 in its own shape", async (provider, check) => {
    const res = await chat(running.base[provider], provider, '{"model": "m", "messages": [');
    expect(res.status).toBe(400);
    check(await res.json());
  });
});

describe("ollama behind Cloudflare Access", () => {
  const access = { client_id: "id.access", client_secret: "s3cret" };

  it.each([
    ["no service token", {}],
    ["a wrong secret", { "CF-Access-Client-Id": "id.access", "CF-Access-Client-Secret": "nope" }],
  ])("turns away %s with 403", async (_case, headers) => {
    const session = await createSession(running.emulator.url, { ollama_access: access });
    const res = await chat(session.base_urls.ollama, "ollama", chatBody("ollama"), { headers });
    expect(res.status).toBe(403);
    const tags = await fetch(`${session.base_urls.ollama}/api/tags`, { headers });
    expect(tags.status).toBe(403);
  });

  it("lets the right service token through", async () => {
    const session = await createSession(running.emulator.url, { ollama_access: access });
    const headers = { "CF-Access-Client-Id": access.client_id, "CF-Access-Client-Secret": access.client_secret };
    const res = await chat(session.base_urls.ollama, "ollama", chatBody("ollama", { stream: false }), { headers });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(fixtureText("ollama", "api-chat.json"));
  });

  it("needs no token when the session sets no access", async () => {
    expect((await fetch(`${running.base.ollama}/api/tags`)).status).toBe(200);
  });
});

describe("unknown paths", () => {
  it.each([
    "/nowhere",
    "/openai/v1/completions",
    "/anthropic/v1/v1/messages",
    "/ollama/v1/chat/completions",
    "/s/no-such-session/openai/v1/chat/completions",
  ])("%s answers 404 JSON", async (path) => {
    const res = await fetch(`${running.emulator.url}${path}`, { method: "POST", headers: AUTH.openai, body: "{}" });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.json()).toMatchObject({ error: { message: expect.any(String) as unknown } });
  });

  it("a wrong method on a known path is a 404 too", async () => {
    const res = await fetch(`${running.base.openai}/chat/completions`, { headers: AUTH.openai });
    expect(res.status).toBe(404);
  });
});
