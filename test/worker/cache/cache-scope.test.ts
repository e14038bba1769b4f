// The response cache through gateway keys and budgets: tenancy (two keys of one workspace share, another workspace
// does not), hits for a workspace over its budget, TTL expiry, a bad TTL in each dialect's error shape, tool-call
// replays in all three dialects, Responses state on a hit, and a stream that ended on an in-stream error never stored.
import { describe, expect, it } from "vitest";
import { call, newSession } from "../gateway.ts";
import { callFull, uniqueWorkspace } from "../ledger/ledger-helpers.ts";
import { cache, post, prompt, upstreamPosts } from "./cache-answers.ts";

const ADMIN = "admin-key-for-cache-scope-0123456789";
const AV = { "anthropic-version": "2023-06-01" };
const chatBody = (text: string, extra: Record<string, unknown> = {}) => ({
  model: "openai/gpt-4o-mini",
  messages: [{ role: "user", content: text }],
  max_tokens: 100,
  router: { fallback: false },
  ...extra,
});

describe("response cache: covered", () => {
  it("two keys of one workspace share entries; another workspace's key, naming it in the body, does not", async () => {
    const s = await newSession({}, { SWITCHYARD_ENV: "production", ADMIN_KEY: ADMIN });
    const key = async (ws: string) => {
      const made = await callFull(s.env, "/v1/keys", {
        method: "POST",
        json: { workspace_id: ws, name: "k" },
        headers: { authorization: `Bearer ${ADMIN}` },
      });
      const t = await made.done();
      expect(made.res.status, t).toBe(201);
      return { authorization: `Bearer ${(JSON.parse(t) as { key: string }).key}` };
    };
    const wsA = uniqueWorkspace("cache-a");
    const [a1, a2, b] = [await key(wsA), await key(wsA), await key(uniqueWorkspace("cache-b"))];
    const text = prompt("tenancy");
    const verdict = async (h: Record<string, string>, body = chatBody(text)) =>
      (await post(s.env, "/v1/chat/completions", body, { ...h, ...cache() })).headers.get("x-router-cache");
    expect(await verdict(a1)).toBe("miss");
    expect(await verdict(a2)).toBe("hit");
    // A workspace key's own workspace overrides the one it names.
    expect(await verdict(b, chatBody(text, { router: { fallback: false, workspace_id: wsA } }))).toBe("miss");
    expect(await verdict({ authorization: `Bearer ${ADMIN}`, "x-router-workspace": wsA })).toBe("hit");
    expect(await upstreamPosts(s)).toBe(2);
  });

  it("a workspace over its reject budget is still answered from the cache, and refused anything else", async () => {
    const s = await newSession();
    const ws = uniqueWorkspace("cache-budget");
    const budget = async (limit: number) => {
      const r = await callFull(s.env, `/v1/budgets/${ws}`, {
        method: "PUT",
        json: { limit_usd: limit, on_limit: "reject" },
      });
      expect(r.res.status, await r.done()).toBe(200);
    };
    await budget(100);
    const text = prompt("budget");
    const h = { ...cache(), "x-router-workspace": ws };
    expect((await post(s.env, "/v1/chat/completions", chatBody(text), h)).headers.get("x-router-cache")).toBe("miss");
    await budget(0.00000001);
    const hit = await post(s.env, "/v1/chat/completions", chatBody(text, { stream: true }), h);
    expect(hit.status).toBe(200);
    expect(hit.headers.get("x-router-cache")).toBe("hit");
    expect((await post(s.env, "/v1/chat/completions", chatBody(prompt("other")), h)).status).toBe(402);
  });

  it("an entry stored for 1 s is gone 2.5 s later, whatever TTL the reader asks for", { timeout: 15_000 }, async () => {
    const s = await newSession();
    const text = prompt("ttl");
    const v = async (ttl: number) =>
      (await post(s.env, "/v1/chat/completions", chatBody(text), cache(ttl))).headers.get("x-router-cache");
    expect(await v(1)).toBe("miss");
    expect(await v(1)).toBe("hit");
    await new Promise((r) => setTimeout(r, 2500));
    expect(await v(600)).toBe("miss");
  });

  it("a bad TTL is a 400 in each dialect's error shape", async () => {
    const s = await newSession();
    for (const ttl of ["-1", "1.5", "soon", "99999999"]) {
      const m = await post(
        s.env,
        "/v1/messages",
        { model: "anthropic/claude-haiku-4-5", max_tokens: 50, messages: [{ role: "user", content: "x" }] },
        { "x-router-cache-ttl": ttl, ...AV },
      );
      expect(m.status).toBe(400);
      expect(m.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
      const r = await post(
        s.env,
        "/v1/responses",
        { model: "openai/gpt-4o-mini", input: "x" },
        { "x-router-cache-ttl": ttl },
      );
      expect(r.status).toBe(400);
      expect(r.json().error).toMatchObject({ type: "invalid_request_error", param: "x-router-cache-ttl" });
    }
    const body = await post(
      s.env,
      "/v1/messages",
      {
        model: "anthropic/claude-haiku-4-5",
        max_tokens: 50,
        messages: [{ role: "user", content: "x" }],
        router: { cache: { ttl_s: 1.5 } },
      },
      AV,
    );
    expect(body.status).toBe(400);
    expect(body.json().type).toBe("error");
  });

  it("a cached tool-call answer replays with its ids and stop reason as chat stream, Responses JSON and stream", async () => {
    const s = await newSession();
    const text = prompt("tools");
    const params = { type: "object", properties: { location: { type: "string" } }, required: ["location"] };
    const chat = chatBody(text, {
      tools: [{ type: "function", function: { name: "get_weather", description: "weather", parameters: params } }],
    });
    const miss = await post(s.env, "/v1/chat/completions", chat, cache());
    const calls = miss.json().choices[0].message.tool_calls as {
      id: string;
      function: { name: string; arguments: string };
    }[];
    expect(calls.length).toBeGreaterThan(0);
    const streamed = await post(s.env, "/v1/chat/completions", { ...chat, stream: true }, cache());
    expect(streamed.headers.get("x-router-cache")).toBe("hit");
    const deltas = streamed
      .events()
      .filter((e) => e.data && typeof e.data === "object")
      .map((e) => e.data.choices?.[0]);
    expect(
      deltas
        .flatMap((c) => c?.delta?.tool_calls ?? [])
        .filter((t: { id?: string }) => t.id)
        .map((t: { id: string }) => t.id),
    ).toEqual(calls.map((c) => c.id));
    expect(deltas.findLast((c) => c?.finish_reason)?.finish_reason).toBe("tool_calls");
    const rbody = {
      model: "openai/gpt-4o-mini",
      max_output_tokens: 100,
      input: [{ role: "user", content: text }],
      router: { fallback: false },
      tools: [{ type: "function", name: "get_weather", description: "weather", parameters: params }],
    };
    const rjson = await post(s.env, "/v1/responses", rbody, cache());
    expect(rjson.headers.get("x-router-cache")).toBe("hit");
    expect(rjson.json().output.map((o: { call_id: string }) => o.call_id)).toEqual(calls.map((c) => c.id));
    const rstream = await post(s.env, "/v1/responses", { ...rbody, stream: true }, cache());
    const done = rstream.events().find((e) => e.event === "response.completed")?.data.response;
    expect(done.output.map((o: { arguments: string }) => o.arguments)).toEqual(calls.map((c) => c.function.arguments));
    expect(await upstreamPosts(s)).toBe(1);
  });

  it("a Responses hit is stored like any answer: GET finds it and previous_response_id continues it", async () => {
    const s = await newSession();
    const body = { model: "openai/gpt-4o-mini", input: prompt("resp-state"), router: { fallback: false } };
    const miss = await post(s.env, "/v1/responses", body, cache());
    const hit = await post(s.env, "/v1/responses", body, cache());
    expect(hit.headers.get("x-router-cache")).toBe("hit");
    expect(hit.json().id).not.toBe(miss.json().id);
    expect((await call(s.env, `/v1/responses/${hit.json().id}`)).status).toBe(200);
    const next = await post(s.env, "/v1/responses", {
      ...body,
      input: "and then?",
      previous_response_id: hit.json().id,
    });
    expect(next.status).toBe(200);
    expect(next.json().previous_response_id).toBe(hit.json().id);
    // store: false on a hit keeps nothing.
    const unstored = await post(s.env, "/v1/responses", { ...body, store: false }, cache());
    expect(unstored.headers.get("x-router-cache")).toBe("hit");
    expect((await call(s.env, `/v1/responses/${unstored.json().id}`)).status).toBe(404);
  });

  it("never stores a stream that ended on the provider's in-stream error", async () => {
    const s = await newSession({
      faults: [{ provider: "openai", mode: "midstream_error", after_chunks: 2, times: 1 }],
    });
    const text = prompt("midstream");
    const broken = await post(s.env, "/v1/chat/completions", chatBody(text, { stream: true }), cache());
    expect(broken.text).not.toContain("[DONE]");
    const next = await post(s.env, "/v1/chat/completions", chatBody(text), cache());
    expect(next.headers.get("x-router-cache")).toBe("miss");
  });
});
