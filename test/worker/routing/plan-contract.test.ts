// The plan a user's request gets, held to DESIGN: a models list is tried whole, a one-provider chain fills the plan's
// free room, and a refusal before any call still says its route.
import { describe, expect, it } from "vitest";
import { chat, newSession } from "../gateway.ts";
import { callFull, uniqueWorkspace } from "../ledger/ledger-helpers.ts";

const USER = [{ role: "user", content: "Say hello." }];
/** Tight clocks: a hang costs a fraction of a second. */
const FAST = { headers_ms: 400, first_token_ms: 600, idle_ms: 400, total_ms: 4000 };

interface Answer {
  x_router?: { provider: string; model: string; attempts: { provider: string; model: string; status: string }[] };
  error?: { code: string; message: string };
}

describe("a models list is the request's own chain, tried in order", () => {
  // DESIGN "Choosing the model": "a `models` array in the body ...: this request's own fallback chain, tried in order."
  // The body takes up to 10 entries: the plan holds every one, beyond defaults.max_candidates (6).
  it("the 7th entry answers when the first six fail", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "status", status: 400 }] });
    const models = [
      "openai/gpt-4o-mini",
      "openai/gpt-4o",
      "openai/gpt-4.1",
      "openai/gpt-4.1-mini",
      "openai/gpt-6-luna",
      "openai/gpt-6.1-terra",
      "mistral/mistral-small-latest",
    ];
    const res = await chat(s.env, { models, messages: USER, router: { timeouts: FAST } });
    const body = (await res.json()) as Answer;
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.x_router?.provider).toBe("mistral");
  });
});

describe("a strategy-ordered chain keeps every member it has room for", () => {
  // DESIGN "Where this comes from": "LOCAL_ONLY = local models only"; configs/llm_fallback.yml: task_types
  // `local: { chain: LOCAL_ONLY, strategy: local_first }`. The per-provider cap (ceil(max_candidates / 2) = 3) keeps
  // room for other providers only where they can fill it: a task_type=local plan holds all of LOCAL_ONLY's models.
  it("task_type local: when three local models fail, a fourth local model answers", async () => {
    const s = await newSession({
      faults: [
        { provider: "ollama", model: "gemma3:1b", mode: "status", status: 404 },
        { provider: "ollama", model: "llama3.2", mode: "status", status: 404 },
        { provider: "ollama", model: "qwen2.5-coder", mode: "status", status: 404 },
      ],
    });
    const res = await chat(s.env, { model: "auto", messages: USER, router: { task_type: "local", timeouts: FAST } });
    const body = (await res.json()) as Answer;
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.x_router?.provider).toBe("ollama");
  });
});

describe("route headers on every chat response", () => {
  // DESIGN "What every answer says about its route": "Headers on every chat response, streaming too: x-request-id,
  // x-router-provider, x-router-model, x-router-strategy, x-router-attempts". A budget refusal (402) is a chat
  // response whose plan is made (its strategy known, no candidate tried: "none" / 0, as an all-failed answer says).
  it("a 402 budget_exceeded carries x-router-strategy and x-router-attempts", async () => {
    const s = await newSession();
    const ws = uniqueWorkspace("review-402");
    const put = await callFull(s.env, `/v1/budgets/${ws}`, {
      method: "PUT",
      json: { limit_usd: 0.0000001, on_limit: "reject" },
    });
    expect(put.res.status, await put.done()).toBe(200);
    const res = await chat(s.env, { model: "openai/gpt-4o-mini", messages: USER }, { "x-router-workspace": ws });
    expect(res.status).toBe(402);
    expect(res.headers.get("x-request-id")).toBeTruthy();
    expect(res.headers.get("x-router-strategy")).toBeTruthy();
    expect(res.headers.get("x-router-attempts")).toBe("0");
    expect(res.headers.get("x-router-provider")).toBeTruthy();
    expect(res.headers.get("x-router-model")).toBeTruthy();
  });
});
