// Tool history across providers: a conversation whose tool calls another provider made (OpenAI's call_… ids,
// Anthropic's toolu_…) goes on to Mistral, which takes only nine-letter-and-digit ids, with the ids rewritten so each
// call still pairs with its result; and Ollama, which has no tool_choice, keeps "none" by being offered no tools.
import { describe, expect, it } from "vitest";
import { call, chat, newSession, type Session } from "../gateway.ts";

const MISTRAL = "mistral/mistral-large-latest";
const tools = [
  {
    type: "function",
    function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
  },
];

/** A finished tool round: the assistant's calls (with the given ids) and their results. */
const history = (ids: string[]) => [
  { role: "user", content: "Weather in Paris and Rome?" },
  {
    role: "assistant",
    content: null,
    tool_calls: ids.map((id, i) => ({
      id,
      type: "function",
      function: { name: "get_weather", arguments: JSON.stringify({ city: i === 0 ? "Paris" : "Rome" }) },
    })),
  },
  ...ids.map((id, i) => ({ role: "tool", tool_call_id: id, content: `${18 + i}C` })),
];

async function sentMessages(s: Session) {
  const calls = (await s.requests()).filter((r) => r.path.endsWith("/chat/completions"));
  return (calls.at(-1)?.body?.messages ?? []) as {
    role: string;
    tool_call_id?: string;
    tool_calls?: { id: string }[];
  }[];
}

describe("tool-call ids to Mistral", () => {
  it("ids of other providers become nine letters and digits, and each call still pairs with its result", async () => {
    const s = await newSession();
    const ids = ["call_PTLP8xhu3uwZk4l3nlnrrJha", "toolu_014x5X91kx3fvdhpLvwXZWE2"];
    const res = await chat(s.env, { model: MISTRAL, messages: history(ids), tools, router: { fallback: false } });
    expect(res.status, await res.clone().text()).toBe(200);
    const sent = await sentMessages(s);
    const callIds = sent.flatMap((m) => m.tool_calls?.map((c) => c.id) ?? []);
    const resultIds = sent.filter((m) => m.role === "tool").map((m) => m.tool_call_id);
    expect(callIds).toHaveLength(2);
    for (const id of callIds) expect(id).toMatch(/^[a-zA-Z0-9]{9}$/);
    expect(new Set(callIds).size).toBe(2);
    expect(resultIds).toEqual(callIds);
  });

  it("Mistral's own ids go back unchanged, in every dialect's history", async () => {
    const s = await newSession();
    const res = await call(s.env, "/v1/messages", {
      method: "POST",
      json: {
        model: MISTRAL,
        max_tokens: 100,
        messages: [
          { role: "user", content: "Weather in Paris?" },
          { role: "assistant", content: [{ type: "tool_use", id: "Caf7Pyrd8", name: "get_weather", input: {} }] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "Caf7Pyrd8", content: "18C" }] },
        ],
        tools: [{ name: "get_weather", input_schema: { type: "object", properties: {} } }],
      },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const sent = await sentMessages(s);
    expect(sent.find((m) => m.role === "tool")?.tool_call_id).toBe("Caf7Pyrd8");
    expect(sent.find((m) => m.tool_calls)?.tool_calls?.[0]?.id).toBe("Caf7Pyrd8");
  });
});

describe("tool_choice none on Ollama", () => {
  it("is kept by offering no tools, without a warning", async () => {
    const s = await newSession();
    const res = await chat(s.env, {
      model: "ollama/llama3.2",
      messages: [{ role: "user", content: "Weather in Paris?" }],
      tools,
      tool_choice: "none",
    });
    expect(res.status).toBe(200);
    expect(decodeURIComponent(res.headers.get("x-router-warnings") ?? "")).not.toMatch(/tool_choice/);
    const sent = (await s.requests()).filter((r) => r.path.endsWith("/api/chat")).at(-1)?.body;
    expect(sent).toBeDefined();
    expect(sent).not.toHaveProperty("tools");
  });
});

describe("tool-call arguments to Anthropic", () => {
  it("arguments that are not a JSON object (broken, an array, a number) are a 400 that says so, not sent", async () => {
    const s = await newSession();
    for (const args of ["{", "[1]", "42"]) {
      const messages = history(["call_1"]);
      (messages[1] as { tool_calls: { function: { arguments: string } }[] }).tool_calls[0]!.function.arguments = args;
      const res = await chat(s.env, {
        model: "anthropic/claude-haiku-4-5-20251001",
        messages,
        tools,
        router: { fallback: false },
      });
      expect(res.status, args).toBe(400);
      const body = (await res.json()) as { error: { message: string } };
      expect(body.error.message).toMatch(/not a JSON object; anthropic needs them as an object/);
    }
    expect((await s.requests()).filter((r) => r.path.endsWith("/messages"))).toHaveLength(0);
  });
});
