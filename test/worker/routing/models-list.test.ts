// A `models` list with no `model` (OpenRouter's convention) is the request's whole chain, in every dialect: its first
// entry answers, the rest are its fallbacks, and a bad entry is named by its index.
import { describe, expect, it } from "vitest";
import { call, chat, newSession } from "../gateway.ts";

const HI = [{ role: "user", content: "hi" }];

describe("models without model", () => {
  it("chat: the first entry answers; when it fails, the next one does", async () => {
    const s = await newSession();
    const res = await chat(s.env, { models: ["mistral/mistral-small-latest", "openai/gpt-4o-mini"], messages: HI });
    const body = (await res.json()) as { x_router: { provider: string; model: string; attempts: unknown[] } };
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.x_router.provider).toBe("mistral");
    expect(body.x_router.attempts).toHaveLength(1);

    await s.setFaults([{ provider: "mistral", mode: "status", status: 400 }]);
    const next = await chat(s.env, { models: ["mistral/mistral-small-latest", "openai/gpt-4o-mini"], messages: HI });
    const nextBody = (await next.json()) as { x_router: { provider: string; attempts: { provider: string }[] } };
    expect(next.status, JSON.stringify(nextBody)).toBe(200);
    expect(nextBody.x_router.provider).toBe("openai");
    expect(nextBody.x_router.attempts.map((a) => a.provider)).toEqual(["mistral", "openai"]);
  });

  it("responses, messages and embeddings take it too", async () => {
    const s = await newSession();
    const responses = await call(s.env, "/v1/responses", {
      method: "POST",
      json: { models: ["openai/gpt-4o-mini"], input: "hi" },
    });
    expect(responses.status, await responses.clone().text()).toBe(200);
    expect(responses.headers.get("x-router-model")).toBe("gpt-4o-mini");
    const messages = await call(s.env, "/v1/messages", {
      method: "POST",
      json: { models: ["anthropic/claude-haiku-4-5-20251001"], max_tokens: 32, messages: HI },
    });
    expect(messages.status, await messages.clone().text()).toBe(200);
    expect(messages.headers.get("x-router-provider")).toBe("anthropic");
    const embeddings = await call(s.env, "/v1/embeddings", {
      method: "POST",
      json: { models: ["openai/text-embedding-3-small"], input: "hi" },
    });
    expect(embeddings.status, await embeddings.clone().text()).toBe(200);
    expect(embeddings.headers.get("x-router-provider")).toBe("openai");
  });

  it("neither model nor models is a 400 naming model; a bad first entry is named models.0", async () => {
    const s = await newSession();
    const none = await chat(s.env, { messages: HI });
    expect(none.status).toBe(400);
    expect(((await none.json()) as { error: { param: string } }).error.param).toBe("model");
    const empty = await chat(s.env, { models: [], messages: HI });
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { error: { param: string } }).error.param).toBe("models");
    const bad = await chat(s.env, { models: [42, "openai/gpt-4o-mini"], messages: HI });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { param: string } }).error.param).toBe("models.0");
    expect(await s.requests()).toHaveLength(0);
  });
});
