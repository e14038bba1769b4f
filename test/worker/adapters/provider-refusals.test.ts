// What each provider refuses that another dialect's client may send, and what the adapters do instead: leave it out
// and say so (a warning in x_router), or send the provider's own value. Each rule is the provider's error text, quoted.
import { describe, expect, it } from "vitest";
import { call, chat, newSession, type Session } from "../gateway.ts";

async function upstream(s: Session, re = /chat|messages/) {
  const calls = (await s.requests()).filter((r) => re.test(r.path));
  expect(calls.length).toBeGreaterThan(0);
  return calls.at(-1)!.body as Record<string, any>;
}
const warningsOf = async (res: Response) =>
  ((await res.clone().json()) as { x_router: { warnings: string[] } }).x_router.warnings;

describe("reasoning effort none", () => {
  it("chat reasoning_effort none reaches OpenAI as none (OpenAI's own value), not minimal", async () => {
    const s = await newSession();
    const res = await chat(s.env, {
      model: "openai/gpt-5.5",
      messages: [{ role: "user", content: "hi" }],
      reasoning_effort: "none",
      router: { fallback: false },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = await upstream(s);
    expect(body.reasoning_effort).toBe("none");
  });

  it("responses reasoning.effort none reaches OpenAI as none", async () => {
    const s = await newSession();
    const res = await call(s.env, "/v1/responses", {
      method: "POST",
      json: { model: "openai/gpt-5.5", input: "hi", reasoning: { effort: "none" }, router: { fallback: false } },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = await upstream(s);
    expect(body.reasoning_effort).toBe("none");
  });
});

describe("Responses reasoning.summary", () => {
  it("is not carried to chat-completions providers, and the client is told", async () => {
    const s = await newSession();
    const res = await call(s.env, "/v1/responses", {
      method: "POST",
      json: {
        model: "openai/gpt-5.5",
        input: "hi",
        reasoning: { effort: "low", summary: "detailed" },
        router: { fallback: false },
      },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = await upstream(s);
    expect(JSON.stringify(body)).not.toContain("summary");
    const w = await warningsOf(res);
    expect(w.join("\n")).toMatch(/summary/);
  });
});

describe("message name", () => {
  it("Mistral refuses `name` on a user message (422 extra_forbidden ['body','messages',0,'user','name']): not sent, said", async () => {
    const s = await newSession();
    const res = await chat(s.env, {
      model: "mistral/mistral-large-latest",
      messages: [{ role: "user", content: "hi", name: "alice" }],
      router: { fallback: false },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = await upstream(s);
    expect(body.messages[0]).not.toHaveProperty("name");
  });

  it("Anthropic has no participant name: dropping it is said", async () => {
    const s = await newSession();
    const res = await chat(s.env, {
      model: "anthropic/claude-sonnet-4-5-20250929",
      messages: [{ role: "user", content: "hi", name: "alice" }],
      router: { fallback: false },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = await upstream(s);
    expect(JSON.stringify(body)).not.toContain("alice");
    expect((await warningsOf(res)).join("\n")).toMatch(/name/);
  });
});

describe("Anthropic sampling constraints", () => {
  it("Claude Sonnet 4.5 refuses temperature and top_p together (400 '`temperature` and `top_p` cannot both be specified for this model'): one is sent, the other said", async () => {
    const s = await newSession();
    const res = await chat(s.env, {
      model: "anthropic/claude-sonnet-4-5-20250929",
      messages: [{ role: "user", content: "hi" }],
      temperature: 0.3,
      top_p: 0.9,
      router: { fallback: false },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = await upstream(s);
    expect("temperature" in body && "top_p" in body).toBe(false);
  });

  it("Anthropic refuses whitespace-only stop sequences (400 'stop_sequences: each stop sequence must contain non-whitespace'): not sent, said", async () => {
    const s = await newSession();
    const res = await chat(s.env, {
      model: "anthropic/claude-sonnet-4-5-20250929",
      messages: [{ role: "user", content: "hi" }],
      stop: ["\n", "END"],
      router: { fallback: false },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = await upstream(s);
    for (const seq of (body.stop_sequences ?? []) as string[]) expect(seq.trim()).not.toBe("");
  });
});

describe("Messages dialect to OpenAI-compatible providers", () => {
  it("tools: [] (valid for Anthropic) is not sent as an empty array (OpenAI 400 \"Invalid 'tools': empty array\")", async () => {
    const s = await newSession();
    const res = await call(s.env, "/v1/messages", {
      method: "POST",
      json: {
        model: "openai/gpt-4o-mini",
        max_tokens: 50,
        tools: [],
        messages: [{ role: "user", content: "hi" }],
        router: { fallback: false },
      },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = await upstream(s);
    expect(body.tools === undefined || (Array.isArray(body.tools) && body.tools.length > 0)).toBe(true);
  });
});

describe("Anthropic thinking and forced tool use", () => {
  it("Anthropic refuses thinking with tool_choice any/tool (400 'Thinking may not be enabled when tool_choice forces tool use'): not both sent", async () => {
    const s = await newSession();
    const res = await chat(s.env, {
      model: "anthropic/claude-sonnet-4-5-20250929",
      messages: [{ role: "user", content: "weather?" }],
      tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: {} } } }],
      tool_choice: "required",
      reasoning_effort: "low",
      router: { fallback: false },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = await upstream(s);
    const forced = body.tool_choice?.type === "any" || body.tool_choice?.type === "tool";
    const thinking = body.thinking !== undefined && body.thinking.type !== "disabled";
    expect(forced && thinking).toBe(false);
  });
});

describe("Anthropic whitespace-only text", () => {
  it("a whitespace-only user turn (OpenAI takes it) is not sent as a text block (400 'text content blocks must contain non-whitespace text')", async () => {
    const s = await newSession();
    const res = await chat(s.env, {
      model: "anthropic/claude-sonnet-4-5-20250929",
      messages: [
        { role: "user", content: "hello" },
        { role: "assistant", content: "hi" },
        { role: "user", content: " \n" },
      ],
      router: { fallback: false },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = await upstream(s);
    for (const t of body.messages as any[])
      for (const b of t.content) if (b.type === "text") expect(b.text.trim()).not.toBe("");
  });
});

describe("strict tools", () => {
  it("a tool's strict: true reaches Anthropic (structured outputs: strict tool use) or is said", async () => {
    const s = await newSession();
    const res = await chat(s.env, {
      model: "anthropic/claude-sonnet-4-5-20250929",
      messages: [{ role: "user", content: "weather?" }],
      tools: [
        {
          type: "function",
          function: {
            name: "get_weather",
            strict: true,
            parameters: {
              type: "object",
              properties: { city: { type: "string" } },
              required: ["city"],
              additionalProperties: false,
            },
          },
        },
      ],
      router: { fallback: false },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = await upstream(s);
    expect(body.tools[0].strict === true || (await warningsOf(res)).some((w) => /strict/.test(w))).toBe(true);
  });
});

describe("tool_choice without tools", () => {
  it("Responses tools: [] + tool_choice auto (valid at OpenAI's Responses API) does not reach chat completions as a bare tool_choice (400 \"'tool_choice' is only allowed when 'tools' are specified\")", async () => {
    const s = await newSession();
    const res = await call(s.env, "/v1/responses", {
      method: "POST",
      json: { model: "openai/gpt-4o-mini", input: "hi", tools: [], tool_choice: "auto", router: { fallback: false } },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = await upstream(s);
    expect(body.tool_choice !== undefined && body.tools === undefined).toBe(false);
  });
});
