// Structured outputs in every dialect: a JSON schema asked in chat (response_format), Responses (text.format) or
// Messages (output_config.format) reaches OpenAI as response_format and Anthropic as output_config.format, and the
// answer's text is the schema's JSON; JSON without a schema is said not to be enforced on Anthropic.
import { describe, expect, it } from "vitest";
import { call, chat, newSession, type Session, sseData } from "../gateway.ts";
import { parseSse } from "./fixtures.ts";

const CLAUDE = "anthropic/claude-sonnet-4-5-20250929";
const GPT = "openai/gpt-4o-mini";

const SCHEMA = {
  type: "object",
  properties: {
    city: { type: "string" },
    temperature_c: { type: "number" },
    sky: { type: "string", enum: ["clear", "cloudy"] },
  },
  required: ["city", "temperature_c", "sky"],
  additionalProperties: false,
};
const VALUE = { city: "emulated", temperature_c: 1, sky: "clear" };

const ask = [{ role: "user", content: "Weather in Paris, as JSON." }];
const responseFormat = { type: "json_schema", json_schema: { name: "weather", schema: SCHEMA, strict: true } };

/** The one call the gateway made to a provider's chat or messages endpoint. */
async function upstreamBody(s: Session): Promise<Record<string, unknown>> {
  const calls = (await s.requests()).filter((r) => /chat|messages/.test(r.path));
  expect(calls).toHaveLength(1);
  return calls[0]?.body ?? {};
}

const warningsOf = (res: Response) => decodeURIComponent(res.headers.get("x-router-warnings") ?? "");
const messages = (s: Session, body: Record<string, unknown>) =>
  call(s.env, "/v1/messages", { method: "POST", json: { max_tokens: 300, messages: ask, ...body } });

describe("chat completions: response_format json_schema", () => {
  it("reaches Anthropic as output_config.format, and the answer is the schema's JSON", async () => {
    const s = await newSession();
    const res = await chat(s.env, { model: CLAUDE, messages: ask, response_format: responseFormat });
    expect(res.status).toBe(200);
    expect(warningsOf(res)).not.toMatch(/response_format|json_schema|enforced/);
    // biome-ignore lint/suspicious/noExplicitAny: the test reads the answer field by field
    const json = (await res.json()) as any;
    expect(JSON.parse(json.choices[0].message.content)).toEqual(VALUE);
    expect(json.choices[0].finish_reason).toBe("stop");
    const sent = await upstreamBody(s);
    expect(sent.output_config).toEqual({ format: { type: "json_schema", schema: SCHEMA } });
    expect(sent).not.toHaveProperty("response_format");
  });

  it("streams the schema's JSON from Anthropic in pieces", async () => {
    const s = await newSession();
    const res = await chat(s.env, { model: CLAUDE, messages: ask, response_format: responseFormat, stream: true });
    let text = "";
    let pieces = 0;
    for (const chunk of await sseData(res)) {
      if (chunk === "[DONE]") continue;
      // biome-ignore lint/suspicious/noExplicitAny: the test reads the chunk field by field
      const content = (chunk as any).choices?.[0]?.delta?.content;
      if (typeof content === "string" && content !== "") {
        text += content;
        pieces++;
      }
    }
    expect(pieces).toBeGreaterThan(1);
    expect(JSON.parse(text)).toEqual(VALUE);
    expect((await upstreamBody(s)).output_config).toEqual({ format: { type: "json_schema", schema: SCHEMA } });
  });

  it("json_object has no Anthropic control: nothing is sent for it and a warning says so", async () => {
    const s = await newSession();
    const res = await chat(s.env, { model: CLAUDE, messages: ask, response_format: { type: "json_object" } });
    expect(res.status).toBe(200);
    expect(warningsOf(res)).toMatch(/anthropic constrains JSON only to a schema; "json_object"/);
    expect(await upstreamBody(s)).not.toHaveProperty("output_config");
  });

  it("goes to OpenAI unchanged", async () => {
    const s = await newSession();
    const res = await chat(s.env, { model: GPT, messages: ask, response_format: responseFormat });
    // biome-ignore lint/suspicious/noExplicitAny: the test reads the answer field by field
    const json = (await res.json()) as any;
    expect(JSON.parse(json.choices[0].message.content)).toEqual(VALUE);
    expect((await upstreamBody(s)).response_format).toEqual(responseFormat);
  });
});

