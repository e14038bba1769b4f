// local_first moves to the cloud when the Ollama server is down (connection reset, or nothing listening).
import { describe, expect, it } from "vitest";
import { call, chat, type LoggedRequest, newSession } from "../gateway.ts";

const USER = [{ role: "user", content: "Say hello." }];
const BODY = { model: "auto", messages: USER, router: { strategy: "local_first" } };
type Candidate = { provider: string; model: string; upstream_model: string };
const isChat = (r: LoggedRequest) => r.method === "POST" && /chat|messages/.test(r.path);

describe("local_first with Ollama down", () => {
  it("plans Ollama first, and answers from the plan's first cloud candidate when every Ollama call is reset", async () => {
    const s = await newSession({ faults: [{ provider: "ollama", mode: "reset" }] });
    const planned = (await (await call(s.env, "/v1/route", { method: "POST", json: BODY })).json()) as {
      candidates: Candidate[];
    };
    expect(planned.candidates[0]?.provider).toBe("ollama");
    const cloud = planned.candidates.find((c) => c.provider !== "ollama");
    expect(cloud).toBeDefined();

    const res = await chat(s.env, BODY);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get("x-router-provider")).toBe(cloud?.provider);
    expect(res.headers.get("x-router-model")).toBe(cloud?.model);
    const body = (await res.json()) as { x_router: { attempts: { provider: string; status: string }[] } };
    const failed = body.x_router.attempts.filter((a) => a.provider === "ollama");
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((a) => a.status !== "ok")).toBe(true);
    expect(body.x_router.attempts.at(-1)).toMatchObject({ provider: cloud?.provider, status: "ok" });
    const upstream = (await s.requests()).filter(isChat);
    expect(upstream.some((r) => r.provider === "ollama" && r.fault === "reset")).toBe(true);
    expect(upstream.at(-1)).toMatchObject({
      provider: cloud?.provider,
      body: expect.objectContaining({ model: cloud?.upstream_model }),
    });
  });

  it("answers from the cloud when OLLAMA_BASE_URL points at a closed port", async () => {
    const s = await newSession({}, { OLLAMA_BASE_URL: "http://127.0.0.1:9" });
    const res = await chat(s.env, BODY);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get("x-router-provider")).not.toBe("ollama");
    const body = (await res.json()) as { x_router: { attempts: { provider: string; status: string }[] } };
    expect(body.x_router.attempts[0]).toMatchObject({ provider: "ollama", status: "failed" });
  });
});
