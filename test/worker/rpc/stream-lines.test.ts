// The NDJSON lines of an RPC stream (src/rpc/entrypoint.ts): a stream cut after it started ends with an error line
// that carries the route report (who was tried, what the cut answer cost), as HTTP's error event carries x_router.
import { describe, expect, it } from "vitest";
import { chat, newSession, sseData } from "../gateway.ts";
import { readLines, rpcFor } from "./rpc-helpers.ts";

const HI = [{ role: "user" as const, content: "hi" }];

describe("RPC stream(): the end line", () => {
  it("a stream cut after its commit ends with an error line with its route (HTTP: x_router on the error event)", async () => {
    const s = await newSession({ faults: [{ provider: "openai", mode: "cut", after_chunks: 3 }] });
    const body = { model: "openai/gpt-4o-mini", messages: HI, router: { fallback: false } };
    const sse = await sseData(await chat(s.env, { ...body, stream: true }));
    const httpError = sse.find((e) => e !== "[DONE]" && "error" in e) as { x_router?: unknown } | undefined;
    expect(httpError?.x_router, JSON.stringify(sse)).toMatchObject({ provider: "openai", model: "gpt-4o-mini" });

    const { rpc, done } = rpcFor(s.env);
    const started = await rpc.stream(body);
    if (!started.ok) throw new Error(JSON.stringify(started));
    const lines = await readLines(started.events);
    await done();
    const last = lines.at(-1);
    expect(last, JSON.stringify(lines)).toMatchObject({
      type: "error",
      error: { code: "stream_interrupted" },
      route: { provider: "openai", model: "gpt-4o-mini", attempts: [{ provider: "openai", model: "gpt-4o-mini" }] },
    });
    // The cut answer is billed from an estimate: the route says what the ledger bills.
    if (last?.type !== "error") throw new Error("no error line");
    expect(last.route.cost_usd).toEqual(expect.any(Number));
    expect(lines.filter((l) => l.type === "route")).toEqual([]);
  });

  it("a finished stream ends with the route line alone", async () => {
    const s = await newSession();
    const { rpc, done } = rpcFor(s.env);
    const started = await rpc.stream({ model: "openai/gpt-4o-mini", messages: HI, router: { fallback: false } });
    if (!started.ok) throw new Error(JSON.stringify(started));
    const lines = await readLines(started.events);
    await done();
    expect(lines.at(-1)).toMatchObject({ type: "route", route: { provider: "openai", attempts: [{ status: "ok" }] } });
    expect(lines.filter((l) => l.type === "error")).toEqual([]);
  });

  it("the provider's early prompt count stays the ledger's: the usage line carries the prompt", async () => {
    const s = await newSession();
    const { rpc, done } = rpcFor(s.env);
    const model = "anthropic/claude-haiku-4-5";
    const started = await rpc.stream({ model, messages: HI, router: { fallback: false } });
    if (!started.ok) throw new Error(JSON.stringify(started));
    const lines = await readLines(started.events);
    await done();
    const types = new Set(lines.map((l) => l.type));
    expect(
      [...types].filter((t) => !["text", "finish", "usage", "route"].includes(t)),
      JSON.stringify(lines),
    ).toEqual([]);
    const usage = lines.find((l) => l.type === "usage");
    expect(usage?.type === "usage" && usage.usage.input_tokens, JSON.stringify(lines)).toBeGreaterThan(0);
  });
});