describe("Messages: output_config.format", () => {
  const outputConfig = { format: { type: "json_schema", schema: SCHEMA } };

  it("reaches Anthropic unchanged", async () => {
    const s = await newSession();
    const res = await messages(s, { model: CLAUDE, output_config: outputConfig });
    // biome-ignore lint/suspicious/noExplicitAny: the test reads the answer field by field
    const json = (await res.json()) as any;
    expect(res.status, JSON.stringify(json)).toBe(200);
    expect(JSON.parse(json.content[0].text)).toEqual(VALUE);
    expect(json.stop_reason).toBe("end_turn");
    expect((await upstreamBody(s)).output_config).toEqual(outputConfig);
  });

  it("reaches OpenAI as response_format json_schema, streaming", async () => {
    const s = await newSession();
    const res = await messages(s, { model: GPT, output_config: outputConfig, stream: true });
    const events = parseSse(await res.text());
    const text = events
      .filter((e) => e.event === "content_block_delta" && e.data.delta.type === "text_delta")
      .map((e) => e.data.delta.text)
      .join("");
    expect(JSON.parse(text)).toEqual(VALUE);
    expect(events.at(-1)?.event).toBe("message_stop");
    expect((await upstreamBody(s)).response_format).toEqual({
      type: "json_schema",
      json_schema: { name: "output", schema: SCHEMA },
    });
  });

  it("a format that is not a JSON schema is a 400 in Anthropic's shape, before any provider is called", async () => {
    const s = await newSession();
    const res = await messages(s, { model: CLAUDE, output_config: { format: { type: "xml" } } });
    expect(res.status).toBe(400);
    const json = (await res.json()) as { type: string; error: { type: string; message: string } };
    expect(json.type).toBe("error");
    expect(json.error.type).toBe("invalid_request_error");
    expect(json.error.message).toMatch(/output_config\.format/);
    expect((await s.requests()).filter((r) => /messages/.test(r.path))).toHaveLength(0);
  });

  it("effort is checked, and it and any other key are said not to be sent", async () => {
    const s = await newSession();
    const bad = await messages(s, { model: CLAUDE, output_config: { effort: "extreme" } });
    expect(bad.status).toBe(400);
    const res = await messages(s, {
      model: CLAUDE,
      output_config: { effort: "high", task_budget: { type: "tokens", total: 1000 } },
    });
    expect(res.status).toBe(200);
    expect(warningsOf(res)).toMatch(/"output_config\.effort" is not supported/);
    expect(warningsOf(res)).toMatch(/"output_config\.task_budget" is not supported/);
    expect(await upstreamBody(s)).not.toHaveProperty("output_config");
  });
});

describe("Messages count_tokens with output_config", () => {
  it("sends Anthropic only the format, which is part of the prompt", async () => {
    const s = await newSession();
    const format = { type: "json_schema", schema: SCHEMA };
    const res = await call(s.env, "/v1/messages/count_tokens", {
      method: "POST",
      json: { model: CLAUDE, messages: ask, output_config: { format, effort: "high", task_budget: { total: 5 } } },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-router-token-count")).toBe("anthropic");
    const sent = (await s.requests()).filter((r) => r.path.endsWith("/count_tokens")).at(-1)?.body;
    expect(sent?.output_config).toEqual({ format });
    const bare = await call(s.env, "/v1/messages/count_tokens", {
      method: "POST",
      json: { model: CLAUDE, messages: ask, output_config: { effort: "high" } },
    });
    expect(bare.status).toBe(200);
    const sentBare = (await s.requests()).filter((r) => r.path.endsWith("/count_tokens")).at(-1)?.body;
    expect(sentBare).not.toHaveProperty("output_config");
  });
});

describe("Responses: text.format json_schema", () => {
  it("reaches Anthropic as output_config.format", async () => {
    const s = await newSession();
    const res = await call(s.env, "/v1/responses", {
      method: "POST",
      json: {
        model: CLAUDE,
        input: "Weather in Paris, as JSON.",
        store: false,
        text: { format: { type: "json_schema", name: "weather", schema: SCHEMA, strict: true } },
      },
    });
    // biome-ignore lint/suspicious/noExplicitAny: the test reads the answer field by field
    const json = (await res.json()) as any;
    expect(res.status, JSON.stringify(json)).toBe(200);
    const message = json.output.find((item: { type: string }) => item.type === "message");
    expect(JSON.parse(message.content[0].text)).toEqual(VALUE);
    expect((await upstreamBody(s)).output_config).toEqual({ format: { type: "json_schema", schema: SCHEMA } });
  });
});
