// Reasoning across providers: each dialect's control mapped to each provider's own, warnings where a model does not
// reason, and Anthropic's thinking shown in the Responses dialect.
import { describe, expect, it } from "vitest";
import { call, chat, newSession } from "../gateway.ts";
import { parseSse } from "./fixtures.ts";

const HAIKU = "anthropic/claude-haiku-4-5-20251001";

describe("reasoning controls", () => {
  it("chat reasoning_effort becomes Anthropic's thinking budget, OpenAI's reasoning_effort and Ollama's think", async () => {
    const s = await newSession();
    await chat(s.env, { model: HAIKU, reasoning_effort: "low", messages: [{ role: "user", content: "2+2?" }] });
    expect((await s.requests()).at(-1)?.body?.thinking).toEqual({ type: "enabled", budget_tokens: 2048 });
    await chat(s.env, {
      model: "openai/gpt-5.4",
      reasoning_effort: "high",
      messages: [{ role: "user", content: "2+2?" }],
    });
    expect((await s.requests()).at(-1)?.body?.reasoning_effort).toBe("high");
    await chat(s.env, {
      model: "ollama/qwen3:0.6b",
      reasoning_effort: "medium",
      messages: [{ role: "user", content: "2+2?" }],
    });
    expect((await s.requests()).at(-1)?.body?.think).toBe(true);
  });

  it("the newest efforts the openai SDK offers (xhigh, max) reach OpenAI as given and Anthropic as its largest budgets", async () => {
    const s = await newSession();
    const chatRes = await chat(s.env, {
      model: "openai/gpt-5.4",
      reasoning_effort: "xhigh",
      messages: [{ role: "user", content: "2+2?" }],
    });
    expect(chatRes.status).toBe(200);
    expect((await s.requests()).at(-1)?.body?.reasoning_effort).toBe("xhigh");
    const viaResponses = await call(s.env, "/v1/responses", {
      method: "POST",
      json: { model: "openai/gpt-5.4", input: "2+2?", reasoning: { effort: "max" } },
    });
    expect(viaResponses.status).toBe(200);
    expect((await s.requests()).at(-1)?.body?.reasoning_effort).toBe("max");
    await chat(s.env, {
      model: HAIKU,
      reasoning_effort: "xhigh",
      max_tokens: 40000,
      messages: [{ role: "user", content: "2+2?" }],
    });
    expect((await s.requests()).at(-1)?.body?.thinking).toEqual({ type: "enabled", budget_tokens: 32768 });
    // max's 64K budget does not fit under these max_tokens: it is lowered to fit, and said.
    const clamped = await chat(s.env, {
      model: HAIKU,
      reasoning_effort: "max",
      max_tokens: 40000,
      messages: [{ role: "user", content: "2+2?" }],
    });
    expect((await s.requests()).at(-1)?.body?.thinking).toEqual({ type: "enabled", budget_tokens: 39999 });
    expect(decodeURIComponent(clamped.headers.get("x-router-warnings") ?? "")).toMatch(/budget_tokens 65536/);
    const bad = await chat(s.env, {
      model: "openai/gpt-5.4",
      reasoning_effort: "extreme",
      messages: [{ role: "user", content: "2+2?" }],
    });
    expect(bad.status).toBe(400);
  });

  it("Anthropic's adaptive thinking reaches Anthropic as adaptive, and OpenAI as a medium effort", async () => {
    const s = await newSession();
    const ask = (model: string) =>
      call(s.env, "/v1/messages", {
        method: "POST",
        json: {
          model,
          max_tokens: 4096,
          thinking: { type: "adaptive" },
          messages: [{ role: "user", content: "2+2?" }],
        },
      });
    await ask(HAIKU);
    expect((await s.requests()).at(-1)?.body?.thinking).toEqual({ type: "adaptive" });
    await ask("openai/gpt-5.4");
    expect((await s.requests()).at(-1)?.body?.reasoning_effort).toBe("medium");
  });

  it("a model without reasoning gets nothing sent and the client a warning", async () => {
    const s = await newSession();
    const res = await chat(s.env, {
      model: "openai/gpt-4o-mini",
      reasoning_effort: "high",
      messages: [{ role: "user", content: "2+2?" }],
    });
    expect(res.status).toBe(200);
    expect(decodeURIComponent(res.headers.get("x-router-warnings") ?? "")).toMatch(/reasoning/);
    expect((await s.requests()).at(-1)?.body).not.toHaveProperty("reasoning_effort");
  });

  it("Anthropic's thinking streams into the Responses dialect as a reasoning item before the message", async () => {
    const s = await newSession();
    const res = await call(s.env, "/v1/responses", {
      method: "POST",
      json: { model: HAIKU, input: "Two names for a pelican", stream: true, reasoning: { effort: "low" } },
    });
    const events = parseSse(await res.text());
    expect(events.map((e) => e.data.type)).toContain("response.reasoning_summary_text.delta");
    const done = events.at(-1)?.data.response;
    expect(done.output.map((i: { type: string }) => i.type)).toEqual(["reasoning", "message"]);
    expect(done.output[0].summary[0].text).toMatch(/^The user wants two names/);
  });

  it("a continued Responses conversation hands Anthropic its thinking back, signature and all", async () => {
    const s = await newSession();
    const res = await call(s.env, "/v1/responses", {
      method: "POST",
      json: { model: HAIKU, input: "Two names for a pelican", stream: true, reasoning: { effort: "low" } },
    });
    const id = parseSse(await res.text()).at(-1)?.data.response.id as string;
    for (let i = 0; i < 50 && (await call(s.env, `/v1/responses/${id}`)).status !== 200; i++)
      await new Promise((r) => setTimeout(r, 20));
    await call(s.env, "/v1/responses", {
      method: "POST",
      json: { model: HAIKU, previous_response_id: id, input: "And a third?", reasoning: { effort: "low" } },
    });
    const sent = (await s.requests()).at(-1)?.body as {
      messages: { role: string; content: { type: string; signature?: string }[] }[];
    };
    expect(sent.messages[1]?.role).toBe("assistant");
    expect(sent.messages[1]?.content[0]).toMatchObject({
      type: "thinking",
      signature: expect.stringMatching(/^EuYDCmMI/),
    });
  });

  // store: false: the client keeps the conversation, and with include reasoning.encrypted_content its reasoning
  // items carry the thinking, signature and all, so handing them back gives Anthropic its thinking again.
  for (const stream of [false, true]) {
    it(`store: false hands thinking back through encrypted_content (${stream ? "streamed" : "JSON"} answer)`, async () => {
      const s = await newSession();
      const first = {
        model: HAIKU,
        input: "Two names for a pelican",
        stream,
        store: false,
        include: ["reasoning.encrypted_content"],
        reasoning: { effort: "low" },
      };
      const res = await call(s.env, "/v1/responses", { method: "POST", json: first });
      const output = (stream ? parseSse(await res.text()).at(-1)!.data.response : await res.json()).output as {
        type: string;
        encrypted_content?: string;
      }[];
      expect(output[0]?.type).toBe("reasoning");
      expect(output[0]?.encrypted_content).toMatch(/^swy1\./);
      const next = await call(s.env, "/v1/responses", {
        method: "POST",
        json: {
          model: HAIKU,
          store: false,
          input: [
            { role: "user", content: "Two names for a pelican" },
            ...output,
            { role: "user", content: "And a third?" },
          ],
        },
      });
      expect(next.status).toBe(200);
      expect(decodeURIComponent(next.headers.get("x-router-warnings") ?? "")).not.toMatch(/reasoning items/);
      const sent = (await s.requests()).at(-1)?.body as {
        messages: { role: string; content: { type: string; signature?: string }[] }[];
      };
      expect(sent.messages[1]?.role).toBe("assistant");
      expect(sent.messages[1]?.content[0]).toMatchObject({
        type: "thinking",
        signature: expect.stringMatching(/^EuYDCmMI/),
      });
    });
  }

  it("without include, no state is given; a reasoning item that cannot be carried is a warning the client sees", async () => {
    const s = await newSession();
    const res = await call(s.env, "/v1/responses", {
      method: "POST",
      json: { model: HAIKU, input: "Two names for a pelican", store: false, reasoning: { effort: "low" } },
    });
    const output = ((await res.json()) as { output: { type: string; encrypted_content?: string }[] }).output;
    expect(output[0]?.type).toBe("reasoning");
    expect(output[0]?.encrypted_content).toBeUndefined();
    const next = await call(s.env, "/v1/responses", {
      method: "POST",
      json: {
        model: "openai/gpt-4o-mini",
        store: false,
        input: [
          { type: "reasoning", id: "rs_x", summary: [], encrypted_content: "gAAAA-openai-state" },
          ...output.slice(1),
          { role: "user", content: "And?" },
        ],
      },
    });
    expect(next.status).toBe(200);
    expect(decodeURIComponent(next.headers.get("x-router-warnings") ?? "")).toMatch(/reasoning items/);
    expect(((await next.json()) as { x_router: { warnings: string[] } }).x_router.warnings.join()).toMatch(
      /reasoning items/,
    );
  });
});
