// Sessions: base URLs, the request log tests snapshot, isolation between sessions, swapping faults, option checks.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUTH, chat, chatBody, createSession, loggedRequests, TOOLS } from "./helpers.ts";
import { type Emulator, startEmulator } from "./server.ts";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator.close());

describe("session creation", () => {
  it("answers 201 with base URLs in each SDK's convention", async () => {
    const res = await fetch(`${emulator.url}/__emulator/sessions`, { method: "POST", body: "{}" });
    expect(res.status).toBe(201);
    const { id, base_urls } = (await res.json()) as { id: string; base_urls: Record<string, string> };
    const prefix = `${emulator.url}/s/${id}`;
    expect(base_urls).toEqual({
      openai: `${prefix}/openai/v1`,
      anthropic: `${prefix}/anthropic`,
      mistral: `${prefix}/mistral/v1`,
      together: `${prefix}/together/v1`,
      ollama: `${prefix}/ollama`,
    });
  });

  it("takes an empty body", async () => {
    const res = await fetch(`${emulator.url}/__emulator/sessions`, { method: "POST" });
    expect(res.status).toBe(201);
  });

  it.each([
    ["an unknown mode", { faults: [{ provider: "openai", mode: "explode" }] }],
    ["an unknown provider", { faults: [{ provider: "cohere", mode: "hang" }] }],
    ["a misspelt fault field", { faults: [{ provider: "openai", mode: "cut", after_chunk: 2 }] }],
    ["a negative delay", { chunk_delay_ms: -1 }],
    ["an unknown option", { chunk_delay: 5 }],
    ["a half-filled ollama_access", { ollama_access: { client_id: "x" } }],
    ["non-string ollama_models", { ollama_models: [1] }],
  ])("refuses %s with 400", async (_case, options) => {
    const res = await fetch(`${emulator.url}/__emulator/sessions`, { method: "POST", body: JSON.stringify(options) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { message: expect.any(String) as unknown } });
  });

  it("refuses a body that is not JSON", async () => {
    const res = await fetch(`${emulator.url}/__emulator/sessions`, { method: "POST", body: "{" });
    expect(res.status).toBe(400);
  });
});

describe("request log", () => {
  it("records what the gateway sent, headers lower-cased, path below the provider", async () => {
    const session = await createSession(emulator.url);
    const body = chatBody("anthropic", { stream: true, tools: TOOLS });
    const before = Date.now();
    const res = await fetch(`${session.base_urls.anthropic}/v1/messages?beta=true`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Api-Key": "sk-ant-x", "Anthropic-Version": "2023-06-01" },
      body: JSON.stringify(body),
    });
    await res.text();
    const [request, ...rest] = await loggedRequests(emulator.url, session.id);
    expect(rest).toHaveLength(0);
    expect(request).toMatchObject({
      provider: "anthropic",
      method: "POST",
      path: "/v1/messages?beta=true",
      body,
      aborted: false,
      fault: null,
    });
    expect(request?.headers["x-api-key"]).toBe("sk-ant-x");
    expect(request?.headers["anthropic-version"]).toBe("2023-06-01");
    expect(request?.received_at).toBeGreaterThanOrEqual(before);
  });

  it("logs refused requests too, with a null body when it did not parse", async () => {
    const session = await createSession(emulator.url);
    await (await chat(session.base_urls.openai, "openai", "{oops")).text();
    await (await fetch(`${session.base_urls.openai}/models`, { headers: AUTH.openai })).text();
    const requests = await loggedRequests(emulator.url, session.id);
    expect(requests.map(({ method, path, body }) => ({ method, path, body }))).toEqual([
      { method: "POST", path: "/v1/chat/completions", body: null },
      { method: "GET", path: "/v1/models", body: null },
    ]);
  });

  it("counts attempts, so a test can check the gateway did not hammer a failing provider", async () => {
    const session = await createSession(emulator.url, {
      faults: [{ provider: "together", mode: "status", status: 503 }],
    });
    for (let attempt = 0; attempt < 3; attempt++) {
      await (await chat(session.base_urls.together, "together", chatBody("together"))).text();
    }
    const requests = await loggedRequests(emulator.url, session.id);
    expect(requests.map((request) => request.fault)).toEqual(["status", "status", "status"]);
  });
});

describe("isolation", () => {
  it("one session's faults and log do not reach another", async () => {
    const failing = await createSession(emulator.url, {
      faults: [{ provider: "openai", mode: "status", status: 500 }],
    });
    const healthy = await createSession(emulator.url);
    expect((await chat(failing.base_urls.openai, "openai", chatBody("openai"))).status).toBe(500);
    expect((await chat(healthy.base_urls.openai, "openai", chatBody("openai"))).status).toBe(200);
    expect((await chat(`${emulator.url}/openai/v1`, "openai", chatBody("openai"))).status).toBe(200);
    expect(await loggedRequests(emulator.url, failing.id)).toHaveLength(1);
    expect(await loggedRequests(emulator.url, healthy.id)).toHaveLength(1);
  });

  it("PUT faults replaces the list, so a provider can recover", async () => {
    const session = await createSession(emulator.url, {
      faults: [{ provider: "ollama", mode: "status", status: 500 }],
    });
    const call = () => chat(session.base_urls.ollama, "ollama", chatBody("ollama", { stream: false }));
    expect((await call()).status).toBe(500);
    const put = await fetch(`${emulator.url}/__emulator/sessions/${session.id}/faults`, {
      method: "PUT",
      body: JSON.stringify({ faults: [] }),
    });
    expect(put.status).toBe(200);
    expect((await call()).status).toBe(200);
    const again = await fetch(`${emulator.url}/__emulator/sessions/${session.id}/faults`, {
      method: "PUT",
      body: JSON.stringify([{ provider: "ollama", mode: "status", status: 404, times: 1 }]),
    });
    expect(await again.json()).toMatchObject({ faults: [{ mode: "status", status: 404, uses_left: 1 }] });
    expect((await call()).status).toBe(404);
    expect((await call()).status).toBe(200);
  });

  it("DELETE ends a session", async () => {
    const session = await createSession(emulator.url);
    const res = await fetch(`${emulator.url}/__emulator/sessions/${session.id}`, { method: "DELETE" });
    expect(res.status).toBe(204);
    expect((await chat(session.base_urls.openai, "openai", chatBody("openai"))).status).toBe(404);
    expect((await fetch(`${emulator.url}/__emulator/sessions/${session.id}/requests`)).status).toBe(404);
  });
});
